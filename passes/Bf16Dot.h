//===- Bf16Dot.h - bf16 activations x bf16 weights (vdpbf16ps) --*- C++ -*-===//
//
// The AVX512_BF16 path of gemma-lower-linear (option bf16-activations,
// gemmac --activations bf16): x is rounded to bf16 once per op and the dot
// kernel multiplies bf16 pairs with vdpbf16ps, so bf16 weights are never
// widened in registers.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_BF16DOT_H
#define GEMMA_PASSES_BF16DOT_H

#include "passes/DotBlock.h"

namespace mlir::gemma {

/// Columns per vdpbf16ps step: two bf16 per f32 lane.
inline int64_t bf16DotStep(KernelBuilder &k) { return 2 * k.lanes(); }

/// Whether the bf16 kernel applies: bf16 weights (not quantised) whose
/// input dimension is a whole number of steps.
bool bf16DotApplies(KernelBuilder &k, Value weight, Value scales);

/// A heap buffer of x's shape holding x rounded to bf16 (round to nearest
/// even), filled by one parallel iteration per row.
Value roundActivationsToBf16(KernelBuilder &k, Value x);

/// The register-blocked dot of DotBlock (its tokens, rows, depth, storeOut
/// and epilogue; loadX/loadW are not used) on bf16 x and bf16 weights:
/// vdpbf16ps adds the products of each pair of columns into one f32 lane.
void emitBf16DotBlock(KernelBuilder &k, const DotBlock &blk, Value xBf16, Value weight,
                      const OperandRows &rows);

} // namespace mlir::gemma

#endif
