//===- ByteDot.h - sums of byte products in groups of 4 ---------*- C++ -*-===//
//
// The integer steps shared by the int8-activation kernels (QuantizedDot.cpp
// for row-major weights, TiledQuantizedDot.cpp for tiled ones): i32 lanes
// that each sum 4 products of an unsigned and a signed byte, by vpdpbusd
// (AVX-512 VNNI), vpmaddubsw + vpmaddwd (AVX2) or widening multiplies. All
// routes give the same integers, so results do not depend on the CPU.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_BYTEDOT_H
#define GEMMA_PASSES_BYTEDOT_H

#include "passes/KernelBuilder.h"

namespace mlir::gemma {

VectorType vecOf(OpBuilder &b, int64_t n, Type elem);
/// A vector constant of `type` (integer elements) with every lane `value`.
Value intSplat(OpBuilder &b, Location loc, VectorType type, int64_t value);
/// A call of the LLVM intrinsic `name`.
Value intrinsic(KernelBuilder &k, StringRef name, Type result, ValueRange args);

/// acc + the sums of groups of 4 of zext(u) * sext(s): `u`, `s` are
/// vector<bytes x i8>, acc vector<bytes/4 x i32>. `vnni`: vpdpbusd.
Value dotBytes(KernelBuilder &k, Value acc, Value u, Value s, bool vnni);

/// AVX2, one 32-byte vector: the sums of groups of 4 of u * s (u unsigned, s
/// signed bytes) by vpmaddubsw, then vpmaddwd by ones. Exact while no i16
/// pair sum saturates: |u * s| <= 127 * 127 or 15 * 127 below.
Value maddubsQuads(KernelBuilder &k, Value u, Value s);
/// Its two halves: vpmaddubsw (vector<16 x i16>, sums of pairs) and
/// vpmaddwd by ones (vector<8 x i32>, sums of adjacent i16 lanes).
Value maddubsPairs(KernelBuilder &k, Value u, Value s);
Value sumAdjacentPairs(KernelBuilder &k, Value pairs);

/// AVX2 without VNNI, one 32-byte vector (llama.cpp's mul_sum_i8_pairs):
/// |q_x| * sign(q_x) q_w (|q| <= 127): the same sums of 4 as dotBytes.
Value signedDotBlock(KernelBuilder &k, Value absX, Value signedX, Value w);

/// acc + the sums of groups of 4 of u * s for unsigned bytes u <= 15 (int4
/// nibbles, the constant 8) and signed s: vpdpbusd with VNNI, vpmaddubsw on
/// a 32-byte vector without it, otherwise dotBytes' widening multiplies.
Value unsignedDot(KernelBuilder &k, Value acc, Value u, Value s, bool vnni);

} // namespace mlir::gemma

#endif
