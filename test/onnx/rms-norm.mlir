// RUN: gemma-opt %s --gemma-onnx-raise=only=rms-norm --split-input-file | FileCheck %s
// RMSNorm as torch.onnx exports Gemma4RMSNorm, with and without weight.

// CHECK-LABEL: func.func @weighted
// CHECK: %[[N:.*]] = gemma_onnx.rms_norm(%arg0, %{{.*}}) {eps = 9.9999999999999995E-7 : f64}
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[N]]
func.func @weighted(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %axes = gemma_onnx.initializer "axes" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %w = gemma_onnx.initializer "w" : tensor<8xf32>
  %sq = gemma_onnx.node "Pow"(%x, %two) : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %axes) {keepdims = 1 : i64} : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %sum = gemma_onnx.node "Add"(%mean, %eps) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %r = gemma_onnx.node "Pow"(%sum, %mhalf) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %n = gemma_onnx.node "Mul"(%x, %r) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = gemma_onnx.node "Mul"(%n, %w) : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----
// Weightless (v_norm), with the reciprocal root written 1/Sqrt and the
// operands of Add and Mul swapped.
// CHECK-LABEL: func.func @weightless
// CHECK: %[[N:.*]] = gemma_onnx.rms_norm(%arg0) {eps = 9.9999999999999995E-7 : f64} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[N]]
func.func @weightless(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %axes = gemma_onnx.initializer "axes" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %sq = gemma_onnx.node "Pow"(%x, %two) : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %axes) : (tensor<2x4x8xf32>, tensor<1xi64>) -> tensor<2x4x1xf32>
  %sum = gemma_onnx.node "Add"(%eps, %mean) : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %s = gemma_onnx.node "Sqrt"(%sum) : (tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %r = gemma_onnx.node "Reciprocal"(%s) : (tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %n = gemma_onnx.node "Mul"(%r, %x) : (tensor<2x4x1xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %n : tensor<2x4x8xf32>
}

// -----
// A shared weightless norm (k_eq_v: k_norm and v_norm) stays for its other
// reader while the weighted one is raised on its own.
// CHECK-LABEL: func.func @shared
// CHECK-DAG: %[[V:.*]] = gemma_onnx.rms_norm(%arg0) {{.*}} -> tensor<2x8xf32>
// CHECK-DAG: %[[K:.*]] = gemma_onnx.rms_norm(%arg0, %{{.*}}) {{.*}} -> tensor<2x8xf32>
// CHECK: return %[[K]], %[[V]]
func.func @shared(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %axes = gemma_onnx.initializer "axes" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %w = gemma_onnx.initializer "w" : tensor<8xf32>
  %sq = gemma_onnx.node "Pow"(%x, %two) : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %sum = gemma_onnx.node "Add"(%mean, %eps) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %r = gemma_onnx.node "Pow"(%sum, %mhalf) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %n = gemma_onnx.node "Mul"(%x, %r) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %k = gemma_onnx.node "Mul"(%n, %w) : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %k, %n : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----
// Negative: epsilon added after the root, (mean(x^2))^-1/2 + eps, is another
// function; it must not become an RMSNorm.
// CHECK-LABEL: func.func @eps_outside
// CHECK-NOT: gemma_onnx.rms_norm
// CHECK: gemma_onnx.node "Mul"
func.func @eps_outside(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %axes = gemma_onnx.initializer "axes" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %sq = gemma_onnx.node "Pow"(%x, %two) : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %r = gemma_onnx.node "Pow"(%mean, %mhalf) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %re = gemma_onnx.node "Add"(%r, %eps) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %n = gemma_onnx.node "Mul"(%x, %re) : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  return %n : tensor<2x8xf32>
}

// -----
// Negative: the mean over another axis than the last.
// CHECK-LABEL: func.func @wrong_axis
// CHECK-NOT: gemma_onnx.rms_norm
func.func @wrong_axis(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %axes = gemma_onnx.initializer "axes" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %sq = gemma_onnx.node "Pow"(%x, %two) : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %axes) : (tensor<2x8xf32>, tensor<1xi64>) -> tensor<1x8xf32>
  %sum = gemma_onnx.node "Add"(%mean, %eps) : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %r = gemma_onnx.node "Pow"(%sum, %mhalf) : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %n = gemma_onnx.node "Mul"(%x, %r) : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %n : tensor<2x8xf32>
}
