// gemma-materialize-buffers: arena views -> memref.view of the function
// arguments tagged with gemma.arena, at their byte offsets.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-materialize-buffers))' -split-input-file -allow-unregistered-dialect -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @forward(
// CHECK-SAME:      %[[WTS:[a-z0-9]+]]: memref<?xi8> {gemma.arena = "weights"}, %[[KV:[a-z0-9]+]]: memref<?xi8> {gemma.arena = "kv"}, %[[SCR:[a-z0-9]+]]: memref<?xi8> {gemma.arena = "scratch"}, %[[N:[a-z0-9]+]]: index
// CHECK-NOT:   gemma.weight
// CHECK-NOT:   gemma.scratch
// CHECK-NOT:   gemma.kv_cache
// CHECK-DAG:   %[[OW:[a-z0-9_]+]] = arith.constant 131584 : index
// CHECK-DAG:   %[[OK:[a-z0-9_]+]] = arith.constant 2048 : index
// CHECK-DAG:   %[[OS:[a-z0-9_]+]] = arith.constant 655360 : index
// CHECK-DAG:   %[[W:[a-z0-9_]+]] = memref.view %[[WTS]][%[[OW]]][] : memref<?xi8> to memref<128x128xbf16>
// CHECK-DAG:   %[[K:[a-z0-9_]+]] = memref.view %[[KV]][%[[OK]]][] : memref<?xi8> to memref<2x8x32xf32>
// CHECK-DAG:   %[[S:[a-z0-9_]+]] = memref.view %[[SCR]][%[[OS]]][%[[N]]] : memref<?xi8> to memref<?x128xf32>
// CHECK:       gemma.linear %[[S]], %[[W]] -> %[[S]]
// CHECK:       "test.use"(%[[K]])
// CHECK-NOT:   gemma.weight
// CHECK:       return
func.func @forward(%w: memref<?xi8> {gemma.arena = "weights"}, %kv: memref<?xi8> {gemma.arena = "kv"}, %s: memref<?xi8> {gemma.arena = "scratch"}, %n: index) {
  %x = gemma.scratch "x" at 655360[%n] : memref<?x128xf32>
  %q = gemma.weight "layers.0.q_proj" at 131584 : memref<128x128xbf16>
  %k = gemma.kv_cache "layer0.v" at 2048 : memref<2x8x32xf32>
  gemma.linear %x, %q -> %x : memref<?x128xf32>, memref<128x128xbf16> -> memref<?x128xf32>
  "test.use"(%k) : (memref<2x8x32xf32>) -> ()
  return
}

// -----

// A view whose arena is not an argument of the function is an error.
func.func @no_kv(%w: memref<?xi8> {gemma.arena = "weights"}) {
  // expected-error @+1 {{'gemma.kv_cache' op enclosing function has no argument with gemma.arena = "kv"}}
  %k = gemma.kv_cache "layer0.k" at 0 : memref<2x8x32xf32>
  "test.use"(%k) : (memref<2x8x32xf32>) -> ()
  return
}
