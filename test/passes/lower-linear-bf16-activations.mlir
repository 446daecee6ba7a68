// gemma-lower-linear{bf16-activations} (gemmac --activations bf16, AVX512_BF16
// targets): a linear with bf16 weights rounds x to bf16 once per op, into
// two heap buffers (bf16, and the same values as f32). A single token (the
// decode GEMV) feeds 32 bf16 columns of x and of W to vdpbf16ps (two
// products per f32 lane) without widening W; token blocks (prefill), where
// several tokens share each widened weight vector, keep the FMA kernel on
// the rounded f32 copy. Weights that are not bf16, or whose input dimension
// is not a multiple of 32, keep the f32 kernel. See passes/Bf16Dot.cpp.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 bf16-activations=1}))' | FileCheck %s
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16}))' | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: func.func @linear_bf16(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x96xf32>, %[[W:[a-z0-9]+]]: memref<8x96xbf16>
// CHECK:         %[[XB:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x96xbf16>
// CHECK:         %[[XF:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x96xf32>
// CHECK:         scf.parallel
// CHECK:           vector.load %[[X]]{{.*}} : memref<?x96xf32>, vector<16xf32>
// CHECK:           %[[R:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK:           vector.store %[[R]], %[[XB]]
// CHECK:           %[[RF:.*]] = arith.extf %[[R]] : vector<16xbf16> to vector<16xf32>
// CHECK:           vector.store %[[RF]], %[[XF]]
// Token blocks: FMA on the rounded f32 copy.
// CHECK:         scf.parallel
// CHECK:           scf.for %{{.*}} iter_args({{.*}}) -> (vector<16xf32>
// CHECK:             vector.load %[[XF]][{{.*}}] : memref<?x96xf32>, vector<16xf32>
// CHECK:             math.fma
// Single tokens: vdpbf16ps on the bf16 copy and unwidened weights.
// CHECK:           scf.for %{{.*}} iter_args({{.*}}) -> (vector<16xf32>
// CHECK:             vector.load %[[XB]][{{.*}}] : memref<?x96xbf16>, vector<32xbf16>
// CHECK:             vector.load %[[W]][{{.*}}] : memref<8x96xbf16>, vector<32xbf16>
// CHECK-NOT:         arith.extf
// CHECK:             llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"({{.*}}) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
// CHECK:         vector.reduction <add>
// CHECK:         memref.dealloc %[[XB]]
// CHECK:         memref.dealloc %[[XF]]
// CHECK:         return
// Without the option x stays f32 (the one alloc is PairedBf16Dot's split x,
// whose kernel widens the weights by a shift and a mask).
// OFF-LABEL:   func.func @linear_bf16(
// OFF-NOT:       memref<?x96xbf16>
// OFF:           memref.alloc(%{{.*}}) : memref<?x96xf32>
// OFF-NOT:       memref.alloc
// OFF-NOT:       llvm.call_intrinsic
// OFF-NOT:       arith.extf
// OFF:           arith.andi %{{.*}} : vector<16xi32>
// OFF:           math.fma
// OFF:           return
func.func @linear_bf16(%x: memref<?x96xf32>, %w: memref<8x96xbf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y : memref<?x96xf32>, memref<8x96xbf16> -> memref<?x8xf32>
  return
}

// Experts: the routed rows of a 3-D x are rounded too.
// CHECK-LABEL: func.func @experts_bf16(
// CHECK:         memref.alloc(%{{.*}}) : memref<?x2x64xbf16>
// CHECK:         memref.alloc(%{{.*}}) : memref<?x2x64xf32>
// CHECK:         llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
// CHECK:         memref.dealloc
func.func @experts_bf16(%x: memref<?x2x64xf32>, %w: memref<4x8x64xbf16>, %ids: memref<?x2xi32>, %y: memref<?x2x8xf32>) {
  gemma.expert_linear %x, %w, %ids -> %y : memref<?x2x64xf32>, memref<4x8x64xbf16>, memref<?x2xi32> -> memref<?x2x8xf32>
  return
}

// Not applied: f32 weights, an input dimension of 40 (not whole 32-column
// steps), and int8 weights (their form is int8-activations').
// CHECK-LABEL: func.func @not_applied(
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     llvm.call_intrinsic
// CHECK:         return
func.func @not_applied(%x: memref<?x64xf32>, %wf: memref<8x64xf32>, %x40: memref<?x40xf32>, %w40: memref<8x40xbf16>, %wq: memref<8x64xi8>, %s: memref<8x2xf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %wf -> %y : memref<?x64xf32>, memref<8x64xf32> -> memref<?x8xf32>
  gemma.linear %x40, %w40 -> %y : memref<?x40xf32>, memref<8x40xbf16> -> memref<?x8xf32>
  gemma.linear %x, %wq scales %s -> %y : memref<?x64xf32>, memref<8x64xi8>, memref<8x2xf16> -> memref<?x8xf32>
  return
}
