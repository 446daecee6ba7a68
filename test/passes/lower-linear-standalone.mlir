// gemma-lower-linear must work on an input that does not already load the
// math dialect: it creates math.fma, so Passes.td must list
// ::mlir::math::MathDialect in GemmaLowerLinear's dependentDialects.
// (It used to abort with "Building op `math.fma` but it isn't known in this
// MLIRContext".)
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear))' | FileCheck %s

// CHECK-LABEL: func.func @linear
// CHECK: math.fma {{.*}} : vector<8xf32>
// CHECK-NOT: gemma.linear
func.func @linear(%x: memref<?x16xf32>, %w: memref<4x16xbf16>, %y: memref<?x4xf32>) {
  gemma.linear %x, %w -> %y : memref<?x16xf32>, memref<4x16xbf16> -> memref<?x4xf32>
  return
}
