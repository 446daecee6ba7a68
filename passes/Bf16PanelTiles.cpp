//===- Bf16PanelTiles.cpp -------------------------------------------------===//
//
// Re-laying: 8 rows x 8 input pairs (one 32-byte load per row) are an 8 x 8
// block of 32-bit words; transposed (three rounds of shuffles, 24 in all) it
// gives the 8 tile vectors of those pairs. The dot kernel widens a tile
// vector as PairedBf16Dot does (`lane << 16` is the even input,
// `lane & 0xffff0000` the odd one, exactly) and multiplies it by x's input
// broadcast from memory, so the products are the row-major kernels'; only
// the order of the f32 sums differs.
//
//===----------------------------------------------------------------------===//
#include "passes/Bf16PanelTiles.h"
#include "dialects/GemmaOps.h"
#include "passes/ByteDot.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

namespace {

constexpr int64_t kGroupRows = 8;   // rows per tile vector (8 i32 lanes)
constexpr int64_t kPairsPerLoad = 8; // 32 bytes of a row
/// Input pairs per iteration of the dot loop.
constexpr int64_t kPairsPerStep = 4;
/// Accumulator chains a block keeps (kBf16TileTokens x 2 vectors).
constexpr int64_t kMaxChains = 12;

/// The 8 x 8 transpose of 8 vectors of 8 i32: out[c][r] = in[r][c].
SmallVector<Value> transpose8x8(OpBuilder &b, Location loc, ArrayRef<Value> in) {
  auto shuffle = [&](Value a, Value c, ArrayRef<int64_t> mask) -> Value {
    return b.create<vector::ShuffleOp>(loc, a, c, mask);
  };
  // Interleave 32-bit words, then 64-bit pairs, within 128-bit halves.
  SmallVector<Value> words, pairs(8), out(8);
  for (int64_t r = 0; r < 8; r += 2) {
    words.push_back(shuffle(in[r], in[r + 1], {0, 8, 1, 9, 4, 12, 5, 13}));
    words.push_back(shuffle(in[r], in[r + 1], {2, 10, 3, 11, 6, 14, 7, 15}));
  }
  // words[2i] / words[2i + 1]: rows 2i and 2i + 1 interleaved (words 0, 1
  // / 2, 3 of each half); pairs[4h + c] holds columns c and c + 4 of rows
  // 4h..4h + 3.
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t q = 0; q < 2; ++q) {
      Value lo = words[4 * h + q], hi = words[4 * h + 2 + q];
      pairs[4 * h + 2 * q] = shuffle(lo, hi, {0, 1, 8, 9, 4, 5, 12, 13});
      pairs[4 * h + 2 * q + 1] = shuffle(lo, hi, {2, 3, 10, 11, 6, 7, 14, 15});
    }
  // Join the 128-bit halves of rows 0-3 and 4-7.
  for (int64_t c = 0; c < 4; ++c) {
    out[c] = shuffle(pairs[c], pairs[4 + c], {0, 1, 2, 3, 8, 9, 10, 11});
    out[c + 4] = shuffle(pairs[c], pairs[4 + c], {4, 5, 6, 7, 12, 13, 14, 15});
  }
  return out;
}

} // namespace

bool mlir::gemma::bf16PanelTilesApply(Value weight, Value scales, int64_t panelRows) {
  return panelRows % kBf16TileRows == 0 &&
         bf16WeightInSteps(weight, scales, 2 * kPairsPerLoad);
}

Value mlir::gemma::tileBf16Panel(KernelBuilder &k, Value weight, ValueRange lead, Value row0,
                                 int64_t rows) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t in = cast<MemRefType>(weight.getType()).getShape().back();
  auto i32x8 = VectorType::get({kGroupRows}, b.getI32Type());
  auto line = VectorType::get({2 * kPairsPerLoad}, b.getBF16Type());
  Value tiles = b.create<memref::AllocOp>(
      loc, MemRefType::get({rows / kGroupRows, in / 2, kGroupRows}, b.getI32Type()));
  k.loop(k.index(0), k.index(rows / kGroupRows), 1, [&](Value g) {
    Value first = b.create<arith::AddIOp>(loc, row0, times(k, g, kGroupRows));
    k.loop(k.index(0), k.index(in), 2 * kPairsPerLoad, [&](Value col) {
      SmallVector<Value> rowWords;
      for (int64_t r = 0; r < kGroupRows; ++r) {
        SmallVector<Value> at(lead.begin(), lead.end());
        at.append({plus(k, first, r), col});
        rowWords.push_back(b.create<vector::BitCastOp>(
            loc, i32x8, b.create<vector::LoadOp>(loc, line, weight, at)));
      }
      Value pair0 = b.create<arith::DivUIOp>(loc, col, k.index(2));
      SmallVector<Value> vectors = transpose8x8(b, loc, rowWords);
      for (int64_t p = 0; p < kPairsPerLoad; ++p)
        b.create<vector::StoreOp>(loc, vectors[p], tiles,
                                  ValueRange{g, plus(k, pair0, p), k.index(0)});
    });
  });
  return tiles;
}

void mlir::gemma::emitBf16TileDot(KernelBuilder &k, const DotBlock &blk, Value x, Value tiles,
                                  Value group, const OperandRows &rows) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  assert(blk.rows == kBf16TileRows && blk.depth % (2 * kPairsPerStep) == 0);
  int64_t vectors = blk.rows / kGroupRows, tokens = blk.tokens;
  auto i32x8 = VectorType::get({kGroupRows}, b.getI32Type());
  auto f32x8 = VectorType::get({kGroupRows}, b.getF32Type());
  Value sixteen = intSplat(b, loc, i32x8, 16),
        highHalf = intSplat(b, loc, i32x8, static_cast<int32_t>(0xffff0000u));
  // Accumulator (t * vectors + v) * halves + h: token t, rows 8v..8v + 7
  // of the block, the pairs' even (h = 0) or odd inputs. Small blocks (the
  // tokens left after the full blocks) keep the halves apart: the FMA's
  // latency needs about 8 independent chains to keep both ports busy.
  int64_t chains = tokens * vectors, halves = 2 * chains <= kMaxChains ? 2 : 1;
  SmallVector<Value> init(chains * halves, k.constant(0.0, kGroupRows));
  SmallVector<Value> acc = k.loop(
      k.index(0), k.index(blk.depth / 2), kPairsPerStep, init,
      [&](Value pair0, ValueRange args) -> SmallVector<Value> {
        SmallVector<Value> next(args.begin(), args.end());
        for (int64_t p = 0; p < kPairsPerStep; ++p) {
          Value pair = plus(k, pair0, p), col = times(k, pair, 2);
          SmallVector<Value> lines;
          for (int64_t v = 0; v < vectors; ++v)
            lines.push_back(b.create<vector::LoadOp>(
                loc, i32x8, tiles, ValueRange{plus(k, group, v), pair, k.index(0)}));
          // The even input of the pair, then the odd one: each widened
          // vector serves every token before the next is made.
          for (int64_t half = 0; half < 2; ++half) {
            SmallVector<Value> w;
            for (Value l : lines)
              w.push_back(b.create<vector::BitCastOp>(
                  loc, f32x8,
                  half == 0 ? b.create<arith::ShLIOp>(loc, l, sixteen).getResult()
                            : b.create<arith::AndIOp>(loc, l, highHalf).getResult()));
            for (int64_t t = 0; t < tokens; ++t) {
              Value xt = k.splat(k.load(x, indicesWith(rows.x(t), plus(k, col, half)), 1),
                                 kGroupRows);
              for (int64_t v = 0; v < vectors; ++v) {
                Value &a = next[(t * vectors + v) * halves + (halves == 2 ? half : 0)];
                a = k.fma(w[v], xt, a);
              }
            }
          }
        }
        return next;
      });
  if (halves == 2) {
    SmallVector<Value> joined;
    for (int64_t c = 0; c < chains; ++c)
      joined.push_back(k.add(acc[2 * c], acc[2 * c + 1]));
    acc = joined;
  }
  finishRowLaneBlock(k, blk, acc);
}

void mlir::gemma::forEachTileBlock(KernelBuilder &k, const RowPanel &panel,
                                   const std::function<void(Value group, Value row0)> &body) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  k.loop(k.index(0), k.index(panel.blocks * panel.rowsPerBlock), kBf16TileRows, [&](Value offset) {
    body(b.create<arith::DivUIOp>(loc, offset, k.index(kGroupRows)),
         b.create<arith::AddIOp>(loc, panel.row0, offset));
  });
}
