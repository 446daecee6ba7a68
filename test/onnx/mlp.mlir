// RUN: gemma-opt %s --gemma-onnx-raise=only=linear,mlp --split-input-file | FileCheck %s
// Gated GELU MLP: down(gelu_tanh(gate x) * up x).

// CHECK-LABEL: func.func @mlp
// CHECK: %[[M:.*]] = gemma_onnx.gelu_mlp(%arg0, %[[G:.*]], %[[U:.*]], %[[D:.*]]) {in_out}
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[M]]
func.func @mlp(%x: tensor<1x?x8xf32>) -> tensor<1x?x8xf32> {
  %g = gemma_onnx.initializer "gate" : tensor<8x16xf32>
  %u = gemma_onnx.initializer "up" : tensor<8x16xf32>
  %d = gemma_onnx.initializer "down" : tensor<16x8xf32>
  %a = gemma_onnx.node "MatMul"(%x, %g) : (tensor<1x?x8xf32>, tensor<8x16xf32>) -> tensor<1x?x16xf32>
  %ga = gemma_onnx.node "Gelu"(%a) {approximate = "tanh"} : (tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %b = gemma_onnx.node "MatMul"(%x, %u) : (tensor<1x?x8xf32>, tensor<8x16xf32>) -> tensor<1x?x16xf32>
  %p = gemma_onnx.node "Mul"(%ga, %b) : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %y = gemma_onnx.node "MatMul"(%p, %d) : (tensor<1x?x16xf32>, tensor<16x8xf32>) -> tensor<1x?x8xf32>
  return %y : tensor<1x?x8xf32>
}

// -----
// Negative: the erf GELU is not Gemma's activation (spec 2.7).
// CHECK-LABEL: func.func @erf_gelu
// CHECK-NOT: gemma_onnx.gelu_mlp
// CHECK: gemma_onnx.node "Gelu"
func.func @erf_gelu(%x: tensor<1x?x8xf32>) -> tensor<1x?x8xf32> {
  %g = gemma_onnx.initializer "gate" : tensor<8x16xf32>
  %u = gemma_onnx.initializer "up" : tensor<8x16xf32>
  %d = gemma_onnx.initializer "down" : tensor<16x8xf32>
  %a = gemma_onnx.node "MatMul"(%x, %g) : (tensor<1x?x8xf32>, tensor<8x16xf32>) -> tensor<1x?x16xf32>
  %ga = gemma_onnx.node "Gelu"(%a) : (tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %b = gemma_onnx.node "MatMul"(%x, %u) : (tensor<1x?x8xf32>, tensor<8x16xf32>) -> tensor<1x?x16xf32>
  %p = gemma_onnx.node "Mul"(%ga, %b) : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %y = gemma_onnx.node "MatMul"(%p, %d) : (tensor<1x?x16xf32>, tensor<16x8xf32>) -> tensor<1x?x8xf32>
  return %y : tensor<1x?x8xf32>
}

// -----
// Negative: gate and up read different inputs.
// CHECK-LABEL: func.func @two_inputs
// CHECK-NOT: gemma_onnx.gelu_mlp
func.func @two_inputs(%x: tensor<1x?x8xf32>, %z: tensor<1x?x8xf32>) -> tensor<1x?x8xf32> {
  %g = gemma_onnx.initializer "gate" : tensor<8x16xf32>
  %u = gemma_onnx.initializer "up" : tensor<8x16xf32>
  %d = gemma_onnx.initializer "down" : tensor<16x8xf32>
  %a = gemma_onnx.node "MatMul"(%x, %g) : (tensor<1x?x8xf32>, tensor<8x16xf32>) -> tensor<1x?x16xf32>
  %ga = gemma_onnx.node "Gelu"(%a) {approximate = "tanh"} : (tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %b = gemma_onnx.node "MatMul"(%z, %u) : (tensor<1x?x8xf32>, tensor<8x16xf32>) -> tensor<1x?x16xf32>
  %p = gemma_onnx.node "Mul"(%ga, %b) : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %y = gemma_onnx.node "MatMul"(%p, %d) : (tensor<1x?x16xf32>, tensor<16x8xf32>) -> tensor<1x?x8xf32>
  return %y : tensor<1x?x8xf32>
}
