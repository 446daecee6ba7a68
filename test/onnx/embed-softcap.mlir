// RUN: gemma-opt %s --gemma-onnx-raise=only=embed,softcap --split-input-file | FileCheck %s
// Scaled embedding lookup and the final logit soft-cap.

// CHECK-LABEL: func.func @embed
// CHECK: %[[E:.*]] = gemma_onnx.embed(%arg0, %{{.*}}) {scale = 11.313708305358887 : f64}
// CHECK: return %[[E]]
func.func @embed(%ids: tensor<1x?xi64>) -> tensor<1x?x128xf32> {
  %table = gemma_onnx.initializer "table" : tensor<512x128xf32>
  %scale = gemma_onnx.initializer "scale" {value = dense<11.3137083> : tensor<f32>} : tensor<f32>
  %g = gemma_onnx.node "Gather"(%table, %ids) {axis = 0 : i64} : (tensor<512x128xf32>, tensor<1x?xi64>) -> tensor<1x?x128xf32>
  %m = gemma_onnx.node "Mul"(%g, %scale) : (tensor<1x?x128xf32>, tensor<f32>) -> tensor<1x?x128xf32>
  return %m : tensor<1x?x128xf32>
}

// -----
// CHECK-LABEL: func.func @softcap
// CHECK: %[[S:.*]] = gemma_onnx.softcap(%arg0) {cap = 3.000000e+01 : f64}
// CHECK: return %[[S]]
func.func @softcap(%x: tensor<1x?x512xf32>) -> tensor<1x?x512xf32> {
  %c = gemma_onnx.initializer "cap" {value = dense<30.0> : tensor<f32>} : tensor<f32>
  %d = gemma_onnx.node "Div"(%x, %c) : (tensor<1x?x512xf32>, tensor<f32>) -> tensor<1x?x512xf32>
  %t = gemma_onnx.node "Tanh"(%d) : (tensor<1x?x512xf32>) -> tensor<1x?x512xf32>
  %m = gemma_onnx.node "Mul"(%t, %c) : (tensor<1x?x512xf32>, tensor<f32>) -> tensor<1x?x512xf32>
  return %m : tensor<1x?x512xf32>
}

// -----
// Negative: inner and outer constants differ: not a soft-cap.
// CHECK-LABEL: func.func @not_softcap
// CHECK-NOT: gemma_onnx.softcap
// CHECK: gemma_onnx.node "Tanh"
func.func @not_softcap(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = gemma_onnx.initializer "c" {value = dense<30.0> : tensor<f32>} : tensor<f32>
  %c2 = gemma_onnx.initializer "c2" {value = dense<50.0> : tensor<f32>} : tensor<f32>
  %d = gemma_onnx.node "Div"(%x, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %t = gemma_onnx.node "Tanh"(%d) : (tensor<4xf32>) -> tensor<4xf32>
  %m = gemma_onnx.node "Mul"(%t, %c2) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %m : tensor<4xf32>
}
