// gemma-lower-linear{int8-activations} on tiled weights (a multiple of 16
// rows, docs/weights.md; passes/TiledQuantizedDot.cpp): the lanes of an
// accumulator are 16 output rows of a tile, x's 4 bytes are broadcast, and
// each block of 32 inputs ends with one scale step per token and tile:
// acc_f += float(acc_i) * s_w[16 rows] * s_x. No horizontal sums.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 int8-activations=1 vnni=1}))' | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8 int8-activations=1}))' | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 int8-activations=1}))' | FileCheck %s --check-prefixes=CHECK,GENERIC

// int8: the unsigned operand is the weight byte ^ 0x80 (q_w + 128), so the
// block's i32 accumulator starts at x's correction -128 * sum(q_x); AVX2
// without VNNI multiplies signed bytes (vpsignb/vpmaddubsw) from 0 instead.
// CHECK-LABEL: func.func @linear_int8_tiled(
// CHECK-SAME:      %[[W:[a-z0-9]+]]: memref<32x64xi8>, %[[S:[a-z0-9]+]]: memref<32x2xf16>
// CHECK:         %[[TILES:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : memref<2x16x64xi8> into memref<2x1024xi8>
// CHECK:         %[[TS:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : memref<2x16x2xf16> into memref<2x32xf16>
// CHECK:         %[[XQ:.*]] = memref.alloc(%{{.*}}) : memref<?x64xi8>
// CHECK:         %[[XS:.*]] = memref.alloc(%{{.*}}) : memref<?x2xf32>
// VNNI:          %[[XC:.*]] = memref.alloc(%{{.*}}) : memref<?x2xi32>
// GENERIC:       %[[XC:.*]] = memref.alloc(%{{.*}}) : memref<?x2xi32>
// AVX2-NOT:      memref<?x2xi32>
// AVX2's signed route keeps |q_x| too, stored once by the quantising loop.
// AVX2:          %[[XM:.*]] = memref.alloc(%{{.*}}) : memref<?x64xi8>
// VNNI-NOT:      memref.alloc({{.*}}) : memref<?x64xi8>
// GENERIC-NOT:   memref.alloc({{.*}}) : memref<?x64xi8>
// The quantising loop also stores -128 * sum(q_x) per block.
// VNNI:            arith.muli %{{.*}}, %c-128_i32 : i32
// VNNI:            memref.store %{{.*}}, %[[XC]]
// AVX2:            %[[MAG:.*]] = math.absi %{{.*}} : vector<8xi8>
// AVX2:            vector.store %[[MAG]], %[[XM]]
// CHECK:         scf.parallel
// Token blocks of 8 (AVX-512, 8 f32 accumulators of 16 rows) or 2 (on
// AVX2, two ymm per tile: 4 accumulators).
// VNNI:            scf.for %{{.*}} step %c8
// VNNI:              scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// AVX2:              scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// VNNI:                memref.load %[[XC]]
// VNNI:                %[[WV:.*]] = vector.load %[[TILES]][%{{.*}}, %{{.*}}] : memref<2x1024xi8>, vector<64xi8>
// VNNI:                %[[U:.*]] = arith.xori %[[WV]], %{{.*}} : vector<64xi8>
// VNNI:                vector.load %[[XQ]][%{{.*}}, %{{.*}}] : memref<?x64xi8>, vector<4xi8>
// VNNI:                vector.bitcast %{{.*}} : vector<4xi8> to vector<1xi32>
// VNNI:                %[[XB:.*]] = vector.bitcast %{{.*}} : vector<16xi32> to vector<64xi8>
// VNNI:                llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[U]], %[[XB]])
// GENERIC:             arith.xori %{{.*}} : vector<64xi8>
// GENERIC:             arith.extui %{{.*}} : vector<64xi8> to vector<64xi32>
// AVX2:                vector.load %[[TILES]][%{{.*}}, %{{.*}}] : memref<2x1024xi8>, vector<32xi8>
// AVX2:                vector.load %[[TILES]][%{{.*}}, %{{.*}}] : memref<2x1024xi8>, vector<32xi8>
// AVX2-NOT:            arith.xori
// AVX2-NOT:            math.absi
// AVX2:                vector.load %[[XM]][%{{.*}}, %{{.*}}] : memref<?x64xi8>, vector<4xi8>
// AVX2:                llvm.call_intrinsic "llvm.x86.avx2.psign.b"
// AVX2:                llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// The block's scale step: 16 rows' f16 scales, one load per tile vector.
// VNNI:                vector.load %[[TS]][%{{.*}}, %{{.*}}] : memref<2x32xf16>, vector<16xf16>
// AVX2:                vector.load %[[TS]][%{{.*}}, %{{.*}}] : memref<2x32xf16>, vector<8xf16>
// CHECK:               memref.load %[[XS]]
// CHECK:               arith.sitofp
// CHECK:               arith.mulf
// CHECK:               math.fma
// CHECK-NOT:           vector.reduction
// CHECK:               scf.yield
// The single-token loop (decode GEMV) prefetches the tile 2 KB ahead, once
// per 64-byte step (kDecodePrefetchBytes, passes/DotBlock.h); token blocks
// do not.
// CHECK:             %[[AHEAD:.*]] = arith.addi %{{.*}}, %c2048
// CHECK:             memref.prefetch %[[TILES]][%{{.*}}, %[[AHEAD]]], read, locality<3>, data : memref<2x1024xi8>
// CHECK:         memref.dealloc %[[XQ]]
func.func @linear_int8_tiled(%x: memref<?x64xf32>, %w: memref<32x64xi8>, %s: memref<32x2xf16>, %y: memref<?x32xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x64xf32>, memref<32x64xi8>, memref<32x2xf16> -> memref<?x32xf32>
  return
}

// int4: a 64-byte vector holds 16 rows x 8 inputs as q + 8 nibbles (inputs
// 0..3 low, 4..7 high): two masks and a shift give two unsigned operands,
// each against its own broadcast 4 bytes of x; the accumulator starts at
// -8 * sum(q_x). No sign extension, no xor.
// CHECK-LABEL: func.func @linear_int4_tiled(
// CHECK:           arith.muli %{{.*}}, %c-8_i32 : i32
// CHECK:         scf.parallel
// VNNI:                %[[RAW:.*]] = vector.load %{{.*}} : memref<1x512xi8>, vector<64xi8>
// VNNI:                %[[LO:.*]] = arith.andi %[[RAW]], %{{.*}} : vector<64xi8>
// VNNI:                %[[SH:.*]] = arith.shrui %[[RAW]], %{{.*}} : vector<64xi8>
// VNNI:                %[[HI:.*]] = arith.andi %[[SH]], %{{.*}} : vector<64xi8>
// VNNI:                %[[A:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[LO]], %{{.*}})
// VNNI:                llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[A]], %[[HI]], %{{.*}})
// AVX2 sums a block's vpmaddubsw pairs in i16 (at most 8 x 3810) and widens
// them with one vpmaddwd per token and tile vector at the block's end.
// AVX2:                vector.load %{{.*}} : memref<1x512xi8>, vector<32xi8>
// AVX2-NOT:            llvm.x86.avx2.psign.b
// AVX2-NOT:            llvm.x86.avx2.pmadd.wd
// (4 tokens x 2 tile vectors x 4 steps x low/high: 64 per block.)
// AVX2:                llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2-NEXT:           arith.addi %{{.*}} : vector<16xi16>
// AVX2-NOT:            llvm.x86.avx2.pmadd.wd
// AVX2-COUNT-63:       llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2-NOT:            llvm.x86.avx2.pmadd.ub.sw
// AVX2:                llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// CHECK-NOT:           arith.xori
// CHECK:               math.fma
func.func @linear_int4_tiled(%x: memref<?x64xf32>, %w: memref<16x32xi8>, %s: memref<16x2xf16>, %y: memref<?x16xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x64xf32>, memref<16x32xi8>, memref<16x2xf16> -> memref<?x16xf32>
  return
}

// Experts: one tile of the routed expert per register block.
// CHECK-LABEL: func.func @experts_int8_tiled(
// CHECK:         memref.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : memref<4x1x16x64xi8> into memref<4x1x1024xi8>
// VNNI:          llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
func.func @experts_int8_tiled(%x: memref<?x64xf32>, %w: memref<4x16x64xi8>, %s: memref<4x16x2xf16>, %ids: memref<?x2xi32>, %y: memref<?x2x16xf32>) {
  gemma.expert_linear %x, %w scales %s, %ids -> %y : memref<?x64xf32>, memref<4x16x64xi8> scales memref<4x16x2xf16>, memref<?x2xi32> -> memref<?x2x16xf32>
  return
}
