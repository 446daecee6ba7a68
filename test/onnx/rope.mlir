// RUN: gemma-opt %s --gemma-onnx-raise=only=rope --split-input-file | FileCheck %s
// Rotate-half RoPE; theta and the rotated pairs come from the inv_freq table.

// Default RoPE, theta 1e4, d = 8: inv_freq = 1e4^(-2i/8).
// CHECK-LABEL: func.func @default
// CHECK: %[[R:.*]] = gemma_onnx.rope(%arg0) {pairs = 4 : i64, theta = 1.000000e+04 : f64}
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[R]]
func.func @default(%x: tensor<1x?x2x8xf32>, %n: tensor<i64>) -> tensor<1x?x2x8xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax0 = gemma_onnx.initializer "ax0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %ax1 = gemma_onnx.initializer "ax1" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %s0 = gemma_onnx.initializer "s0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %lo = gemma_onnx.initializer "lo" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %hi = gemma_onnx.initializer "hi" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %end = gemma_onnx.initializer "end" {value = dense<9223372036854775807> : tensor<1xi64>} : tensor<1xi64>
  %inv = gemma_onnx.initializer "inv_freq" {value = dense<[[[1.0], [0.1], [0.01], [0.001]]]> : tensor<1x4x1xf32>} : tensor<1x4x1xf32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %p1 = gemma_onnx.node "Unsqueeze"(%r, %ax0) : (tensor<?xi64>, tensor<1xi64>) -> tensor<1x?xi64>
  %p2 = gemma_onnx.node "Unsqueeze"(%p1, %ax1) : (tensor<1x?xi64>, tensor<1xi64>) -> tensor<1x1x?xi64>
  %pf = gemma_onnx.node "Cast"(%p2) {to = 1 : i64} : (tensor<1x1x?xi64>) -> tensor<1x1x?xf32>
  %f = gemma_onnx.node "MatMul"(%inv, %pf) : (tensor<1x4x1xf32>, tensor<1x1x?xf32>) -> tensor<1x4x?xf32>
  %ft = gemma_onnx.node "Transpose"(%f) {perm = array<i64: 0, 2, 1>} : (tensor<1x4x?xf32>) -> tensor<1x?x4xf32>
  %e = gemma_onnx.node "Concat"(%ft, %ft) {axis = -1 : i64} : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x8xf32>
  %cos = gemma_onnx.node "Cos"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %sin = gemma_onnx.node "Sin"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %cu = gemma_onnx.node "Unsqueeze"(%cos, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %su = gemma_onnx.node "Unsqueeze"(%sin, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %xc = gemma_onnx.node "Mul"(%x, %cu) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %x1 = gemma_onnx.node "Slice"(%x, %s0, %lo, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %x2 = gemma_onnx.node "Slice"(%x, %hi, %end, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %nx2 = gemma_onnx.node "Neg"(%x2) : (tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %rot = gemma_onnx.node "Concat"(%nx2, %x1) {axis = -1 : i64} : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x8xf32>
  %rs = gemma_onnx.node "Mul"(%rot, %su) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %y = gemma_onnx.node "Add"(%xc, %rs) : (tensor<1x?x2x8xf32>, tensor<1x?x2x8xf32>) -> tensor<1x?x2x8xf32>
  return %y : tensor<1x?x2x8xf32>
}

// -----
// Proportional RoPE (Gemma 4 full layers): theta 1e6, 2 of 4 pairs rotate,
// the denominator is still the full head dim.
// CHECK-LABEL: func.func @proportional
// CHECK: gemma_onnx.rope(%arg0) {pairs = 2 : i64, theta = 1.000000e+06 : f64}
func.func @proportional(%x: tensor<1x?x2x8xf32>, %n: tensor<i64>) -> tensor<1x?x2x8xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax0 = gemma_onnx.initializer "ax0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %ax1 = gemma_onnx.initializer "ax1" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %s0 = gemma_onnx.initializer "s0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %lo = gemma_onnx.initializer "lo" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %hi = gemma_onnx.initializer "hi" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %end = gemma_onnx.initializer "end" {value = dense<9223372036854775807> : tensor<1xi64>} : tensor<1xi64>
  %inv = gemma_onnx.initializer "inv_freq" {value = dense<[[[1.0], [0.0316227749], [0.0], [0.0]]]> : tensor<1x4x1xf32>} : tensor<1x4x1xf32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %p1 = gemma_onnx.node "Unsqueeze"(%r, %ax0) : (tensor<?xi64>, tensor<1xi64>) -> tensor<1x?xi64>
  %p2 = gemma_onnx.node "Unsqueeze"(%p1, %ax1) : (tensor<1x?xi64>, tensor<1xi64>) -> tensor<1x1x?xi64>
  %pf = gemma_onnx.node "Cast"(%p2) {to = 1 : i64} : (tensor<1x1x?xi64>) -> tensor<1x1x?xf32>
  %f = gemma_onnx.node "MatMul"(%inv, %pf) : (tensor<1x4x1xf32>, tensor<1x1x?xf32>) -> tensor<1x4x?xf32>
  %ft = gemma_onnx.node "Transpose"(%f) {perm = array<i64: 0, 2, 1>} : (tensor<1x4x?xf32>) -> tensor<1x?x4xf32>
  %e = gemma_onnx.node "Concat"(%ft, %ft) {axis = -1 : i64} : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x8xf32>
  %cos = gemma_onnx.node "Cos"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %sin = gemma_onnx.node "Sin"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %cu = gemma_onnx.node "Unsqueeze"(%cos, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %su = gemma_onnx.node "Unsqueeze"(%sin, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %xc = gemma_onnx.node "Mul"(%x, %cu) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %x1 = gemma_onnx.node "Slice"(%x, %s0, %lo, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %x2 = gemma_onnx.node "Slice"(%x, %hi, %end, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %nx2 = gemma_onnx.node "Neg"(%x2) : (tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %rot = gemma_onnx.node "Concat"(%nx2, %x1) {axis = -1 : i64} : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x8xf32>
  %rs = gemma_onnx.node "Mul"(%rot, %su) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %y = gemma_onnx.node "Add"(%xc, %rs) : (tensor<1x?x2x8xf32>, tensor<1x?x2x8xf32>) -> tensor<1x?x2x8xf32>
  return %y : tensor<1x?x2x8xf32>
}

// -----
// Negative: a table that is no power series (a zero between non-zeros).
// CHECK-LABEL: func.func @bad_table
// CHECK-NOT: gemma_onnx.rope
func.func @bad_table(%x: tensor<1x?x2x8xf32>, %n: tensor<i64>) -> tensor<1x?x2x8xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax0 = gemma_onnx.initializer "ax0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %ax1 = gemma_onnx.initializer "ax1" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %s0 = gemma_onnx.initializer "s0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %lo = gemma_onnx.initializer "lo" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %hi = gemma_onnx.initializer "hi" {value = dense<4> : tensor<1xi64>} : tensor<1xi64>
  %end = gemma_onnx.initializer "end" {value = dense<9223372036854775807> : tensor<1xi64>} : tensor<1xi64>
  %inv = gemma_onnx.initializer "inv_freq" {value = dense<[[[1.0], [0.0], [0.01], [0.0]]]> : tensor<1x4x1xf32>} : tensor<1x4x1xf32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %p1 = gemma_onnx.node "Unsqueeze"(%r, %ax0) : (tensor<?xi64>, tensor<1xi64>) -> tensor<1x?xi64>
  %p2 = gemma_onnx.node "Unsqueeze"(%p1, %ax1) : (tensor<1x?xi64>, tensor<1xi64>) -> tensor<1x1x?xi64>
  %pf = gemma_onnx.node "Cast"(%p2) {to = 1 : i64} : (tensor<1x1x?xi64>) -> tensor<1x1x?xf32>
  %f = gemma_onnx.node "MatMul"(%inv, %pf) : (tensor<1x4x1xf32>, tensor<1x1x?xf32>) -> tensor<1x4x?xf32>
  %ft = gemma_onnx.node "Transpose"(%f) {perm = array<i64: 0, 2, 1>} : (tensor<1x4x?xf32>) -> tensor<1x?x4xf32>
  %e = gemma_onnx.node "Concat"(%ft, %ft) {axis = -1 : i64} : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x8xf32>
  %cos = gemma_onnx.node "Cos"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %sin = gemma_onnx.node "Sin"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %cu = gemma_onnx.node "Unsqueeze"(%cos, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %su = gemma_onnx.node "Unsqueeze"(%sin, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %xc = gemma_onnx.node "Mul"(%x, %cu) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %x1 = gemma_onnx.node "Slice"(%x, %s0, %lo, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %x2 = gemma_onnx.node "Slice"(%x, %hi, %end, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %nx2 = gemma_onnx.node "Neg"(%x2) : (tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %rot = gemma_onnx.node "Concat"(%nx2, %x1) {axis = -1 : i64} : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x8xf32>
  %rs = gemma_onnx.node "Mul"(%rot, %su) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %y = gemma_onnx.node "Add"(%xc, %rs) : (tensor<1x?x2x8xf32>, tensor<1x?x2x8xf32>) -> tensor<1x?x2x8xf32>
  return %y : tensor<1x?x2x8xf32>
}

// -----
// Negative: halves split at the wrong place (partial rotary of the first
// dims with pairs (j, j+2), a known wrong variant, spec 2.5).
// CHECK-LABEL: func.func @wrong_split
// CHECK-NOT: gemma_onnx.rope
func.func @wrong_split(%x: tensor<1x?x2x8xf32>, %n: tensor<i64>) -> tensor<1x?x2x8xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax0 = gemma_onnx.initializer "ax0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %ax1 = gemma_onnx.initializer "ax1" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %s0 = gemma_onnx.initializer "s0" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %lo = gemma_onnx.initializer "lo" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %hi = gemma_onnx.initializer "hi" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %end = gemma_onnx.initializer "end" {value = dense<9223372036854775807> : tensor<1xi64>} : tensor<1xi64>
  %inv = gemma_onnx.initializer "inv_freq" {value = dense<[[[1.0], [0.1], [0.01], [0.001]]]> : tensor<1x4x1xf32>} : tensor<1x4x1xf32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %p1 = gemma_onnx.node "Unsqueeze"(%r, %ax0) : (tensor<?xi64>, tensor<1xi64>) -> tensor<1x?xi64>
  %p2 = gemma_onnx.node "Unsqueeze"(%p1, %ax1) : (tensor<1x?xi64>, tensor<1xi64>) -> tensor<1x1x?xi64>
  %pf = gemma_onnx.node "Cast"(%p2) {to = 1 : i64} : (tensor<1x1x?xi64>) -> tensor<1x1x?xf32>
  %f = gemma_onnx.node "MatMul"(%inv, %pf) : (tensor<1x4x1xf32>, tensor<1x1x?xf32>) -> tensor<1x4x?xf32>
  %ft = gemma_onnx.node "Transpose"(%f) {perm = array<i64: 0, 2, 1>} : (tensor<1x4x?xf32>) -> tensor<1x?x4xf32>
  %e = gemma_onnx.node "Concat"(%ft, %ft) {axis = -1 : i64} : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x8xf32>
  %cos = gemma_onnx.node "Cos"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %sin = gemma_onnx.node "Sin"(%e) : (tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %cu = gemma_onnx.node "Unsqueeze"(%cos, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %su = gemma_onnx.node "Unsqueeze"(%sin, %ax2) : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1x8xf32>
  %xc = gemma_onnx.node "Mul"(%x, %cu) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %x1 = gemma_onnx.node "Slice"(%x, %s0, %lo, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %x2 = gemma_onnx.node "Slice"(%x, %hi, %end, %ax3, %ax1) : (tensor<1x?x2x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x2x4xf32>
  %nx2 = gemma_onnx.node "Neg"(%x2) : (tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %rot = gemma_onnx.node "Concat"(%nx2, %x1) {axis = -1 : i64} : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x8xf32>
  %rs = gemma_onnx.node "Mul"(%rot, %su) : (tensor<1x?x2x8xf32>, tensor<1x?x1x8xf32>) -> tensor<1x?x2x8xf32>
  %y = gemma_onnx.node "Add"(%xc, %rs) : (tensor<1x?x2x8xf32>, tensor<1x?x2x8xf32>) -> tensor<1x?x2x8xf32>
  return %y : tensor<1x?x2x8xf32>
}
