//===- PackEncoding.h - tensor data as the pack stores it ----*- C++ -*-===//
//
// The bytes the weights.gpack writer (WeightsPack.cpp) emits for an entry:
// dtype conversions (bf16/f16/f32, round to nearest even) and the block
// quantisation of int8/int4 matrices in their row-major or tiled layout
// (docs/weights.md).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_PACKENCODING_H
#define GEMMA_FRONTEND_PACKENCODING_H

#include "frontend/WeightsPack.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace gemma {

/// Converts `n` elements from `src` (dtype `from`) into `dst` (dtype `to`).
void convert(DType from, DType to, const uint8_t *src, uint8_t *dst, size_t n);

/// Quantises the rows of `in` weights of entry `e`'s sources, in order, and
/// hands their packed values and f16 scales to `values` / `scales` in the
/// layout of docs/weights.md: row-major (int4: byte j of a block = weight j
/// low | weight j + 16 high, two's complement), or where the matrix has a
/// multiple of kQuantTileRows rows, in tiles of 16 rows: int8 as 64-byte
/// vectors of 16 rows x 4 columns (row r's 4 bytes at 4r), int4 as 64-byte
/// vectors of 16 rows x 8 columns (byte 4r + j: column j low | column j + 4
/// high, as q + 8), the scales as [in / 32][16].
void quantizeEntry(const PackEntry &e, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> values,
                   llvm::function_ref<void(llvm::ArrayRef<uint16_t>)> scales);

} // namespace gemma

#endif
