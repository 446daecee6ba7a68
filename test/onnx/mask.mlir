// RUN: gemma-opt %s --gemma-onnx-raise=only=mask --split-input-file | FileCheck %s
// Attention masks from transformers' predicate construction over query
// index q (axis -2) and key index k (axis -1).

// Sliding window: k <= q and k > q - 8, AND-ed with a constant-true padding mask.
// CHECK-LABEL: func.func @sliding
// CHECK: %[[M:.*]] = gemma_onnx.mask() {window = 8 : i64} : () -> tensor<1x1x?x?xf32>
// CHECK: return %[[M]]
func.func @sliding(%n: tensor<i64>) -> tensor<1x1x?x?xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax01 = gemma_onnx.initializer "ax01" {value = dense<[0, 1]> : tensor<2xi64>} : tensor<2xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %w = gemma_onnx.initializer "w" {value = dense<8> : tensor<i64>} : tensor<i64>
  %true = gemma_onnx.initializer "true" {value = dense<true> : tensor<i1>} : tensor<i1>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %ninf = gemma_onnx.initializer "ninf" {value = dense<-3.40282347E+38> : tensor<f32>} : tensor<f32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %r2 = gemma_onnx.node "Unsqueeze"(%r, %ax01) : (tensor<?xi64>, tensor<2xi64>) -> tensor<1x1x?xi64>
  %q = gemma_onnx.node "Unsqueeze"(%r2, %ax3) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x?x1xi64>
  %k = gemma_onnx.node "Unsqueeze"(%r2, %ax2) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x1x?xi64>
  %causal = gemma_onnx.node "LessOrEqual"(%k, %q) : (tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) -> tensor<1x1x?x?xi1>
  %qw = gemma_onnx.node "Sub"(%q, %w) : (tensor<1x1x?x1xi64>, tensor<i64>) -> tensor<1x1x?x1xi64>
  %win = gemma_onnx.node "Greater"(%k, %qw) : (tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) -> tensor<1x1x?x?xi1>
  %a = gemma_onnx.node "And"(%true, %win) : (tensor<i1>, tensor<1x1x?x?xi1>) -> tensor<1x1x?x?xi1>
  %b = gemma_onnx.node "And"(%a, %causal) : (tensor<1x1x?x?xi1>, tensor<1x1x?x?xi1>) -> tensor<1x1x?x?xi1>
  %m = gemma_onnx.node "Where"(%b, %zero, %ninf) : (tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x?x?xf32>
  return %m : tensor<1x1x?x?xf32>
}

// -----
// Causal only.
// CHECK-LABEL: func.func @causal
// CHECK: gemma_onnx.mask() {window = 0 : i64}
func.func @causal(%n: tensor<i64>) -> tensor<1x1x?x?xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax01 = gemma_onnx.initializer "ax01" {value = dense<[0, 1]> : tensor<2xi64>} : tensor<2xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %ninf = gemma_onnx.initializer "ninf" {value = dense<0xFF800000> : tensor<f32>} : tensor<f32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %r2 = gemma_onnx.node "Unsqueeze"(%r, %ax01) : (tensor<?xi64>, tensor<2xi64>) -> tensor<1x1x?xi64>
  %q = gemma_onnx.node "Unsqueeze"(%r2, %ax3) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x?x1xi64>
  %k = gemma_onnx.node "Unsqueeze"(%r2, %ax2) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x1x?xi64>
  %causal = gemma_onnx.node "LessOrEqual"(%k, %q) : (tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) -> tensor<1x1x?x?xi1>
  %m = gemma_onnx.node "Where"(%causal, %zero, %ninf) : (tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x?x?xf32>
  return %m : tensor<1x1x?x?xf32>
}

// -----
// Negative: k < q (strict) also masks the diagonal: not the causal mask.
// CHECK-LABEL: func.func @strict
// CHECK-NOT: gemma_onnx.mask
// CHECK: gemma_onnx.node "Where"
func.func @strict(%n: tensor<i64>) -> tensor<1x1x?x?xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax01 = gemma_onnx.initializer "ax01" {value = dense<[0, 1]> : tensor<2xi64>} : tensor<2xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %ninf = gemma_onnx.initializer "ninf" {value = dense<0xFF800000> : tensor<f32>} : tensor<f32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %r2 = gemma_onnx.node "Unsqueeze"(%r, %ax01) : (tensor<?xi64>, tensor<2xi64>) -> tensor<1x1x?xi64>
  %q = gemma_onnx.node "Unsqueeze"(%r2, %ax3) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x?x1xi64>
  %k = gemma_onnx.node "Unsqueeze"(%r2, %ax2) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x1x?xi64>
  %lt = gemma_onnx.node "Less"(%k, %q) : (tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) -> tensor<1x1x?x?xi1>
  %m = gemma_onnx.node "Where"(%lt, %zero, %ninf) : (tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x?x?xf32>
  return %m : tensor<1x1x?x?xf32>
}

// -----
// Negative: the roles of q and k swapped (k >= q: anti-causal).
// CHECK-LABEL: func.func @anticausal
// CHECK-NOT: gemma_onnx.mask
func.func @anticausal(%n: tensor<i64>) -> tensor<1x1x?x?xf32> {
  %zero_i = gemma_onnx.initializer "zi" {value = dense<0> : tensor<i64>} : tensor<i64>
  %one_i = gemma_onnx.initializer "oi" {value = dense<1> : tensor<i64>} : tensor<i64>
  %ax01 = gemma_onnx.initializer "ax01" {value = dense<[0, 1]> : tensor<2xi64>} : tensor<2xi64>
  %ax3 = gemma_onnx.initializer "ax3" {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %ax2 = gemma_onnx.initializer "ax2" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %ninf = gemma_onnx.initializer "ninf" {value = dense<0xFF800000> : tensor<f32>} : tensor<f32>
  %r = gemma_onnx.node "Range"(%zero_i, %n, %one_i) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %r2 = gemma_onnx.node "Unsqueeze"(%r, %ax01) : (tensor<?xi64>, tensor<2xi64>) -> tensor<1x1x?xi64>
  %q = gemma_onnx.node "Unsqueeze"(%r2, %ax3) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x?x1xi64>
  %k = gemma_onnx.node "Unsqueeze"(%r2, %ax2) : (tensor<1x1x?xi64>, tensor<1xi64>) -> tensor<1x1x1x?xi64>
  %le = gemma_onnx.node "LessOrEqual"(%q, %k) : (tensor<1x1x?x1xi64>, tensor<1x1x1x?xi64>) -> tensor<1x1x?x?xi1>
  %m = gemma_onnx.node "Where"(%le, %zero, %ninf) : (tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x?x?xf32>
  return %m : tensor<1x1x?x?xf32>
}
