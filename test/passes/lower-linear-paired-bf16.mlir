// gemma-lower-linear, bf16 weights with f32 activations: x is split once per
// op into even and odd columns (per chunk of 2 x lanes columns); the kernel
// loads 64 bytes of a weight row as i32 lanes, each holding two bf16, and
// widens them exactly by a shift (even columns) and a mask (odd columns).
// Token blocks (prefill; 2 tokens on AVX2, 4 on AVX-512) use each widened
// line for every token of the block; a single token (the decode GEMV)
// prefetches once per row and step along the row slot's stream. See
// passes/PairedBf16Dot.cpp.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8}))' | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16}))' | FileCheck %s --check-prefixes=CHECK,AVX512

// CHECK-LABEL: func.func @linear_bf16(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x64xf32>, %[[W:[a-z0-9]+]]: memref<8x64xbf16>
// CHECK:         %[[S:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x64xf32>
// CHECK:         scf.parallel
// AVX2:            vector.shuffle %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14] : vector<16xf32>, vector<16xf32>
// AVX2:            vector.shuffle %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15] : vector<16xf32>, vector<16xf32>
// AVX512:          vector.shuffle %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// AVX512:          vector.shuffle %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31] : vector<32xf32>, vector<32xf32>
// Token blocks: per 2 x lanes columns, x's even and odd halves for each
// token, then per row one line, a shift, a mask and two FMAs per token; no
// prefetch, no widening of x itself.
// CHECK:         scf.parallel
// CHECK:           scf.for %{{.*}} step %c32 iter_args
// CHECK-NOT:         memref.prefetch
// CHECK:             vector.load %[[S]]
// AVX2-COUNT-3:      vector.load %[[S]]
// AVX512-COUNT-7:    vector.load %[[S]]
// CHECK-NEXT:        vector.load %[[W]]
// CHECK-NEXT:        vector.bitcast
// CHECK-NEXT:        arith.shli
// CHECK-NEXT:        vector.bitcast
// CHECK-NEXT:        arith.andi
// CHECK-NEXT:        vector.bitcast
// AVX2-COUNT-4:      math.fma
// AVX512-COUNT-8:    math.fma
// CHECK-NOT:         arith.extf
// CHECK:           vector.reduction <add>
// Single tokens: 32 columns per step; the prefetch wraps to the next block's
// rows (row + 4 * ((col + 1024) / 64), column (col + 1024) % 64).
// CHECK:           %[[SIXTEEN:.*]] = arith.constant dense<16> : vector<[[VL:8|16]]xi32>
// CHECK:           %[[HIGH:.*]] = arith.constant dense<-65536> : vector<[[VL]]xi32>
// CHECK:           scf.for %[[COL:.*]] = %{{.*}} to %{{.*}} step %c32
// CHECK:             %[[AHEAD:.*]] = arith.addi %[[COL]], %c1024
// CHECK:             %[[WRAPS:.*]] = arith.divui %[[AHEAD]], %c64
// CHECK:             arith.muli %[[WRAPS]], %c4
// CHECK:             %[[AT:.*]] = arith.remui %[[AHEAD]], %c64
// CHECK-COUNT-4:     memref.prefetch %[[W]][%{{.*}}, %[[AT]]], read, locality<3>, data
// CHECK:             %[[EVEN:.*]] = vector.load %[[S]][%{{.*}}, %[[COL]]] : memref<?x64xf32>, vector<[[VL]]xf32>
// CHECK:             %[[ODD:.*]] = vector.load %[[S]]
// CHECK:             %[[LINE:.*]] = vector.load %[[W]]{{.*}} : memref<8x64xbf16>, vector<{{16|32}}xbf16>
// CHECK:             %[[LANES:.*]] = vector.bitcast %[[LINE]] : vector<{{16|32}}xbf16> to vector<[[VL]]xi32>
// CHECK:             %[[LO:.*]] = arith.shli %[[LANES]], %[[SIXTEEN]]
// CHECK:             %[[WE:.*]] = vector.bitcast %[[LO]] : vector<[[VL]]xi32> to vector<[[VL]]xf32>
// CHECK:             %[[HI:.*]] = arith.andi %[[LANES]], %[[HIGH]]
// CHECK:             %[[WO:.*]] = vector.bitcast %[[HI]] : vector<[[VL]]xi32> to vector<[[VL]]xf32>
// CHECK:             %[[ACC:.*]] = math.fma %[[EVEN]], %[[WE]], %{{.*}}
// CHECK:             math.fma %[[ODD]], %[[WO]], %[[ACC]]
// CHECK-NOT:         arith.extf
// CHECK:           vector.reduction <add>
// CHECK:         memref.dealloc %[[S]]
// CHECK:         return
func.func @linear_bf16(%x: memref<?x64xf32>, %w: memref<8x64xbf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y : memref<?x64xf32>, memref<8x64xbf16> -> memref<?x8xf32>
  return
}

// Experts: the routed rows of a 3-D x are split too; the prefetch wraps
// within the expert's matrix.
// CHECK-LABEL: func.func @experts_bf16(
// CHECK:         %[[ES:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x2x64xf32>
// CHECK:         vector.shuffle
// CHECK:         memref.prefetch %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}]{{.*}} : memref<4x8x64xbf16>
// CHECK:         arith.andi
// CHECK:         memref.dealloc %[[ES]]
func.func @experts_bf16(%x: memref<?x2x64xf32>, %w: memref<4x8x64xbf16>, %ids: memref<?x2xi32>, %y: memref<?x2x8xf32>) {
  gemma.expert_linear %x, %w, %ids -> %y : memref<?x2x64xf32>, memref<4x8x64xbf16>, memref<?x2xi32> -> memref<?x2x8xf32>
  return
}

// Not applied: f32 weights, and an input dimension of 48 (not whole 32-column
// steps): no split x, single tokens widen per vector.
// CHECK-LABEL: func.func @linear_f32(
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     arith.andi
// CHECK:         return
func.func @linear_f32(%x: memref<?x64xf32>, %w: memref<8x64xf32>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y : memref<?x64xf32>, memref<8x64xf32> -> memref<?x8xf32>
  return
}
// CHECK-LABEL: func.func @linear_depth48(
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     arith.andi
// CHECK:         arith.extf
// CHECK:         return
func.func @linear_depth48(%x: memref<?x48xf32>, %w: memref<8x48xbf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y : memref<?x48xf32>, memref<8x48xbf16> -> memref<?x8xf32>
  return
}
