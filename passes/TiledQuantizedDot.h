//===- TiledQuantizedDot.h - int8 x with weights in tiles -------*- C++ -*-===//
//
// The int8-activation kernel for tiled weights (WeightTiles.h): the lanes of
// a vector are 16 output rows, so x needs no horizontal sums and each block
// of 32 inputs costs, per token and tile, 8 byte-dot instructions (int8; 4
// loads + 8 for int4) and one scale step, where the row-major kernel
// (QuantizedDot.h) converts and scales every vector.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_TILEDQUANTIZEDDOT_H
#define GEMMA_PASSES_TILEDQUANTIZEDDOT_H

#include "passes/QuantizedDot.h"
#include "passes/WeightTiles.h"

namespace mlir::gemma {

/// Tokens per register block: 8 with 32 vector registers (AVX-512: 8 f32
/// and 8 i32 accumulators); with 16 (AVX2: two vectors per tile) 2 for
/// int8, 4 for int4 (whose i16 pair sums take fewer registers).
int64_t tiledTokensPerBlock(KernelBuilder &k, WeightFormat format);

/// The correctionFactor quantizeActivations needs for tiled weights of
/// `format`: the bias of the unsigned operand (int8 bytes q + 128 on the
/// vpdpbusd/widening routes, int4 nibbles q + 8), 0 on AVX2's signed route.
int64_t tiledCorrectionFactor(KernelBuilder &k, WeightFormat format, bool vnni);

/// Whether int8 tiles take AVX2's signed byte route (no VNNI, 8 lanes):
/// |q_x| * sign(q_x) q_w, no bias; x's magnitudes are then stored once per op.
bool tiledSignedRoute(KernelBuilder &k, WeightFormat format, bool vnni);

/// `blk.tokens` tokens against one tile (blk.rows == 16; rows.w(0) is the
/// tile's first row) over blk.depth inputs.
void emitTiledQuantizedDot(KernelBuilder &k, const DotBlock &blk, const QuantizedActivations &x,
                           const TiledWeight &w, const OperandRows &rows, bool vnni);

} // namespace mlir::gemma

#endif
