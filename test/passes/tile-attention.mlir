// gemma-tile-attention: tiled online softmax over the KV cache, one parallel
// iteration per (KV head, block of query tokens), KV tiles of 32 positions.
//
// RUN: gemma-opt %s --gemma-tile-attention | FileCheck %s
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-tile-attention{tile=16 query-block=2 vector-width=16}))' | FileCheck %s --check-prefix=OPTS

// Sliding layer, window 64: the tile loop's lower bound is
// max(0, q_first - W + 1), so tiles wholly before the window are never
// visited; the test fails if the loop starts at 0.
// CHECK-LABEL: func.func @sliding(
// CHECK-SAME:      %[[Q:[a-z0-9]+]]: memref<?x8x32xf32>, %[[KC:[a-z0-9]+]]: memref<2x96x32xf32>, %[[VC:[a-z0-9]+]]: memref<2x96x32xf32>, %[[POS0:[a-z0-9]+]]: index
// CHECK-NOT:   gemma.attention
// CHECK:       scf.parallel (%[[KVH:[a-z0-9_]+]], %[[BLK:[a-z0-9_]+]]) =
// CHECK:         memref.alloca_scope
// CHECK:           memref.alloca() : memref<16x32xf32>
// CHECK:           %[[QFIRST:[a-z0-9_]+]] = arith.addi %[[POS0]], %{{.*}} : index
// CHECK:           %[[QP1:[a-z0-9_]+]] = arith.addi %[[QFIRST]], %{{.*}} : index
// CHECK-NEXT:      %[[W:[a-z0-9_]+]] = arith.constant 64 : index
// CHECK-NEXT:      %[[FIRST:[a-z0-9_]+]] = arith.subi %[[QP1]], %[[W]] : index
// CHECK-NEXT:      %[[Z:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-NEXT:      %[[LO:[a-z0-9_]+]] = arith.maxsi %[[FIRST]], %[[Z]] : index
// CHECK-NEXT:      %[[TILE:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-NEXT:      scf.for %[[J0:[a-z0-9_]+]] = %[[LO]] to %{{.*}} step %[[TILE]] {
//                    Interior tiles take the unmasked body, boundary tiles the masked one.
// CHECK:             %[[INTERIOR:[a-z0-9_]+]] = arith.andi
// CHECK:             scf.if %[[INTERIOR]] {
// CHECK-NOT:           arith.select
//                      4 keys per step, two accumulators each: 8 FMA chains.
// CHECK:               scf.for %{{.*}} step %c4{{(_[0-9]+)?}} iter_args(%{{.*}}) -> (f32) {
// CHECK:                 scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:                   vector.load %[[KC]][%[[KVH]], %{{.*}}, %{{.*}}] : memref<2x96x32xf32>, vector<8xf32>
// CHECK-COUNT-8:           math.fma
//                      The tile's scores exponentiated a vector at a time.
// CHECK:               math.exp %{{.*}} : vector<8xf32>
//                      p.V into every vector of the head (4 here) per pass.
// CHECK:               scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:                 vector.load %[[VC]][%[[KVH]], %{{.*}}, %{{.*}}] : memref<2x96x32xf32>, vector<8xf32>
// CHECK:                 math.fma
// CHECK:             } else {
// CHECK:               vector.load %[[KC]]
// CHECK:               arith.select
// CHECK:               math.exp
// CHECK:             }
// CHECK:           arith.divf
// CHECK:           vector.store %{{.*}}, %{{.*}} : memref<?x8x32xf32>, vector<8xf32>
// CHECK:       return
//
// OPTS-LABEL: func.func @sliding(
// OPTS:         memref.alloca() : memref<8x16xf32>
// OPTS:         %[[T16:[a-z0-9_]+]] = arith.constant 16 : index
// OPTS-NEXT:    scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[T16]] {
// OPTS:         vector<16xf32>
func.func @sliding(%q: memref<?x8x32xf32>, %kc: memref<2x96x32xf32>, %vc: memref<2x96x32xf32>, %pos0: index, %o: memref<?x8x32xf32>) {
  gemma.attention %q, cache(%kc, %vc) at %pos0 -> %o {scale = 1.0 : f32, window = 64 : i64} : memref<?x8x32xf32>, memref<2x96x32xf32>, memref<2x96x32xf32> -> memref<?x8x32xf32>
  return
}

// Full layer: the tile loop starts at 0, no window arithmetic.
// CHECK-LABEL: func.func @full(
// CHECK:         scf.parallel
// CHECK-NOT:     arith.maxsi
// CHECK:         %[[FT:[a-z0-9_]+]] = arith.constant 32 : index
// CHECK-NEXT:    scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %{{.*}} step %[[FT]] {
// CHECK-NOT:     arith.maxsi
func.func @full(%q: memref<?x8x64xf32>, %kc: memref<1x512x64xf32>, %vc: memref<1x512x64xf32>, %pos0: index, %o: memref<?x8x64xf32>) {
  gemma.attention %q, cache(%kc, %vc) at %pos0 -> %o {scale = 1.0 : f32, window = 0 : i64} : memref<?x8x64xf32>, memref<1x512x64xf32>, memref<1x512x64xf32> -> memref<?x8x64xf32>
  return
}
