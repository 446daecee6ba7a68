// RUN: gemma-opt %s --gemma-onnx-raise=only=linear | FileCheck %s
// Projections by a weight initializer, in the three layouts torch.onnx uses.

// CHECK-LABEL: func.func @layouts
// CHECK: %[[A:.*]] = gemma_onnx.linear(%arg0, %{{.*}}) {in_out} : (tensor<3x8xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
// CHECK: %[[B:.*]] = gemma_onnx.linear(%arg0, %{{.*}}) : (tensor<3x8xf32>, tensor<4x8xf32>) -> tensor<3x4xf32>
// CHECK: %[[C:.*]] = gemma_onnx.linear(%arg0, %{{.*}}) : (tensor<3x8xf32>, tensor<4x8xf32>) -> tensor<3x4xf32>
// Negative: two activations (attention scores) are no linear.
// CHECK: gemma_onnx.node "MatMul"(%arg0, %arg1)
func.func @layouts(%x: tensor<3x8xf32>, %y: tensor<8x3xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x3xf32>) {
  %w_io = gemma_onnx.initializer "w_io" : tensor<8x4xf32>
  %w_oi = gemma_onnx.initializer "w_oi" : tensor<4x8xf32>
  %a = gemma_onnx.node "MatMul"(%x, %w_io) : (tensor<3x8xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
  %t = gemma_onnx.node "Transpose"(%w_oi) {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %b = gemma_onnx.node "MatMul"(%x, %t) : (tensor<3x8xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
  %c = gemma_onnx.node "Gemm"(%x, %w_oi) {transB = 1 : i64, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<3x8xf32>, tensor<4x8xf32>) -> tensor<3x4xf32>
  %s = gemma_onnx.node "MatMul"(%x, %y) : (tensor<3x8xf32>, tensor<8x3xf32>) -> tensor<3x3xf32>
  return %a, %b, %c, %s : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x3xf32>
}

// Negative: a Gemm with a bias is not a bias-free linear.
// CHECK-LABEL: func.func @bias
// CHECK: gemma_onnx.node "Gemm"
func.func @bias(%x: tensor<3x8xf32>) -> tensor<3x4xf32> {
  %w = gemma_onnx.initializer "w" : tensor<4x8xf32>
  %bias = gemma_onnx.initializer "bias" : tensor<4xf32>
  %c = gemma_onnx.node "Gemm"(%x, %w, %bias) {transB = 1 : i64} : (tensor<3x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %c : tensor<3x4xf32>
}
