//===- DotBlock.h - the register-blocked dot-product kernel -----*- C++ -*-===//
//
// Shared by gemma.linear and gemma.expert_linear: a block of `tokens x rows`
// vector accumulators, each weight vector loaded once per token block and
// each x vector once per row block, horizontal sums once at the end.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_DOTBLOCK_H
#define GEMMA_PASSES_DOTBLOCK_H

#include "passes/KernelBuilder.h"

#include <functional>

namespace mlir::gemma {

/// Output rows per register block.
constexpr int64_t kRowsPerBlock = 4;

/// Tokens sharing one weight load: AVX2 has 16 vector registers, AVX-512 32.
inline int64_t tokensPerWeightLoad(KernelBuilder &k) { return k.lanes() >= 16 ? 4 : 2; }

/// Where a block's operands live: the indices before the column of token
/// i's row of x (or of the converted x: int8, bf16) and of weight row j.
struct OperandRows {
  std::function<SmallVector<Value>(int64_t i)> x;
  std::function<SmallVector<Value>(int64_t j)> w;
};

/// A `tokens x rows` block of dot products of length `depth`, and where
/// result (i, j) goes.
struct DotBlock {
  int64_t tokens, rows, depth;
  std::function<void(int64_t i, int64_t j, Value sum)> storeOut;
  /// Optional: maps all tokens*rows sums at once before they are stored.
  std::function<SmallVector<Value>(ArrayRef<Value> sums)> epilogue;
};

/// Whether `weight` holds plain bf16 (not block-quantised) whose input
/// dimension is a whole number of `step` columns: what the bf16 kernels
/// (vdpbf16ps, paired widening, AMX tiles) need, each with its own step.
bool bf16WeightInSteps(Value weight, Value scales, int64_t step);

/// The f32 kernel: x (f32/bf16/f16, widened) against the weights w (float,
/// or int8/int4 with `scales`, dequantised by KernelBuilder::loadWeight).
void emitDotBlock(KernelBuilder &k, const DotBlock &blk, Value x, Value w, Value scales,
                  const OperandRows &rows);

/// How far ahead of its loads a decode GEMV (one token) prefetches its
/// weights: the hardware prefetchers alone fall behind a stream that is
/// consumed this fast. Measured (tg, 26B-A4B 6 layers, 2 threads): bf16 7.8
/// -> 9.2 t/s, int8 17.8 -> 18.8, int4 25.9 -> 33.7 (docs/benchmarks.md);
/// 4 KB was no better.
constexpr int64_t kDecodePrefetchBytes = 2048;
/// kDecodePrefetchBytes in elements of the weight memref `w`.
int64_t prefetchDistance(Value w);
/// Prefetches w[row..., col + elements] (a hint: past the end is harmless).
void prefetchAhead(KernelBuilder &k, Value w, SmallVector<Value> row, Value col,
                   int64_t elements);
/// The decode prefetch of a one-token block of `blockRows` rows of the
/// row-major weight `w` at memref column `col`: prefetchDistance(w) ahead
/// along each row slot's stream. Slot j reads row j of this block, then row
/// j of the next block of the panel (forEachRowBlock, same thread), so the
/// line ahead lies in row j + q * blockRows once it passes the row's end.
/// Prefetching straight along the row instead fetches the next rows, which
/// the block's other slots are reading anyway, and never the next block's
/// first lines: measured LM head (bf16, 5.6 KB rows) 58.2 -> 51.9 ms per
/// token.
void prefetchRowStreams(KernelBuilder &k, Value w, const OperandRows &rows, int64_t blockRows,
                        Value col);

/// Applies the epilogue to the block's tokens*rows sums and stores them.
void finishDotBlock(const DotBlock &blk, SmallVector<Value> sums);
/// finishDotBlock for accumulators whose lanes are output rows (tiles), in
/// (token, row vector) order: no horizontal sums, each lane is a result.
void finishRowLaneBlock(KernelBuilder &k, const DotBlock &blk, ArrayRef<Value> acc);

/// a + c, a * c and a rounded down to a multiple of c on index values.
Value plus(KernelBuilder &k, Value a, int64_t c);
Value times(KernelBuilder &k, Value a, int64_t c);
Value roundDown(KernelBuilder &k, Value a, int64_t c);

/// Rows per parallel iteration (forRowBlocks): 64 rows of a linear (2816
/// bf16 columns: 360 KB, an L2's worth) and 32 of an expert (whose few
/// tokens' x is smaller). Measured on the 26B-A4B geometry, bf16 weights,
/// f32 activations: pp512 94.6 -> 124.6 t/s (docs/benchmarks.md).
constexpr int64_t kLinearPanelRows = 64, kExpertPanelRows = 32;
/// Blocks of `rowsPerBlock` per panel of `panelRows`, or 1 where that would
/// leave fewer than 16 panels to share among the threads.
inline int64_t panelBlocksFor(int64_t outRows, int64_t panelRows, int64_t rowsPerBlock) {
  return outRows / panelRows >= 16 ? std::max<int64_t>(1, panelRows / rowsPerBlock) : 1;
}

/// Rows [row0, row0 + blocks * rowsPerBlock) of a weight matrix: one
/// parallel iteration of forRowBlocks.
struct RowPanel {
  Value row0;
  int64_t blocks, rowsPerBlock;
};

/// Splits `outRows` into panels of `panelBlocks` blocks of `rowsPerBlock`
/// rows (one parallel loop over outerUbs x panels), then blocks of
/// rowsPerBlock and single rows for the remainder (one parallel loop each);
/// calls body(panel, outer ivs). A caller that loops over token blocks
/// inside the body and over the panel's row blocks (forEachRowBlock) inside
/// that keeps a token block's x in L1 while the panel's weights are reused
/// from L2, instead of streaming all of x once per row block.
void forRowBlocks(KernelBuilder &k, int64_t outRows, SmallVector<Value> outerUbs,
                  int64_t panelBlocks, int64_t rowsPerBlock,
                  const std::function<void(const RowPanel &panel, ValueRange outer)> &body);
/// emit(first, n) over [begin, end): blocks of sizes[0] tokens while they
/// fit, then of sizes[1], ... (the last size should be 1).
void forTokenBlocks(KernelBuilder &k, Value begin, Value end, ArrayRef<int64_t> sizes,
                    const std::function<void(Value first, int64_t n)> &emit);
/// Sizes for forTokenBlocks with register blocks of `block` tokens: the
/// rest in pairs (one weight load for 2 tokens) where block > 2, then single.
SmallVector<int64_t> tokenBlockSizes(int64_t block);

/// body(first row of the block) for each row block of `panel`.
void forEachRowBlock(KernelBuilder &k, const RowPanel &panel,
                     const std::function<void(Value row0)> &body);

} // namespace mlir::gemma

#endif
