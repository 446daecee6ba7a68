//===- PairedBf16Dot.cpp - dot blocks of bf16 weights, f32 x -------------===//
//
// A decode GEMV reads every weight once, so its cost per weight byte decides
// how close it comes to the memory bandwidth. The generic kernel
// (DotBlock.cpp) widens bf16 with a zero-extending load and a shift per
// half vector and prefetches per half vector: per 64-byte line of a row
// that is 2 shuffle-port loads, 2 shifts, 2 prefetches and 2 FMAs, and the
// LM head streamed at 25 GB/s where bf16 activations (Bf16Dot.cpp: one load
// and one vdpbf16ps per line) reached 27.
//
// Here a line is one load of 32-bit lanes, each holding columns 2l (low
// half) and 2l+1 (high half). A bf16 is the top half of the f32 with the
// same value, so `lane << 16` is column 2l and `lane & 0xffff0000` column
// 2l+1, exactly; they multiply the even and odd columns of x, which
// splitEvenOddColumns lays out once per op. The products are the generic
// kernel's; only the order of the f32 sums differs. Token blocks (prefill
// where AMX does not take it) use each widened line for all their tokens:
// the shift and mask cost less than a zero-extend and a shift per vector on
// the FMA ports, AVX2 prefill of the 26B-A4B geometry 90 -> 102 t/s.
//
//===----------------------------------------------------------------------===//
#include "passes/PairedBf16Dot.h"
#include "dialects/GemmaOps.h"
#include "passes/ByteDot.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

bool mlir::gemma::pairedBf16DotApplies(Value weight, Value scales) {
  return bf16WeightInSteps(weight, scales, kPairedStepColumns);
}

Value mlir::gemma::splitEvenOddColumns(KernelBuilder &k, Value x) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t chunk = 2 * k.lanes(), depth = cast<MemRefType>(x.getType()).getShape().back();
  assert(depth % chunk == 0 && "split rows are whole chunks");
  SmallVector<int64_t> even, odd;
  for (int64_t l = 0; l < k.lanes(); ++l) {
    even.push_back(2 * l);
    odd.push_back(2 * l + 1);
  }
  Value split = k.allocLike(x, b.getF32Type());
  k.forEachRow(x, [&](ValueRange outer) {
    k.loop(k.index(0), k.index(depth), chunk, [&](Value col) {
      Value v = k.load(x, indicesWith(outer, col), chunk);
      b.create<vector::StoreOp>(loc, b.create<vector::ShuffleOp>(loc, v, v, even), split,
                                indicesWith(outer, col));
      b.create<vector::StoreOp>(loc, b.create<vector::ShuffleOp>(loc, v, v, odd), split,
                                indicesWith(outer, plus(k, col, k.lanes())));
    });
  });
  return split;
}

void mlir::gemma::emitPairedBf16DotBlock(KernelBuilder &k, const DotBlock &blk, Value splitX,
                                         Value weight, const OperandRows &rows) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  assert(blk.depth % kPairedStepColumns == 0 && "whole steps");
  int64_t vl = k.lanes(), chunk = 2 * vl;
  auto pairs = VectorType::get({chunk}, b.getBF16Type());
  auto lanesI32 = VectorType::get({vl}, b.getI32Type());
  auto lanesF32 = VectorType::get({vl}, b.getF32Type());
  Value sixteen = intSplat(b, loc, lanesI32, 16),
        highHalf = intSplat(b, loc, lanesI32, static_cast<int32_t>(0xffff0000u));
  // Accumulator (i, j): token i, row j. Each widened line serves every
  // token of the block (prefill on CPUs without AMX: a shift and a mask per
  // 2 x tokens FMAs, where the generic kernel pays a zero-extend and a
  // shift per tokens FMAs).
  SmallVector<Value> init(blk.tokens * blk.rows, k.constant(0.0, vl));
  SmallVector<Value> acc = k.loop(
      k.index(0), k.index(blk.depth), kPairedStepColumns, init, [&](Value step, ValueRange args) {
        SmallVector<Value> next(args.begin(), args.end());
        if (blk.tokens == 1)
          prefetchRowStreams(k, weight, rows, blk.rows, step);
        for (int64_t c = 0; c < kPairedStepColumns; c += chunk) {
          Value col = plus(k, step, c);
          SmallVector<Value> xEven, xOdd;
          for (int64_t i = 0; i < blk.tokens; ++i) {
            xEven.push_back(k.load(splitX, indicesWith(rows.x(i), col), vl));
            xOdd.push_back(k.load(splitX, indicesWith(rows.x(i), plus(k, col, vl)), vl));
          }
          for (int64_t j = 0; j < blk.rows; ++j) {
            Value line = b.create<vector::BitCastOp>(
                loc, lanesI32,
                b.create<vector::LoadOp>(loc, pairs, weight, indicesWith(rows.w(j), col)));
            Value wEven = b.create<vector::BitCastOp>(
                loc, lanesF32, b.create<arith::ShLIOp>(loc, line, sixteen));
            Value wOdd = b.create<vector::BitCastOp>(
                loc, lanesF32, b.create<arith::AndIOp>(loc, line, highHalf));
            for (int64_t i = 0; i < blk.tokens; ++i) {
              Value &a = next[i * blk.rows + j];
              a = k.fma(xOdd[i], wOdd, k.fma(xEven[i], wEven, a));
            }
          }
        }
        return next;
      });
  SmallVector<Value> sums;
  for (Value a : acc)
    sums.push_back(k.sum(a));
  finishDotBlock(blk, sums);
}
