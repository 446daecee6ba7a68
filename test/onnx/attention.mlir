// RUN: gemma-opt %s --gemma-onnx-raise=only=gqa,attention --split-input-file | FileCheck %s
// SDPA as torch.onnx decomposes it, with GQA's repeat_kv on K and V and a
// (raised) sliding-window mask.

// CHECK-LABEL: func.func @gqa_attention
// CHECK: %[[A:.*]] = gemma_onnx.attention(%arg0, %arg1, %arg2) {scale = 1.000000e+00 : f64, window = 8 : i64}
// CHECK-NOT: gemma_onnx.node "Softmax"
// CHECK: return %[[A]]
func.func @gqa_attention(%q: tensor<1x?x4x8xf32>, %k: tensor<1x?x2x8xf32>, %v: tensor<1x?x2x8xf32>, %t: tensor<1xi64>) -> tensor<1x?x32xf32> {
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %two = gemma_onnx.initializer "two" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %g = gemma_onnx.initializer "g" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %d = gemma_onnx.initializer "d" {value = dense<8> : tensor<1xi64>} : tensor<1xi64>
  %heads = gemma_onnx.initializer "heads" {value = dense<[1, 4, -1, 8]> : tensor<4xi64>} : tensor<4xi64>
  %flat = gemma_onnx.initializer "flat" {value = dense<[1, -1, 32]> : tensor<3xi64>} : tensor<3xi64>
  %sc = gemma_onnx.initializer "sc" {value = dense<1.0> : tensor<f32>} : tensor<f32>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %mask = gemma_onnx.mask() {window = 8 : i64} : () -> tensor<1x1x?x?xf32>
  %shape = gemma_onnx.node "Concat"(%one, %two, %two, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %vshape = gemma_onnx.node "Concat"(%one, %two, %g, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %qt = gemma_onnx.node "Transpose"(%q) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x4x8xf32>) -> tensor<1x4x?x8xf32>
  %kt = gemma_onnx.node "Transpose"(%k) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %ku = gemma_onnx.node "Unsqueeze"(%kt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ke = gemma_onnx.node "Expand"(%ku, %shape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %kr = gemma_onnx.node "Reshape"(%ke, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %vt = gemma_onnx.node "Transpose"(%v) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %vu = gemma_onnx.node "Unsqueeze"(%vt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ve = gemma_onnx.node "Expand"(%vu, %vshape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %vr = gemma_onnx.node "Reshape"(%ve, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %kT = gemma_onnx.node "Transpose"(%kr) {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x?x8xf32>) -> tensor<1x4x8x?xf32>
  %s = gemma_onnx.node "MatMul"(%qt, %kT) : (tensor<1x4x?x8xf32>, tensor<1x4x8x?xf32>) -> tensor<1x4x?x?xf32>
  %s2 = gemma_onnx.node "Mul"(%s, %sc) : (tensor<1x4x?x?xf32>, tensor<f32>) -> tensor<1x4x?x?xf32>
  %sm = gemma_onnx.node "Add"(%s2, %mask) : (tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x4x?x?xf32>
  %p = gemma_onnx.node "Softmax"(%sm) {axis = -1 : i64} : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %nan = gemma_onnx.node "IsNaN"(%p) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xi1>
  %p2 = gemma_onnx.node "Where"(%nan, %zero, %p) : (tensor<1x4x?x?xi1>, tensor<f32>, tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %o = gemma_onnx.node "MatMul"(%p2, %vr) : (tensor<1x4x?x?xf32>, tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32>
  %ot = gemma_onnx.node "Transpose"(%o) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x4x?x8xf32>) -> tensor<1x?x4x8xf32>
  %y = gemma_onnx.node "Reshape"(%ot, %flat) : (tensor<1x?x4x8xf32>, tensor<3xi64>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----
// GQA alone: repeat_kv with 2 groups.
// CHECK-LABEL: func.func @repeat_only
// CHECK: gemma_onnx.repeat_kv(%arg1) {groups = 2 : i64}
func.func @repeat_only(%q: tensor<1x?x4x8xf32>, %k: tensor<1x?x2x8xf32>, %v: tensor<1x?x2x8xf32>, %t: tensor<1xi64>) -> tensor<1x?x32xf32> {
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %two = gemma_onnx.initializer "two" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %g = gemma_onnx.initializer "g" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %d = gemma_onnx.initializer "d" {value = dense<8> : tensor<1xi64>} : tensor<1xi64>
  %heads = gemma_onnx.initializer "heads" {value = dense<[1, 4, -1, 8]> : tensor<4xi64>} : tensor<4xi64>
  %flat = gemma_onnx.initializer "flat" {value = dense<[1, -1, 32]> : tensor<3xi64>} : tensor<3xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %mask = gemma_onnx.mask() {window = 8 : i64} : () -> tensor<1x1x?x?xf32>
  %shape = gemma_onnx.node "Concat"(%one, %two, %two, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %vshape = gemma_onnx.node "Concat"(%one, %two, %g, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %qt = gemma_onnx.node "Transpose"(%q) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x4x8xf32>) -> tensor<1x4x?x8xf32>
  %kt = gemma_onnx.node "Transpose"(%k) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %ku = gemma_onnx.node "Unsqueeze"(%kt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ke = gemma_onnx.node "Expand"(%ku, %shape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %kr = gemma_onnx.node "Reshape"(%ke, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %vt = gemma_onnx.node "Transpose"(%v) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %vu = gemma_onnx.node "Unsqueeze"(%vt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ve = gemma_onnx.node "Expand"(%vu, %vshape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %vr = gemma_onnx.node "Reshape"(%ve, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %kT = gemma_onnx.node "Transpose"(%kr) {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x?x8xf32>) -> tensor<1x4x8x?xf32>
  %s = gemma_onnx.node "MatMul"(%qt, %kT) : (tensor<1x4x?x8xf32>, tensor<1x4x8x?xf32>) -> tensor<1x4x?x?xf32>
  %s2 = gemma_onnx.node "Identity"(%s) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %sm = gemma_onnx.node "Add"(%s2, %mask) : (tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x4x?x?xf32>
  %p = gemma_onnx.node "Softmax"(%sm) {axis = 1 : i64} : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %nan = gemma_onnx.node "IsNaN"(%p) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xi1>
  %p2 = gemma_onnx.node "Where"(%nan, %zero, %p) : (tensor<1x4x?x?xi1>, tensor<f32>, tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %o = gemma_onnx.node "MatMul"(%p2, %vr) : (tensor<1x4x?x?xf32>, tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32>
  %ot = gemma_onnx.node "Transpose"(%o) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x4x?x8xf32>) -> tensor<1x?x4x8xf32>
  %y = gemma_onnx.node "Reshape"(%ot, %flat) : (tensor<1x?x4x8xf32>, tensor<3xi64>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----
// Negative: Softmax over the query axis is not attention.
// CHECK-LABEL: func.func @wrong_softmax
// CHECK-NOT: gemma_onnx.attention
// CHECK: gemma_onnx.node "Softmax"
func.func @wrong_softmax(%q: tensor<1x?x4x8xf32>, %k: tensor<1x?x2x8xf32>, %v: tensor<1x?x2x8xf32>, %t: tensor<1xi64>) -> tensor<1x?x32xf32> {
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %two = gemma_onnx.initializer "two" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %g = gemma_onnx.initializer "g" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %d = gemma_onnx.initializer "d" {value = dense<8> : tensor<1xi64>} : tensor<1xi64>
  %heads = gemma_onnx.initializer "heads" {value = dense<[1, 4, -1, 8]> : tensor<4xi64>} : tensor<4xi64>
  %flat = gemma_onnx.initializer "flat" {value = dense<[1, -1, 32]> : tensor<3xi64>} : tensor<3xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %mask = gemma_onnx.mask() {window = 8 : i64} : () -> tensor<1x1x?x?xf32>
  %shape = gemma_onnx.node "Concat"(%one, %two, %two, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %vshape = gemma_onnx.node "Concat"(%one, %two, %g, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %qt = gemma_onnx.node "Transpose"(%q) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x4x8xf32>) -> tensor<1x4x?x8xf32>
  %kt = gemma_onnx.node "Transpose"(%k) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %ku = gemma_onnx.node "Unsqueeze"(%kt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ke = gemma_onnx.node "Expand"(%ku, %shape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %kr = gemma_onnx.node "Reshape"(%ke, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %vt = gemma_onnx.node "Transpose"(%v) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %vu = gemma_onnx.node "Unsqueeze"(%vt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ve = gemma_onnx.node "Expand"(%vu, %vshape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %vr = gemma_onnx.node "Reshape"(%ve, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %kT = gemma_onnx.node "Transpose"(%kr) {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x?x8xf32>) -> tensor<1x4x8x?xf32>
  %s = gemma_onnx.node "MatMul"(%qt, %kT) : (tensor<1x4x?x8xf32>, tensor<1x4x8x?xf32>) -> tensor<1x4x?x?xf32>
  %s2 = gemma_onnx.node "Identity"(%s) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %sm = gemma_onnx.node "Add"(%s2, %mask) : (tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x4x?x?xf32>
  %p = gemma_onnx.node "Softmax"(%sm) {axis = 2 : i64} : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %nan = gemma_onnx.node "IsNaN"(%p) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xi1>
  %p2 = gemma_onnx.node "Where"(%nan, %zero, %p) : (tensor<1x4x?x?xi1>, tensor<f32>, tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %o = gemma_onnx.node "MatMul"(%p2, %vr) : (tensor<1x4x?x?xf32>, tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32>
  %ot = gemma_onnx.node "Transpose"(%o) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x4x?x8xf32>) -> tensor<1x?x4x8xf32>
  %y = gemma_onnx.node "Reshape"(%ot, %flat) : (tensor<1x?x4x8xf32>, tensor<3xi64>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----
// Negative: K and V repeated with different group counts.
// CHECK-LABEL: func.func @mismatched_groups
// CHECK-NOT: gemma_onnx.attention
func.func @mismatched_groups(%q: tensor<1x?x4x8xf32>, %k: tensor<1x?x2x8xf32>, %v: tensor<1x?x2x8xf32>, %t: tensor<1xi64>) -> tensor<1x?x32xf32> {
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %two = gemma_onnx.initializer "two" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %g = gemma_onnx.initializer "g" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %d = gemma_onnx.initializer "d" {value = dense<8> : tensor<1xi64>} : tensor<1xi64>
  %heads = gemma_onnx.initializer "heads" {value = dense<[1, 4, -1, 8]> : tensor<4xi64>} : tensor<4xi64>
  %flat = gemma_onnx.initializer "flat" {value = dense<[1, -1, 32]> : tensor<3xi64>} : tensor<3xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %mask = gemma_onnx.mask() {window = 8 : i64} : () -> tensor<1x1x?x?xf32>
  %shape = gemma_onnx.node "Concat"(%one, %two, %two, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %vshape = gemma_onnx.node "Concat"(%one, %two, %g, %t, %d) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  %qt = gemma_onnx.node "Transpose"(%q) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x4x8xf32>) -> tensor<1x4x?x8xf32>
  %kt = gemma_onnx.node "Transpose"(%k) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %ku = gemma_onnx.node "Unsqueeze"(%kt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ke = gemma_onnx.node "Expand"(%ku, %shape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %kr = gemma_onnx.node "Reshape"(%ke, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %vt = gemma_onnx.node "Transpose"(%v) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x8xf32>) -> tensor<1x2x?x8xf32>
  %vu = gemma_onnx.node "Unsqueeze"(%vt, %ax2) : (tensor<1x2x?x8xf32>, tensor<1xi64>) -> tensor<1x2x1x?x8xf32>
  %ve = gemma_onnx.node "Expand"(%vu, %vshape) : (tensor<1x2x1x?x8xf32>, tensor<5xi64>) -> tensor<1x2x2x?x8xf32>
  %vr = gemma_onnx.node "Reshape"(%ve, %heads) : (tensor<1x2x2x?x8xf32>, tensor<4xi64>) -> tensor<1x4x?x8xf32>
  %kT = gemma_onnx.node "Transpose"(%kr) {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x?x8xf32>) -> tensor<1x4x8x?xf32>
  %s = gemma_onnx.node "MatMul"(%qt, %kT) : (tensor<1x4x?x8xf32>, tensor<1x4x8x?xf32>) -> tensor<1x4x?x?xf32>
  %s2 = gemma_onnx.node "Identity"(%s) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %sm = gemma_onnx.node "Add"(%s2, %mask) : (tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x4x?x?xf32>
  %p = gemma_onnx.node "Softmax"(%sm) {axis = -1 : i64} : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %nan = gemma_onnx.node "IsNaN"(%p) : (tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xi1>
  %p2 = gemma_onnx.node "Where"(%nan, %zero, %p) : (tensor<1x4x?x?xi1>, tensor<f32>, tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %o = gemma_onnx.node "MatMul"(%p2, %vr) : (tensor<1x4x?x?xf32>, tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32>
  %ot = gemma_onnx.node "Transpose"(%o) {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x4x?x8xf32>) -> tensor<1x?x4x8xf32>
  %y = gemma_onnx.node "Reshape"(%ot, %flat) : (tensor<1x?x4x8xf32>, tensor<3xi64>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}
