//===- WeightTiles.cpp ----------------------------------------------------===//
#include "passes/WeightTiles.h"
#include "passes/ByteDot.h"
#include "passes/DotBlock.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// [lead..., rows, cols] -> [lead..., rows / 16, 16 * cols]: the bytes of a
/// tile of 16 rows are contiguous whatever their order inside.
Value tileRows(KernelBuilder &k, Value m) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  auto type = cast<MemRefType>(m.getType());
  int64_t rank = type.getRank(), rows = type.getDimSize(rank - 2), cols = type.getDimSize(rank - 1);
  SmallVector<int64_t> split(type.getShape().drop_back(2));
  SmallVector<ReassociationIndices> expand, collapse;
  for (int64_t i = 0; i < rank - 2; ++i) {
    expand.push_back({i});
    collapse.push_back({i});
  }
  expand.push_back({rank - 2, rank - 1});
  expand.push_back({rank});
  collapse.push_back({rank - 2});
  collapse.push_back({rank - 1, rank});
  split.append({rows / kQuantTileRows, kQuantTileRows, cols});
  Value tiles = b.create<memref::ExpandShapeOp>(
      loc, MemRefType::get(split, type.getElementType()), m, expand);
  return b.create<memref::CollapseShapeOp>(loc, tiles, collapse);
}

} // namespace

TiledWeight mlir::gemma::tiledView(KernelBuilder &k, Value weight, Value scales) {
  assert(weightTiled(weight, scales) && "not a tiled weight");
  return {tileRows(k, weight), tileRows(k, scales), weightFormat(weight, scales),
          weightInFeatures(weight, scales)};
}

Value mlir::gemma::loadTiledWeight(KernelBuilder &k, const TiledWeight &t, ValueRange at,
                                   int64_t width) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value row = at[at.size() - 2], col = at.back();
  SmallVector<Value> lead(at.drop_back(2));
  lead.push_back(b.create<arith::DivUIOp>(loc, row, k.index(kQuantTileRows)));
  Value rowInTile = b.create<arith::RemUIOp>(loc, row, k.index(kQuantTileRows));
  Value lane = times(k, rowInTile, 4);
  bool int8 = t.format == WeightFormat::Int8;
  int64_t columnsPerVector = int8 ? 4 : 8;
  // One piece of n <= 4 columns from c: the bytes of row `row` in the
  // vector holding c, as i32 q values.
  auto piece = [&](Value c, int64_t n) -> Value {
    Value vec = b.create<arith::DivUIOp>(loc, c, k.index(columnsPerVector));
    Value inVec = b.create<arith::RemUIOp>(loc, c, k.index(4));
    SmallVector<Value> idx = lead;
    idx.push_back(b.create<arith::AddIOp>(
        loc, b.create<arith::AddIOp>(loc, times(k, vec, kTileVectorBytes), lane), inVec));
    VectorType bytesType = vecOf(b, n, b.getI8Type()), ints = vecOf(b, n, b.getI32Type());
    Value bytes = b.create<vector::LoadOp>(loc, bytesType, t.values, idx);
    if (int8)
      return b.create<arith::ExtSIOp>(loc, ints, bytes);
    // int4: columns 8v..8v+3 in the low nibbles, 8v+4..8v+7 in the high
    // ones, each stored as q + 8.
    Value high = b.create<arith::RemUIOp>(loc, b.create<arith::DivUIOp>(loc, c, k.index(4)),
                                          k.index(2));
    Value shift = b.create<arith::IndexCastOp>(loc, b.getI32Type(), times(k, high, 4));
    Value wide = b.create<arith::ExtUIOp>(loc, ints, bytes);
    Value nib = b.create<arith::AndIOp>(
        loc, b.create<arith::ShRUIOp>(loc, wide, b.create<vector::BroadcastOp>(loc, ints, shift)),
        intSplat(b, loc, ints, 0xF));
    return b.create<arith::SubIOp>(loc, nib, intSplat(b, loc, ints, 8));
  };
  Value q;
  assert((width == 1 || width % 4 == 0) && "tiled loads take 1 or a multiple of 4 columns");
  if (width == 1) {
    q = piece(col, 1);
  } else {
    for (int64_t p = 0; p < width; p += 4) {
      Value part = piece(plus(k, col, p), 4);
      if (!q) {
        q = part;
        continue;
      }
      SmallVector<int64_t> both;
      for (int64_t i = 0; i < p + 4; ++i)
        both.push_back(i);
      // Grow q by 4 lanes: shuffle q (p lanes) with the piece (4 lanes).
      q = b.create<vector::ShuffleOp>(loc, q, part, both);
    }
  }
  // The block's scale, widened and splat.
  SmallVector<Value> scaleAt(lead);
  Value block = b.create<arith::DivUIOp>(loc, col, k.index(kQuantBlock));
  scaleAt.push_back(b.create<arith::AddIOp>(loc, times(k, block, kQuantTileRows), rowInTile));
  Value scale = k.load(t.scales, scaleAt, 1);
  VectorType floats = vecOf(b, width, b.getF32Type());
  Value f = b.create<arith::SIToFPOp>(loc, floats, q);
  Value wq = width == 1 ? b.create<vector::ExtractOp>(loc, f, ArrayRef<int64_t>{0}).getResult() : f;
  return k.mul(wq, k.splat(scale, width));
}
