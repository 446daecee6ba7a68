// gemma-lower-attention: the untiled online-softmax attention over the cache
// and the ring-buffer kv_write (gemma.qk_norm_rope: fuse-qk-norm-rope.mlir).
//
// RUN: gemma-opt %s --gemma-lower-attention | FileCheck %s
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-attention{vector-width=16}))' | FileCheck %s --check-prefix=W16

// Sliding layer: window 5 over a ring of 6 slots, 4 query heads on 2 KV heads.
// The key loop must start at max(q + 1 - W, 0), not at 0, and read the ring
// at slot p mod 6 for every key up to the query itself.
// CHECK-LABEL: func.func @sliding(
// CHECK-SAME:      %[[Q:[a-z0-9]+]]: memref<?x4x32xf32>, %[[KC:[a-z0-9]+]]: memref<2x6x32xf32>, %[[VC:[a-z0-9]+]]: memref<2x6x32xf32>, %[[POS0:[a-z0-9]+]]: index, %[[O:[a-z0-9]+]]: memref<?x4x32xf32>
// CHECK-NOT:   gemma.attention
// CHECK:       scf.parallel (%[[T:[a-z0-9_]+]], %[[H:[a-z0-9_]+]]) =
// CHECK:         memref.alloca_scope
// CHECK:           memref.alloca() : memref<32xf32>
// CHECK:           %[[G:[a-z0-9_]+]] = arith.constant 2 : index
// CHECK-NEXT:      %[[KVH:[a-z0-9_]+]] = arith.divui %[[H]], %[[G]] : index
// CHECK-NEXT:      %[[QPOS:[a-z0-9_]+]] = arith.addi %[[POS0]], %[[T]] : index
// CHECK:           %[[ONE:[a-z0-9_]+]] = arith.constant 1 : index
// CHECK-NEXT:      %[[QP1:[a-z0-9_]+]] = arith.addi %[[QPOS]], %[[ONE]] : index
// CHECK-NEXT:      %[[WIN:[a-z0-9_]+]] = arith.constant 5 : index
// CHECK-NEXT:      %[[FIRST:[a-z0-9_]+]] = arith.subi %[[QP1]], %[[WIN]] : index
// CHECK-NEXT:      %[[ZERO:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-NEXT:      %[[LO:[a-z0-9_]+]] = arith.maxsi %[[FIRST]], %[[ZERO]] : index
// CHECK:           %[[END:[a-z0-9_]+]] = arith.addi %[[QPOS]], %{{.*}} : index
// CHECK:           scf.for %[[P:[a-z0-9_]+]] = %[[LO]] to %[[END]] step %{{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK:             %[[S:[a-z0-9_]+]] = arith.constant 6 : index
// CHECK-NEXT:        %[[SLOT:[a-z0-9_]+]] = arith.remui %[[P]], %[[S]] : index
// CHECK:             vector.load %[[Q]][%[[T]], %[[H]], %{{.*}}] : memref<?x4x32xf32>, vector<8xf32>
// CHECK:             vector.load %[[KC]][%[[KVH]], %[[SLOT]], %{{.*}}] : memref<2x6x32xf32>, vector<8xf32>
// CHECK:             vector.reduction <add>
// CHECK:             arith.maximumf
// CHECK:             math.exp
// CHECK:             math.exp
// CHECK:             vector.load %[[VC]][%[[KVH]], %[[SLOT]], %{{.*}}] : memref<2x6x32xf32>, vector<8xf32>
// CHECK:             math.fma {{.*}} : vector<8xf32>
// CHECK:           arith.divf
// CHECK:           vector.store %{{.*}}, %[[O]][%[[T]], %[[H]], %{{.*}}] : memref<?x4x32xf32>, vector<8xf32>
// CHECK-NOT:   gemma.attention
// CHECK:       return

// W16-LABEL: func.func @sliding(
// W16:         vector.load {{.*}} : memref<?x4x32xf32>, vector<16xf32>
// W16-NOT:     vector<8xf32>
// W16:         return
func.func @sliding(%q: memref<?x4x32xf32>, %kc: memref<2x6x32xf32>, %vc: memref<2x6x32xf32>, %pos0: index, %o: memref<?x4x32xf32>) {
  gemma.attention %q, cache(%kc, %vc) at %pos0 -> %o {scale = 1.000000e+00 : f32, window = 5 : i64} : memref<?x4x32xf32>, memref<2x6x32xf32>, memref<2x6x32xf32> -> memref<?x4x32xf32>
  return
}

// Full layer (window 0): the key loop starts at the constant 0 and no window
// arithmetic is emitted; a scale != 1 multiplies the score.
// CHECK-LABEL: func.func @full(
// CHECK-SAME:      %[[FPOS0:[a-z0-9]+]]: index
// CHECK:       scf.parallel
// CHECK:         %[[FQ:[a-z0-9_]+]] = arith.addi %[[FPOS0]], %{{.*}} : index
// CHECK-NEXT:    %[[FZ:[a-z0-9_]+]] = arith.constant 0 : index
// CHECK-NOT:     arith.maxsi
// CHECK:         %[[FEND:[a-z0-9_]+]] = arith.addi %[[FQ]], %{{.*}} : index
// CHECK:         scf.for %{{.*}} = %[[FZ]] to %[[FEND]] step
// CHECK:           vector.reduction <add>
// CHECK-NEXT:      %[[SC:[a-z0-9_]+]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT:      arith.mulf %{{.*}}, %[[SC]] : f32
// CHECK:       return
func.func @full(%q: memref<?x2x16xf32>, %kc: memref<2x64x16xf32>, %vc: memref<2x64x16xf32>, %pos0: index, %o: memref<?x2x16xf32>) {
  gemma.attention %q, cache(%kc, %vc) at %pos0 -> %o {scale = 1.250000e-01 : f32, window = 0 : i64} : memref<?x2x16xf32>, memref<2x64x16xf32>, memref<2x64x16xf32> -> memref<?x2x16xf32>
  return
}

// kv_write: row r of the step goes to slot (pos0 + r) mod slots; only the
// last `slots` rows are written (first = max(T - slots, 0)).
// CHECK-LABEL: func.func @kv_write(
// CHECK-SAME:      %[[WK:[a-z0-9]+]]: memref<?x2x32xf32>, %[[WV:[a-z0-9]+]]: memref<?x2x32xf32>, %[[WPOS0:[a-z0-9]+]]: index, %[[WKC:[a-z0-9]+]]: memref<2x8x32xf32>, %[[WVC:[a-z0-9]+]]: memref<2x8x32xf32>
// CHECK-NOT:   gemma.kv_write
// CHECK:       %[[TOK:[a-z0-9_]+]] = memref.dim %[[WK]]
// CHECK:       %[[C8:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-NEXT:  %[[TM:[a-z0-9_]+]] = arith.subi %[[TOK]], %[[C8]] : index
// CHECK:       %[[FIRSTROW:[a-z0-9_]+]] = arith.maxsi %[[TM]], %{{.*}} : index
// CHECK:       %[[COUNT:[a-z0-9_]+]] = arith.subi %[[TOK]], %[[FIRSTROW]] : index
// CHECK:       scf.parallel (%[[I:[a-z0-9_]+]], %[[HD:[a-z0-9_]+]]) = ({{.*}}) to (%[[COUNT]], %{{.*}})
// CHECK:         %[[ROW:[a-z0-9_]+]] = arith.addi %[[FIRSTROW]], %[[I]] : index
// CHECK:         %[[PP:[a-z0-9_]+]] = arith.addi %[[WPOS0]], %[[ROW]] : index
// CHECK:         %[[NS:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-NEXT:    %[[WSLOT:[a-z0-9_]+]] = arith.remui %[[PP]], %[[NS]] : index
// CHECK:         %[[KROW:[a-z0-9_]+]] = vector.load %[[WK]][%[[ROW]], %[[HD]], %{{.*}}]
// CHECK-NEXT:    vector.store %[[KROW]], %[[WKC]][%[[HD]], %[[WSLOT]], %{{.*}}] : memref<2x8x32xf32>, vector<8xf32>
// CHECK-NEXT:    %[[VROW:[a-z0-9_]+]] = vector.load %[[WV]][%[[ROW]], %[[HD]], %{{.*}}]
// CHECK-NEXT:    vector.store %[[VROW]], %[[WVC]][%[[HD]], %[[WSLOT]], %{{.*}}] : memref<2x8x32xf32>, vector<8xf32>
// CHECK-NOT:   gemma.kv_write
// CHECK:       return
func.func @kv_write(%k: memref<?x2x32xf32>, %v: memref<?x2x32xf32>, %pos0: index, %kc: memref<2x8x32xf32>, %vc: memref<2x8x32xf32>) {
  gemma.kv_write %k, %v at %pos0 -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
  return
}
