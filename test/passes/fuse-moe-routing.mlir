// gemma-fuse-moe-routing: rms_norm(x, router.scale) . scale(H^-1/2) .
// linear(proj) . softmax . top_k . moe_weights -> one gemma.moe_route
// (k = 2 of 8 experts here; moe_route renormalises the k weights).
//
// RUN: gemma-opt %s -split-input-file --gemma-fuse-moe-routing | FileCheck %s
// RUN: gemma-opt %s -split-input-file --gemma-lower-moe | FileCheck %s --check-prefix=UNFUSED

// CHECK-LABEL: func.func @router(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x16xf32>, %[[S:[a-z0-9]+]]: memref<16xf32>, %[[P:[a-z0-9]+]]: memref<8x16xbf16>, %[[PES:[a-z0-9]+]]: memref<8xf32>
// CHECK:         %[[IDS:[0-9]+]] = gemma.scratch "route_ids" {{.*}} : memref<?x2xi32>
// CHECK:         %[[W:[0-9]+]] = gemma.scratch "route_weights" {{.*}} : memref<?x2xf32>
// CHECK-NOT:     gemma.rms_norm
// CHECK-NOT:     gemma.softmax
// CHECK-NOT:     gemma.top_k
// CHECK:         gemma.moe_route %[[X]], %[[S]], %[[P]], %[[PES]] -> %[[IDS]], %[[W]] {eps = 9.99999997E-7 : f32} : memref<?x16xf32>, memref<16xf32>, memref<8x16xbf16>, memref<8xf32> -> memref<?x2xi32>, memref<?x2xf32>
// CHECK-NOT:     gemma.moe_weights
// CHECK-NEXT:    return

// Unfused, gemma-lower-moe emits each step: the softmax's exp, k argmax
// rounds, then the renormalisation (one divide) times per_expert_scale.
// UNFUSED-LABEL: func.func @router(
// UNFUSED:         math.exp
// UNFUSED:         arith.cmpf ogt
// UNFUSED:         arith.divf
// UNFUSED:         memref.load %{{.*}} : memref<?x2xi32>
// UNFUSED-NOT:     gemma.
// UNFUSED:         return
func.func @router(%x: memref<?x16xf32>, %s: memref<16xf32>, %p: memref<8x16xbf16>, %pes: memref<8xf32>, %t: index) {
  %r = gemma.scratch "router_in" at 0 [%t] : memref<?x16xf32>
  %z = gemma.scratch "router_logits" at 4096 [%t] : memref<?x8xf32>
  %ids = gemma.scratch "route_ids" at 8192 [%t] : memref<?x2xi32>
  %probs = gemma.scratch "route_probs" at 12288 [%t] : memref<?x2xf32>
  %w = gemma.scratch "route_weights" at 16384 [%t] : memref<?x2xf32>
  gemma.rms_norm %x, %s -> %r {eps = 1.0e-6 : f32} : memref<?x16xf32>, memref<16xf32> -> memref<?x16xf32>
  gemma.scale %r -> %r {factor = 0.25 : f32} : memref<?x16xf32> -> memref<?x16xf32>
  gemma.linear %r, %p -> %z : memref<?x16xf32>, memref<8x16xbf16> -> memref<?x8xf32>
  gemma.softmax %z -> %z : memref<?x8xf32> -> memref<?x8xf32>
  gemma.top_k %z -> %probs, %ids : memref<?x8xf32> -> memref<?x2xf32>, memref<?x2xi32>
  gemma.moe_weights %probs, %ids, %pes -> %w : memref<?x2xf32>, memref<?x2xi32>, memref<8xf32> -> memref<?x2xf32>
  return
}

// -----

// Not the Gemma router: the scale is not H^-1/2 (1/4 for H = 16).
// CHECK-LABEL: func.func @other_scale(
// CHECK-NOT:     gemma.moe_route
// CHECK:         gemma.top_k
func.func @other_scale(%x: memref<?x16xf32>, %s: memref<16xf32>, %p: memref<8x16xbf16>, %pes: memref<8xf32>, %t: index) {
  %r = gemma.scratch "router_in" at 0 [%t] : memref<?x16xf32>
  %z = gemma.scratch "router_logits" at 4096 [%t] : memref<?x8xf32>
  %ids = gemma.scratch "route_ids" at 8192 [%t] : memref<?x2xi32>
  %probs = gemma.scratch "route_probs" at 12288 [%t] : memref<?x2xf32>
  %w = gemma.scratch "route_weights" at 16384 [%t] : memref<?x2xf32>
  gemma.rms_norm %x, %s -> %r {eps = 1.0e-6 : f32} : memref<?x16xf32>, memref<16xf32> -> memref<?x16xf32>
  gemma.scale %r -> %r {factor = 0.5 : f32} : memref<?x16xf32> -> memref<?x16xf32>
  gemma.linear %r, %p -> %z : memref<?x16xf32>, memref<8x16xbf16> -> memref<?x8xf32>
  gemma.softmax %z -> %z : memref<?x8xf32> -> memref<?x8xf32>
  gemma.top_k %z -> %probs, %ids : memref<?x8xf32> -> memref<?x2xf32>, memref<?x2xi32>
  gemma.moe_weights %probs, %ids, %pes -> %w : memref<?x2xf32>, memref<?x2xi32>, memref<8xf32> -> memref<?x2xf32>
  return
}

// -----

// Not fused: the full probabilities are read after routing.
// CHECK-LABEL: func.func @probs_used(
// CHECK-NOT:     gemma.moe_route
// CHECK:         gemma.softmax
func.func @probs_used(%x: memref<?x16xf32>, %s: memref<16xf32>, %p: memref<8x16xbf16>, %pes: memref<8xf32>, %t: index, %out: memref<?x8xf32>) {
  %r = gemma.scratch "router_in" at 0 [%t] : memref<?x16xf32>
  %z = gemma.scratch "router_logits" at 4096 [%t] : memref<?x8xf32>
  %ids = gemma.scratch "route_ids" at 8192 [%t] : memref<?x2xi32>
  %probs = gemma.scratch "route_probs" at 12288 [%t] : memref<?x2xf32>
  %w = gemma.scratch "route_weights" at 16384 [%t] : memref<?x2xf32>
  gemma.rms_norm %x, %s -> %r {eps = 1.0e-6 : f32} : memref<?x16xf32>, memref<16xf32> -> memref<?x16xf32>
  gemma.scale %r -> %r {factor = 0.25 : f32} : memref<?x16xf32> -> memref<?x16xf32>
  gemma.linear %r, %p -> %z : memref<?x16xf32>, memref<8x16xbf16> -> memref<?x8xf32>
  gemma.softmax %z -> %z : memref<?x8xf32> -> memref<?x8xf32>
  gemma.top_k %z -> %probs, %ids : memref<?x8xf32> -> memref<?x2xf32>, memref<?x2xi32>
  gemma.moe_weights %probs, %ids, %pes -> %w : memref<?x2xf32>, memref<?x2xi32>, memref<8xf32> -> memref<?x2xf32>
  gemma.add %z, %z -> %out : memref<?x8xf32>, memref<?x8xf32> -> memref<?x8xf32>
  return
}
