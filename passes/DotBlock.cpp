//===- DotBlock.cpp -------------------------------------------------------===//
#include "passes/DotBlock.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::gemma;

namespace mlir::gemma {

void emitDotBlock(KernelBuilder &k, const DotBlock &blk) {
  int64_t vl = k.lanes(), n = blk.tokens * blk.rows;
  int64_t vecEnd = blk.depth - blk.depth % vl;
  SmallVector<Value> sums(n, k.f32(0.0));
  if (vecEnd > 0) {
    SmallVector<Value> init(n, k.constant(0.0, vl));
    SmallVector<Value> acc = k.loop(
        k.index(0), k.index(vecEnd), vl, init, [&](Value col, ValueRange args) {
          SmallVector<Value> xs, ws, next;
          for (int64_t i = 0; i < blk.tokens; ++i)
            xs.push_back(blk.loadX(i, col, vl));
          for (int64_t j = 0; j < blk.rows; ++j)
            ws.push_back(blk.loadW(j, col, vl));
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
                        next.push_back(k.fma(blk.loadX(i, col, 1), blk.loadW(j, col, 1),
                                             args[i * blk.rows + j]));
                    return next;
                  });
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

/// Splits `outRows` into blocks of kRowsPerBlock (one parallel loop) and a
/// remainder of single rows (a second one); calls body(firstRow, rows, ivs).
void forRowBlocks(KernelBuilder &k, int64_t outRows, SmallVector<Value> outerUbs,
                  const std::function<void(Value row0, int64_t rows, ValueRange outer)> &body) {
  int64_t blocks = outRows / kRowsPerBlock, rest = outRows % kRowsPerBlock;
  if (blocks > 0) {
    SmallVector<Value> ubs = outerUbs;
    ubs.push_back(k.index(blocks));
    k.parallel(ubs, [&](ValueRange ivs) {
      body(times(k, ivs.back(), kRowsPerBlock), kRowsPerBlock, ivs.drop_back());
    });
  }
  if (rest > 0) {
    SmallVector<Value> ubs = outerUbs;
    ubs.push_back(k.index(rest));
    k.parallel(ubs, [&](ValueRange ivs) {
      body(plus(k, ivs.back(), blocks * kRowsPerBlock), 1, ivs.drop_back());
    });
  }
}


} // namespace mlir::gemma
