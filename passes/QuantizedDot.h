//===- QuantizedDot.h - int8 activations x int8/int4 weights ----*- C++ -*-===//
//
// The integer path of gemma-lower-linear (option int8-activations, gemmac
// --activations int8): the x rows of a linear whose weights are block-
// quantised are quantised once per op, Q8_0-style, and the dot kernel
// multiplies bytes (VNNI vpdpbusd where the target has AVX-512 VNNI).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_QUANTIZEDDOT_H
#define GEMMA_PASSES_QUANTIZEDDOT_H

#include "passes/DotBlock.h"

namespace mlir::gemma {

/// x quantised per block of 32 along its last dim: scale = max|x| / 127,
/// q = round(x / scale) in -127..127.
struct QuantizedActivations {
  Value values;      // x's shape, i8 holding q
  Value scales;      // x's shape with the last dim / 32, f32
  Value corrections; // optional, like scales, i32: -factor * sum(q) per block
  Value magnitudes;  // optional, like values: |q| (AVX2's signed byte route)
};

/// Allocates the buffers (heap) and emits the quantising loop, one parallel
/// iteration per row of x. x's last dim must be a multiple of 32. With a
/// `correctionFactor` c, also -c * sum(q) per block: what a dot with the
/// weights biased by c (unsigned bytes q_w + c) must subtract. With
/// `magnitudes`, also |q| (so a kernel broadcasts it instead of taking the
/// absolute value per token and step).
QuantizedActivations quantizeActivations(KernelBuilder &k, Value x,
                                         int64_t correctionFactor = 0,
                                         bool magnitudes = false);
void freeQuantizedActivations(KernelBuilder &k, const QuantizedActivations &q);

/// The register-blocked dot of DotBlock on quantised operands: per block
/// of 32, y += (s_x * s_w) * sum(q_x * q_w) with the byte sum exact in i32.
/// `vnni`: vpdpbusd (AVX-512 VNNI); otherwise widening multiplies give the
/// same integers.
void emitQuantizedDotBlock(KernelBuilder &k, const DotBlock &blk, const QuantizedActivations &x,
                           Value weight, Value weightScales, const OperandRows &rows,
                           bool vnni);

} // namespace mlir::gemma

#endif
