// gemma-lower-linear{int8-activations} (gemmac --activations int8, the
// default with --weights int8|int4): x is quantised once per op into heap
// buffers (q as signed bytes, one f32 scale per 32 columns), then the dot
// kernel multiplies bytes. With vnni the byte dot is vpdpbusd (64 bytes on
// zmm, a 32-byte step for an odd block count); without, the same integers
// come from widening multiplies and strided shuffles (64-byte steps) or, on
// 32-byte steps, from vpsignb/vpmaddubsw/vpmaddwd on the signed bytes
// (AVX2). See passes/QuantizedDot.cpp.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 int8-activations=1 vnni=1}))' | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8 int8-activations=1}))' | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 int8-activations=1}))' | FileCheck %s --check-prefixes=CHECK,GENERIC
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16}))' | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: func.func @linear_int8(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x96xf32>, %[[W:[a-z0-9]+]]: memref<8x96xi8>, %[[S:[a-z0-9]+]]: memref<8x3xf16>
// CHECK:         %[[XQ:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x96xi8>
// CHECK:         %[[XS:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x3xf32>
// The quantising loop: max |x| of the block, scale max / 127, round(x * 127 / max).
// CHECK:         scf.parallel
// CHECK:           math.absf
// CHECK:           vector.reduction <maxnumf>
// CHECK:           memref.store %{{.*}}, %[[XS]]
// CHECK:           math.roundeven
// CHECK:           arith.fptosi
// CHECK-NOT:       arith.addi
// CHECK:           arith.trunci %{{.*}} to vector<{{8|16}}xi8>
// CHECK:           vector.store %{{.*}}, %[[XQ]]
// The dot: bytes of x and W, one scale per block (f16 for W) per i32 lane group.
// CHECK:         scf.parallel
// VNNI:            scf.for %{{.*}} iter_args({{.*}}) -> (vector<16xf32>
// GENERIC:         scf.for %{{.*}} iter_args({{.*}}) -> (vector<16xf32>
// AVX2:            scf.for %{{.*}} iter_args({{.*}}) -> (vector<8xf32>
// VNNI:              vector.load %[[XQ]][{{.*}}] : memref<?x96xi8>, vector<64xi8>
// GENERIC:           vector.load %[[XQ]][{{.*}}] : memref<?x96xi8>, vector<64xi8>
// AVX2:              vector.load %[[XQ]][{{.*}}] : memref<?x96xi8>, vector<32xi8>
// The two blocks' scales of a 64-byte step: one 2-lane load, spread over 8 lanes each.
// VNNI:              vector.load %[[XS]]{{.*}} : memref<?x3xf32>, vector<2xf32>
// VNNI:              vector.shuffle %{{.*}} [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1] : vector<2xf32>, vector<2xf32>
// GENERIC:           vector.load %[[XS]]{{.*}} : memref<?x3xf32>, vector<2xf32>
// AVX2:              memref.load %[[XS]]
// AVX2-NOT:          arith.xori
// AVX2:              math.absi %{{.*}} : vector<32xi8>
// VNNI:              vector.load %[[W]][{{.*}}] : memref<8x96xi8>, vector<64xi8>
// GENERIC:           vector.load %[[W]][{{.*}}] : memref<8x96xi8>, vector<64xi8>
// AVX2:              vector.load %[[W]][{{.*}}] : memref<8x96xi8>, vector<32xi8>
// VNNI:              vector.load %[[S]]{{.*}} : memref<8x3xf16>, vector<2xf16>
// VNNI:              arith.extf %{{.*}} : vector<2xf16> to vector<2xf32>
// GENERIC:           vector.load %[[S]]{{.*}} : memref<8x3xf16>, vector<2xf16>
// AVX2:              memref.load %[[S]]{{.*}} : memref<8x3xf16>
// VNNI:              llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// GENERIC:           arith.extui %{{.*}} : vector<64xi8> to vector<64xi32>
// GENERIC:           arith.extsi %{{.*}} : vector<64xi8> to vector<64xi32>
// GENERIC:           vector.shuffle %{{.*}} [0, 4, 8, 12, 16, 20, 24, 28, 32
// AVX2:              llvm.call_intrinsic "llvm.x86.avx2.psign.b"
// AVX2:              llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2:              llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// VNNI:              arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// GENERIC:           arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// AVX2:              arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK:             math.fma
// 96 = 64 + 32: on zmm one 32-byte step follows the loop.
// VNNI:            llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// GENERIC:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// AVX2-NOT:        llvm.call_intrinsic "llvm.x86.avx512
// The single-token loop (decode GEMV) on VNNI targets moves x's sign onto the
// weight bytes (a masked negation); |q_x| multiplies them, no correction.
// VNNI:            arith.cmpi slt, %{{.*}} : vector<64xi8>
// VNNI:            arith.subi %{{.*}} : vector<64xi8>
// VNNI:            arith.select %{{.*}} : vector<64xi1>, vector<64xi8>
// VNNI:            llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK:         memref.dealloc %[[XQ]]
// CHECK:         memref.dealloc %[[XS]]
// CHECK:         return
// OFF-LABEL:   func.func @linear_int8(
// OFF-NOT:       memref.alloc
// OFF-NOT:       llvm.call_intrinsic
// OFF:           arith.sitofp %{{.*}} : vector<16xi8> to vector<16xf32>
func.func @linear_int8(%x: memref<?x96xf32>, %w: memref<8x96xi8>, %s: memref<8x3xf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x96xf32>, memref<8x96xi8>, memref<8x3xf16> -> memref<?x8xf32>
  return
}

// int4: 16 bytes per block; low nibbles are columns 0..15, high nibbles
// 16..31, each sign-extended as (n ^ 8) - 8 and shuffled into column order.
// With VNNI, and on AVX2's 32-byte steps, the nibbles stay unsigned, q + 8
// (one xor with 0x88 per byte flips bit 3 of both), and vpdpbusd or
// vpmaddubsw multiplies them by the signed q_x; the 8 * sum(q_x) that adds
// is subtracted once per token and step. AVX-512 without VNNI sign-extends.
// CHECK-LABEL: func.func @linear_int4(
// CHECK:         memref.alloc
// CHECK:         scf.parallel
// CHECK:         scf.parallel
// VNNI:              %[[EIGHT:.*]] = arith.constant dense<8> : vector<64xi8>
// VNNI:              llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[EIGHT]], %{{.*}})
// VNNI:              vector.load %{{.*}} : memref<8x32xi8>, vector<32xi8>
// VNNI:              %[[FLIP:.*]] = arith.constant dense<-120> : vector<32xi8>
// VNNI:              arith.xori %{{.*}}, %[[FLIP]] : vector<32xi8>
// VNNI:              arith.andi
// VNNI-NOT:          arith.subi %{{.*}} : vector<32xi8>
// VNNI:              arith.shrui
// AVX2:              %[[EIGHT2:.*]] = arith.constant dense<8> : vector<32xi8>
// AVX2:              llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[EIGHT2]], %{{.*}})
// AVX2:              vector.load %{{.*}} : memref<8x32xi8>, vector<16xi8>
// AVX2:              %[[FLIP2:.*]] = arith.constant dense<-120> : vector<16xi8>
// AVX2:              arith.xori %{{.*}}, %[[FLIP2]] : vector<16xi8>
// AVX2:              arith.andi
// AVX2-NOT:          arith.subi %{{.*}} : vector<16xi8>
// AVX2:              arith.shrui
// AVX2-NOT:          llvm.x86.avx2.psign.b
// AVX2:              llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// GENERIC:           vector.load %{{.*}} : memref<8x32xi8>, vector<32xi8>
// GENERIC:           arith.andi
// GENERIC:           arith.xori
// GENERIC:           arith.subi
// GENERIC:           arith.shrui
// VNNI:              vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 32, 33, {{.*}}, 47, 16, 17, {{.*}}, 31, 48, {{.*}}, 63] : vector<32xi8>, vector<32xi8>
// GENERIC:           vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 32, 33, {{.*}}, 47, 16, 17, {{.*}}, 31, 48, {{.*}}, 63] : vector<32xi8>, vector<32xi8>
// AVX2:              vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, {{.*}}, 31] : vector<16xi8>, vector<16xi8>
// VNNI:              llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK:         memref.dealloc
func.func @linear_int4(%x: memref<?x64xf32>, %w: memref<8x32xi8>, %s: memref<8x2xf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x64xf32>, memref<8x32xi8>, memref<8x2xf16> -> memref<?x8xf32>
  return
}

// Experts: the routed (token, slot) rows of a 3-D x are quantised too.
// CHECK-LABEL: func.func @experts_int8(
// CHECK:         memref.alloc(%{{.*}}) : memref<?x2x64xi8>
// CHECK:         memref.alloc(%{{.*}}) : memref<?x2x2xf32>
// VNNI:          llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK:         memref.dealloc
func.func @experts_int8(%x: memref<?x2x64xf32>, %w: memref<4x8x64xi8>, %s: memref<4x8x2xf16>, %ids: memref<?x2xi32>, %y: memref<?x2x8xf32>) {
  gemma.expert_linear %x, %w scales %s, %ids -> %y : memref<?x2x64xf32>, memref<4x8x64xi8> scales memref<4x8x2xf16>, memref<?x2xi32> -> memref<?x2x8xf32>
  return
}

// bf16 weights are not affected by the option: x stays f32 (split into even
// and odd columns, PairedBf16Dot.h), never int8.
// CHECK-LABEL: func.func @linear_bf16(
// CHECK-NOT:     memref.alloc({{.*}}) : memref<?x64xi8>
// CHECK:         memref.alloc(%{{.*}}) : memref<?x64xf32>
// CHECK-NOT:     memref.alloc({{.*}}) : memref<?x64xi8>
// CHECK:         arith.andi %{{.*}} : vector<{{8|16}}xi32>
func.func @linear_bf16(%x: memref<?x64xf32>, %w: memref<8x64xbf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y : memref<?x64xf32>, memref<8x64xbf16> -> memref<?x8xf32>
  return
}
