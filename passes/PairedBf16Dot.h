//===- PairedBf16Dot.h - dot blocks of bf16 weights, f32 x ------*- C++ -*-===//
//
// The dot-block kernel for bf16 weights with f32 activations (the default;
// decode, and prefill where AMX tiles do not take it): each 64-byte run of
// a weight row is loaded once as 32-bit lanes holding a pair of bf16, and
// split into f32 by a shift (even columns) and a mask (odd columns) instead
// of a zero-extend per half. x is laid out to
// match once per op: in every chunk of 2 * lanes columns, the even columns
// first, then the odd ones.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_PAIREDBF16DOT_H
#define GEMMA_PASSES_PAIREDBF16DOT_H

#include "passes/DotBlock.h"

namespace mlir::gemma {

/// Columns per step: 64 bytes of bf16 (one cache line of a row), prefetched
/// once per step.
constexpr int64_t kPairedStepColumns = 32;

/// Whether the kernel applies: bf16 weights (not quantised) whose input
/// dimension is a whole number of steps.
bool pairedBf16DotApplies(Value weight, Value scales);

/// x (f32) with each chunk of 2 * lanes columns split into its even and odd
/// columns: a heap buffer of x's shape, filled one parallel iteration per
/// row.
Value splitEvenOddColumns(KernelBuilder &k, Value x);

/// A DotBlock over bf16 weights and the split x (single tokens prefetch
/// along the row slots' streams).
void emitPairedBf16DotBlock(KernelBuilder &k, const DotBlock &blk, Value splitX, Value weight,
                            const OperandRows &rows);

} // namespace mlir::gemma

#endif
