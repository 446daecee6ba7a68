//===- WeightTiles.h - quantised weights stored in tiles of 16 rows -*- C++ -*-===//
//
// docs/weights.md: a quantised matrix with a multiple of 16 rows
// (weightTiled) is stored as 64-byte vectors of 16 rows x 4 (int8) or 8
// (int4) consecutive inputs, so that in a dot-product kernel the lanes of a
// vector are output rows: x's 4 bytes are broadcast, one vpdpbusd updates 16
// rows, and each block's 16 scales are one load. The memref types stay the
// logical ones; these helpers give the views the kernels index.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_WEIGHTTILES_H
#define GEMMA_PASSES_WEIGHTTILES_H

#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"

namespace mlir::gemma {

/// Bytes per vector of a tile: 16 rows x 4 bytes.
constexpr int64_t kTileVectorBytes = 4 * kQuantTileRows;

struct TiledWeight {
  /// [lead..., rows / 16, 16 * row bytes] i8: tile t's vector v (16 rows x
  /// 4 inputs for int8, 16 rows x 8 inputs for int4) at [..., t, 64 v].
  Value values;
  /// [lead..., rows / 16, 16 * in / 32]: block b's 16 scales at [..., t, 16 b].
  Value scales;
  WeightFormat format;
  int64_t in;
};

/// The views of (weight, scales), for which weightTiled holds.
TiledWeight tiledView(KernelBuilder &k, Value weight, Value scales);

/// `width` consecutive weights of one row from column `col`, as f32:
/// `at` indexes the logical weight ([lead..., row, col]). width is 1 or a
/// multiple of 4 with col a multiple of 4 (what KernelBuilder's sweeps give).
Value loadTiledWeight(KernelBuilder &k, const TiledWeight &t, ValueRange at, int64_t width);

} // namespace mlir::gemma

#endif
