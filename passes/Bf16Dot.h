//===- Bf16Dot.h - bf16 activations x bf16 weights (vdpbf16ps) --*- C++ -*-===//
//
// The AVX512_BF16 path of gemma-lower-linear (option bf16-activations,
// gemmac --activations bf16): x is rounded to bf16 once per op; a single
// token's dot multiplies bf16 pairs with vdpbf16ps, so its bf16 weights are
// never widened in registers (token blocks keep the FMA kernel).
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

/// x rounded to bf16 (round to nearest even), twice: as bf16 and as the same
/// values in f32. Heap buffers of x's shape.
struct RoundedActivations {
  Value bf16, asF32;
};

/// Allocates and fills (one parallel iteration per row) the buffers.
RoundedActivations roundActivationsToBf16(KernelBuilder &k, Value x);
void freeRoundedActivations(KernelBuilder &k, const RoundedActivations &r);

/// The register-blocked dot of DotBlock on x rounded to bf16 (`xBf16`)
/// and bf16 weights: vdpbf16ps adds the products of each pair of columns
/// into one f32 lane.
void emitBf16DotBlock(KernelBuilder &k, const DotBlock &blk, Value xBf16, Value weight,
                      const OperandRows &rows);

} // namespace mlir::gemma

#endif
