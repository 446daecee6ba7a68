// gemma-approximate-math: exp and tanh become polynomials (no libm calls,
// stay vectorised); sin, cos and pow keep their exact math ops.
//
// RUN: gemma-opt %s --gemma-approximate-math | FileCheck %s
// RUN: gemma-opt %s --pass-pipeline='builtin.module(gemma-approximate-math)' | FileCheck %s

// CHECK-LABEL: func.func @vector_exp_tanh(
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.tanh
// CHECK:       arith.{{.*}} : vector<8xf32>
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.tanh
// CHECK:       return %{{.*}}, %{{.*}} : vector<8xf32>, vector<16xf32>
func.func @vector_exp_tanh(%a: vector<8xf32>, %b: vector<16xf32>) -> (vector<8xf32>, vector<16xf32>) {
  %0 = math.exp %a : vector<8xf32>
  %1 = math.tanh %b : vector<16xf32>
  return %0, %1 : vector<8xf32>, vector<16xf32>
}

// The scalar exps of the online softmax are approximated too.
// CHECK-LABEL: func.func @scalar_exp(
// CHECK-NOT:   math.exp
// CHECK:       return
func.func @scalar_exp(%a: f32) -> f32 {
  %0 = math.exp %a : f32
  return %0 : f32
}

// CHECK-LABEL: func.func @keeps_rope_math(
// CHECK:       math.powf
// CHECK:       math.cos
// CHECK:       math.sin
// CHECK:       math.rsqrt
// CHECK:       return
func.func @keeps_rope_math(%a: f32, %b: f32) -> (f32, f32, f32, f32) {
  %0 = math.powf %a, %b : f32
  %1 = math.cos %0 : f32
  %2 = math.sin %0 : f32
  %3 = math.rsqrt %a : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}
