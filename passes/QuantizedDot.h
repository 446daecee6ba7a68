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
  Value values; // x's shape, i8 holding q + 128 (the unsigned byte VNNI reads)
  Value scales; // x's shape with the last dim / 32, f32
};

/// Allocates the buffers (heap) and emits the quantising loop, one parallel
/// iteration per row of x. x's last dim must be a multiple of 32.
QuantizedActivations quantizeActivations(KernelBuilder &k, Value x);
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
