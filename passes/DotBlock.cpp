//===- DotBlock.cpp -------------------------------------------------------===//
#include "passes/DotBlock.h"
#include "dialects/GemmaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

namespace mlir::gemma {

void emitDotBlock(KernelBuilder &k, const DotBlock &blk, Value x, Value w, Value scales,
                  const OperandRows &rows) {
  auto loadX = [&](int64_t i, Value col, int64_t width) {
    return k.load(x, indicesWith(rows.x(i), col), width);
  };
  auto loadW = [&](int64_t j, Value col, int64_t width) {
    return k.loadWeight(w, scales, indicesWith(rows.w(j), col), width);
  };
  int64_t vl = k.lanes(), n = blk.tokens * blk.rows;
  bool prefetch = blk.tokens == 1;
  // Packed int4 rows hold two columns per byte.
  int64_t rowLength = cast<MemRefType>(w.getType()).getShape().back();
  auto memrefColumn = [&](Value col) -> Value {
    if (rowLength == blk.depth)
      return col;
    return k.builder().create<arith::DivUIOp>(k.location(), times(k, col, rowLength),
                                              k.index(blk.depth));
  };
  int64_t vecEnd = blk.depth - blk.depth % vl;
  SmallVector<Value> sums(n, k.f32(0.0));
  if (vecEnd > 0) {
    SmallVector<Value> init(n, k.constant(0.0, vl));
    SmallVector<Value> acc = k.loop(
        k.index(0), k.index(vecEnd), vl, init, [&](Value col, ValueRange args) {
          SmallVector<Value> xs, ws, next;
          for (int64_t i = 0; i < blk.tokens; ++i)
            xs.push_back(loadX(i, col, vl));
          if (prefetch)
            prefetchRowStreams(k, w, rows, blk.rows, memrefColumn(col));
          for (int64_t j = 0; j < blk.rows; ++j)
            ws.push_back(loadW(j, col, vl));
          for (int64_t i = 0; i < blk.tokens; ++i)
            for (int64_t j = 0; j < blk.rows; ++j)
              next.push_back(k.fma(xs[i], ws[j], args[i * blk.rows + j]));
          return next;
        });
    for (int64_t a = 0; a < n; ++a)
      sums[a] = k.sum(acc[a]);
  }
  if (vecEnd < blk.depth)
    sums = k.loop(k.index(vecEnd), k.index(blk.depth), 1, sums,
                  [&](Value col, ValueRange args) {
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < blk.tokens; ++i)
                      for (int64_t j = 0; j < blk.rows; ++j)
                        next.push_back(k.fma(loadX(i, col, 1), loadW(j, col, 1),
                                             args[i * blk.rows + j]));
                    return next;
                  });
  finishDotBlock(blk, sums);
}

bool bf16WeightInSteps(Value weight, Value scales, int64_t step) {
  if (weightFormat(weight, scales) != WeightFormat::Float)
    return false;
  auto type = cast<MemRefType>(weight.getType());
  return type.getElementType().isBF16() && type.getShape().back() % step == 0;
}

int64_t prefetchDistance(Value w) {
  return kDecodePrefetchBytes * 8 / cast<MemRefType>(w.getType()).getElementTypeBitWidth();
}

void prefetchAhead(KernelBuilder &k, Value w, SmallVector<Value> row, Value col,
                   int64_t elements) {
  k.builder().create<memref::PrefetchOp>(k.location(), w,
                                         indicesWith(row, plus(k, col, elements)),
                                         /*isWrite=*/false, /*locality=*/3, /*data=*/true);
}

void prefetchRowStreams(KernelBuilder &k, Value w, const OperandRows &rows, int64_t blockRows,
                        Value col) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t rowLength = cast<MemRefType>(w.getType()).getShape().back();
  Value ahead = plus(k, col, prefetchDistance(w));
  Value rowsOn = times(k, b.create<arith::DivUIOp>(loc, ahead, k.index(rowLength)), blockRows);
  Value at = b.create<arith::RemUIOp>(loc, ahead, k.index(rowLength));
  for (int64_t j = 0; j < blockRows; ++j) {
    SmallVector<Value> row = rows.w(j);
    row.back() = b.create<arith::AddIOp>(loc, row.back(), rowsOn);
    b.create<memref::PrefetchOp>(loc, w, indicesWith(row, at), /*isWrite=*/false,
                                 /*locality=*/3, /*data=*/true);
  }
}

void finishRowLaneBlock(KernelBuilder &k, const DotBlock &blk, ArrayRef<Value> acc) {
  SmallVector<Value> sums;
  for (Value a : acc)
    for (int64_t l = 0, n = cast<VectorType>(a.getType()).getNumElements(); l < n; ++l)
      sums.push_back(k.builder().create<vector::ExtractOp>(k.location(), a, ArrayRef<int64_t>{l}));
  finishDotBlock(blk, sums);
}

void finishDotBlock(const DotBlock &blk, SmallVector<Value> sums) {
  if (blk.epilogue)
    sums = blk.epilogue(sums);
  for (int64_t i = 0; i < blk.tokens; ++i)
    for (int64_t j = 0; j < blk.rows; ++j)
      blk.storeOut(i, j, sums[i * blk.rows + j]);
}

Value plus(KernelBuilder &k, Value a, int64_t c) {
  if (c == 0)
    return a;
  return k.builder().create<arith::AddIOp>(k.location(), a, k.index(c));
}
Value times(KernelBuilder &k, Value a, int64_t c) {
  return k.builder().create<arith::MulIOp>(k.location(), a, k.index(c));
}
Value roundDown(KernelBuilder &k, Value a, int64_t c) {
  return times(k, k.builder().create<arith::DivUIOp>(k.location(), a, k.index(c)), c);
}

void forRowBlocks(KernelBuilder &k, int64_t outRows, SmallVector<Value> outerUbs,
                  int64_t panelBlocks, int64_t rowsPerBlock,
                  const std::function<void(const RowPanel &panel, ValueRange outer)> &body) {
  int64_t panelRows = panelBlocks * rowsPerBlock;
  int64_t panels = panelBlocks > 1 ? outRows / panelRows : 0;
  int64_t done = panels * panelRows;
  int64_t blocks = (outRows - done) / rowsPerBlock;
  int64_t rest = (outRows - done) % rowsPerBlock;
  // One parallel loop over `count` panels of `unitBlocks` blocks of
  // `rowsPerBlock` rows, from row `first`.
  auto sweep = [&](int64_t count, int64_t first, int64_t unitBlocks, int64_t rowsPerBlock) {
    if (count == 0)
      return;
    SmallVector<Value> ubs = outerUbs;
    ubs.push_back(k.index(count));
    k.parallel(ubs, [&](ValueRange ivs) {
      Value row0 = plus(k, times(k, ivs.back(), unitBlocks * rowsPerBlock), first);
      body(RowPanel{row0, unitBlocks, rowsPerBlock}, ivs.drop_back());
    });
  };
  sweep(panels, 0, panelBlocks, rowsPerBlock);
  sweep(blocks, done, 1, rowsPerBlock);
  sweep(rest, done + blocks * rowsPerBlock, 1, 1);
}

void forTokenBlocks(KernelBuilder &k, Value begin, Value end, ArrayRef<int64_t> sizes,
                    const std::function<void(Value first, int64_t n)> &emit) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  for (int64_t n : sizes) {
    // Whole blocks of n from begin; the next size starts where they end.
    Value whole = roundDown(k, b.create<arith::SubIOp>(loc, end, begin), n);
    Value stop = n == 1 ? end : b.create<arith::AddIOp>(loc, begin, whole).getResult();
    k.loop(begin, stop, n, [&](Value first) { emit(first, n); });
    begin = stop;
  }
}

SmallVector<int64_t> tokenBlockSizes(int64_t block) {
  if (block > 2)
    return {block, 2, 1};
  return {block, 1};
}

void forEachRowBlock(KernelBuilder &k, const RowPanel &panel,
                     const std::function<void(Value row0)> &body) {
  if (panel.blocks == 1)
    return body(panel.row0);
  k.loop(k.index(0), k.index(panel.blocks * panel.rowsPerBlock), panel.rowsPerBlock,
         [&](Value offset) {
           body(k.builder().create<arith::AddIOp>(k.location(), panel.row0, offset));
         });
}

} // namespace mlir::gemma
