// gemma-fuse-final-softcap: linear + in-place softcap -> one soft-capped
// linear; under greedy (argmax_only true) the lowered epilogue has no tanh.
//
// RUN: gemma-opt %s -split-input-file --gemma-fuse-final-softcap | FileCheck %s
// RUN: gemma-opt %s -split-input-file --gemma-fuse-final-softcap --gemma-lower-linear | FileCheck %s --check-prefix=LOWER

// CHECK-LABEL: func.func @lm_head(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x16xf32>, %[[W:[a-z0-9]+]]: memref<32x16xbf16>, %[[Y:[a-z0-9]+]]: memref<?x32xf32>, %[[G:[a-z0-9]+]]: i1
// CHECK-NEXT:    gemma.linear %[[X]], %[[W]] -> %[[Y]] unless %[[G]] {softcap = 3.000000e+01 : f32}
// CHECK-NOT:     gemma.softcap
// CHECK:         return

// The fused epilogue, on one vector of a register block's outputs: when %G
// (argmax only) holds, the raw dot products are stored and no tanh runs;
// otherwise cap * tanh(y / cap), vectorised.
// LOWER-LABEL: func.func @lm_head(
// LOWER-SAME:      %[[G:[a-z0-9]+]]: i1
// LOWER:         vector.reduction <add>
// LOWER:         %[[RAW:[a-z0-9_]+]] = vector.from_elements
// LOWER-NEXT:    %[[CAPPED:[a-z0-9_]+]] = scf.if %[[G]] -> (vector<8xf32>) {
// LOWER-NEXT:      scf.yield %[[RAW]] : vector<8xf32>
// LOWER-NEXT:    } else {
// LOWER:           math.tanh {{.*}} : vector<8xf32>
// LOWER:           scf.yield
// LOWER:         }
// LOWER:         %[[C0:[a-z0-9_]+]] = vector.extract %[[CAPPED]][0]
// LOWER:         memref.store %[[C0]]
// LOWER-NOT:     gemma.softcap
func.func @lm_head(%x: memref<?x16xf32>, %w: memref<32x16xbf16>, %y: memref<?x32xf32>, %greedy: i1) {
  gemma.linear %x, %w -> %y : memref<?x16xf32>, memref<32x16xbf16> -> memref<?x32xf32>
  gemma.softcap %y -> %y unless %greedy {cap = 30.0 : f32} : memref<?x32xf32> -> memref<?x32xf32>
  return
}

// -----

// Without a run-time flag the cap is always applied in the epilogue.
// CHECK-LABEL: func.func @always_capped(
// CHECK-NEXT:    gemma.linear %{{.*}}, %{{.*}} -> %{{.*}} {softcap = 5.000000e+01 : f32}
// CHECK-NOT:     gemma.softcap
// LOWER-LABEL: func.func @always_capped(
// LOWER-NOT:     scf.if
// LOWER:         math.tanh
func.func @always_capped(%x: memref<?x16xf32>, %w: memref<32x16xbf16>, %y: memref<?x32xf32>) {
  gemma.linear %x, %w -> %y : memref<?x16xf32>, memref<32x16xbf16> -> memref<?x32xf32>
  gemma.softcap %y -> %y {cap = 50.0 : f32} : memref<?x32xf32> -> memref<?x32xf32>
  return
}

// -----

// Not fused: something reads the uncapped logits between the two ops.
// CHECK-LABEL: func.func @read_between(
// CHECK:         gemma.linear %{{.*}}, %{{.*}} -> %[[Y:[a-z0-9]+]] :
// CHECK-NEXT:    gemma.add %[[Y]], %[[Y]] -> %{{.*}}
// CHECK-NEXT:    gemma.softcap
func.func @read_between(%x: memref<?x16xf32>, %w: memref<32x16xbf16>, %y: memref<?x32xf32>, %z: memref<?x32xf32>) {
  gemma.linear %x, %w -> %y : memref<?x16xf32>, memref<32x16xbf16> -> memref<?x32xf32>
  gemma.add %y, %y -> %z : memref<?x32xf32>, memref<?x32xf32> -> memref<?x32xf32>
  gemma.softcap %y -> %y {cap = 30.0 : f32} : memref<?x32xf32> -> memref<?x32xf32>
  return
}

// -----

// Not fused: the soft-cap writes elsewhere (the linear's raw output stays).
// CHECK-LABEL: func.func @out_of_place(
// CHECK:         gemma.linear
// CHECK-NOT:     softcap =
// CHECK:         gemma.softcap
func.func @out_of_place(%x: memref<?x16xf32>, %w: memref<32x16xbf16>, %y: memref<?x32xf32>, %z: memref<?x32xf32>) {
  gemma.linear %x, %w -> %y : memref<?x16xf32>, memref<32x16xbf16> -> memref<?x32xf32>
  gemma.softcap %y -> %z {cap = 30.0 : f32} : memref<?x32xf32> -> memref<?x32xf32>
  return
}
