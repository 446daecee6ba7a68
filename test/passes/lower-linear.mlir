// gemma-lower-linear: gemma.linear / gemma.expert_linear -> register-tiled
// scf.parallel + vector FMA loops.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8}))' | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16}))' | FileCheck %s --check-prefixes=CHECK,AVX512

func.func private @load_math_dialect(%a: f32) -> f32 {
  %0 = math.absf %a : f32
  return %0 : f32
}

// The generic kernel (DotBlock.cpp), here for bf16 weights whose input
// dimension is not whole 32-column steps (whole steps take the paired
// kernel: lower-linear-paired-bf16.mlir): a zero-extending load per vector
// of weights. 8 output rows = 2 blocks of 4 rows, no single-row remainder
// loop.
// CHECK-LABEL: func.func @linear_bf16(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x48xf32>, %[[W:[a-z0-9]+]]: memref<8x48xbf16>, %[[Y:[a-z0-9]+]]: memref<?x8xf32>
// CHECK-NOT:   gemma.linear
// CHECK:       scf.parallel
// CHECK:         scf.for
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<[[VL:8|16]]xf32>
// AVX2-SAME:         vector<8xf32>
// AVX512-SAME:       vector<16xf32>
// CHECK:             vector.load %[[X]][{{.*}}] : memref<?x48xf32>, vector<[[VL]]xf32>
// CHECK:             %[[WV:[a-z0-9_]+]] = vector.load %[[W]][{{.*}}] : memref<8x48xbf16>, vector<[[VL]]xbf16>
// CHECK:             %[[WF:[a-z0-9_]+]] = arith.extf %[[WV]] : vector<[[VL]]xbf16> to vector<[[VL]]xf32>
// CHECK:             math.fma %{{.*}}, %[[WF]], %{{.*}} : vector<[[VL]]xf32>
// CHECK:             scf.yield
// CHECK:           vector.reduction <add>, %{{.*}} : vector<[[VL]]xf32> into f32
// CHECK:           memref.store %{{.*}}, %[[Y]]
// CHECK-NOT:   scf.parallel
// CHECK-NOT:   gemma.linear
// CHECK:       return
func.func @linear_bf16(%x: memref<?x48xf32>, %w: memref<8x48xbf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y : memref<?x48xf32>, memref<8x48xbf16> -> memref<?x8xf32>
  return
}

// f32 weights are loaded as they are (no extf); 6 rows = one block of 4 and a
// second parallel loop for the 2 remaining rows; in = 20 leaves a scalar tail
// (16 vector + 4 scalar columns at either width).
// CHECK-LABEL: func.func @linear_f32_tail(
// CHECK-NOT:   arith.extf
// CHECK:       scf.parallel
// CHECK:         vector.load %{{.*}} : memref<6x20xf32>, vector<[[VL]]xf32>
// CHECK:         math.fma {{.*}} : vector<[[VL]]xf32>
// CHECK:         vector.reduction <add>
// CHECK:         memref.load %{{.*}} : memref<6x20xf32>
// CHECK:         math.fma {{.*}} : f32
// CHECK:       scf.parallel
// CHECK-NOT:   arith.extf
// CHECK:       return
func.func @linear_f32_tail(%x: memref<?x20xf32>, %w: memref<6x20xf32>, %y: memref<?x6xf32>) {
  gemma.linear %x, %w -> %y : memref<?x20xf32>, memref<6x20xf32> -> memref<?x6xf32>
  return
}

// Experts, grouped: a counting sort of the (token, slot) pairs by expert id
// into a stack buffer, then one parallel iteration per (active expert, row
// block) running a GEMM over that expert's pairs, 2 tokens per weight load
// (8 lanes) plus a single-token tail; only experts some token chose are
// visited (the parallel loop's bound is the active count).
// CHECK-LABEL: func.func @expert_linear(
// CHECK-SAME:      %[[EX:[a-z0-9]+]]: memref<?x48xf32>, %[[EW:[a-z0-9]+]]: memref<16x8x48xbf16>, %[[IDX:[a-z0-9]+]]: memref<?x4xi32>
// CHECK-NOT:   gemma.expert_linear
// CHECK:       memref.alloca_scope
// CHECK:         %[[OFF:[a-z0-9_]+]] = memref.alloca() : memref<17xindex>
// CHECK:         %[[ACT:[a-z0-9_]+]] = memref.alloca() : memref<16xindex>
// CHECK:         %[[PAIRS:[a-z0-9_]+]] = memref.alloca(%{{.*}}) : memref<?xindex>
// CHECK:         memref.load %[[IDX]]
// CHECK:         %[[NACT:[a-z0-9_]+]] = scf.for {{.*}} -> (index)
// CHECK:         scf.parallel (%[[A:[a-z0-9_]+]], %{{.*}}) = (%{{.*}}, %{{.*}}) to (%[[NACT]], %{{.*}})
// CHECK:           %[[E:[a-z0-9_]+]] = memref.load %[[ACT]][%[[A]]] : memref<16xindex>
// CHECK:           %[[BEGIN:[a-z0-9_]+]] = memref.load %[[OFF]][%[[E]]] : memref<17xindex>
// CHECK:           scf.for %[[P:[a-z0-9_]+]] = %[[BEGIN]] to %{{.*}} step %{{.*}} {
// CHECK:             %[[PAIR:[a-z0-9_]+]] = memref.load %[[PAIRS]][%[[P]]] : memref<?xindex>
// CHECK:             %[[T:[a-z0-9_]+]] = arith.divui %[[PAIR]]
// CHECK:             vector.load %[[EX]][%[[T]], %{{.*}}] : memref<?x48xf32>, vector<[[VL]]xf32>
// CHECK:             vector.load %[[EX]][%{{.*}}, %{{.*}}] : memref<?x48xf32>, vector<[[VL]]xf32>
// CHECK:             vector.load %[[EW]][%[[E]], %{{.*}}, %{{.*}}] : memref<16x8x48xbf16>, vector<[[VL]]xbf16>
// CHECK:             math.fma
// CHECK:             vector.reduction <add>
// CHECK-NOT:   gemma.expert_linear
// CHECK:       return
func.func @expert_linear(%x: memref<?x48xf32>, %w: memref<16x8x48xbf16>, %idx: memref<?x4xi32>, %y: memref<?x4x8xf32>) {
  gemma.expert_linear %x, %w, %idx -> %y : memref<?x48xf32>, memref<16x8x48xbf16>, memref<?x4xi32> -> memref<?x4x8xf32>
  return
}

// [T, K, in] input: x is indexed by (token, slot) of each grouped pair.
// CHECK-LABEL: func.func @expert_linear_3d(
// CHECK-SAME:      %[[X3:[a-z0-9]+]]: memref<?x4x32xf32>
// CHECK:       scf.parallel
// CHECK:         %[[PAIR3:[a-z0-9_]+]] = memref.load %{{.*}} : memref<?xindex>
// CHECK:         %[[T3:[a-z0-9_]+]] = arith.divui %[[PAIR3]]
// CHECK:         %[[K3:[a-z0-9_]+]] = arith.remui %[[PAIR3]]
// CHECK:         vector.load %[[X3]][%[[T3]], %[[K3]], %{{.*}}] : memref<?x4x32xf32>, vector<[[VL]]xf32>
// CHECK:       return
func.func @expert_linear_3d(%x: memref<?x4x32xf32>, %w: memref<16x8x32xf32>, %idx: memref<?x4xi32>, %y: memref<?x4x8xf32>) {
  gemma.expert_linear %x, %w, %idx -> %y : memref<?x4x32xf32>, memref<16x8x32xf32>, memref<?x4xi32> -> memref<?x4x8xf32>
  return
}

// 1028 output rows: 16 panels of 64 rows (16 blocks of 4) in one parallel
// loop; inside, each token block walks the panel's row blocks (scf.for step
// 4 up to 64), so the token block's x stays in cache while the panel's
// weights are reused. The 4 rows left over get their own parallel loop.
// (The first parallel loop splits x for single tokens: PairedBf16Dot.h.)
// With 8 lanes, 4 tokens or more take the panel's tiles first
// (lower-linear-bf16-panel-tiles.mlir); the row blocks are the else branch.
// CHECK-LABEL: func.func @linear_panels(
// CHECK:       vector.shuffle
// CHECK:       scf.reduce
// CHECK:       %[[C16:.*]] = arith.constant 16 : index
// CHECK:       scf.parallel (%[[P:.*]]) = (%{{.*}}) to (%[[C16]])
// CHECK:         arith.muli %[[P]], %{{.*}}
// AVX2:          scf.if
// AVX2:            memref.alloc() : memref<8x16x8xi32>
// AVX2:          } else {
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           %[[C64:.*]] = arith.constant 64 : index
// CHECK:           %[[C4:.*]] = arith.constant 4 : index
// CHECK:           scf.for %{{.*}} = %{{.*}} to %[[C64]] step %[[C4]] {
// CHECK:             vector.load %{{.*}} : memref<1028x32xbf16>
// CHECK:       scf.parallel
// CHECK:       return
func.func @linear_panels(%x: memref<?x32xf32>, %w: memref<1028x32xbf16>, %y: memref<?x1028xf32>) {
  gemma.linear %x, %w -> %y : memref<?x32xf32>, memref<1028x32xbf16> -> memref<?x1028xf32>
  return
}
