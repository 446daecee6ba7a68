// gemma-lower-linear, bf16 weights with f32 activations on 8 lanes (AVX2):
// a call of 4 or more tokens re-lays each parallel panel of rows once into
// tiles ([rows / 8][in / 2][8] i32: lane l holds row 8g + l's input pair),
// then runs blocks of 16 rows x 6 tokens (then 3, 2, 1) whose lanes are
// output rows: a tile vector is widened by a shift (even input) and a mask
// (odd input) and multiplied by x broadcast from memory. Fewer tokens take
// the row-major kernel (lower-linear-paired-bf16.mlir). See
// passes/Bf16PanelTiles.cpp.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8}))' | FileCheck %s
// With the option off, or with 16 lanes, no panel is re-laid.
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8 panel-tiles=false}))' | FileCheck %s --check-prefix=OFF
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16}))' | FileCheck %s --check-prefix=OFF
// OFF-NOT: xi32>, vector<8xi32>
// OFF-NOT: memref<{{.*}}x8xi32>

// 32 rows: panels of 16 rows (the panel grows to whole tile blocks).
// CHECK-LABEL: func.func @linear_tiles(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x32xf32>, %[[W:[a-z0-9]+]]: memref<32x32xbf16>
// CHECK:         scf.parallel
// CHECK:         %[[C2:.*]] = arith.constant 2 : index
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C2]])
// CHECK:           %[[MANY:.*]] = arith.cmpi uge, %{{.*}}, %c4 : index
// CHECK:           scf.if %[[MANY]] {
// CHECK:             %[[T:.*]] = memref.alloc() : memref<2x16x8xi32>
// Re-laying: per 8 rows x 16 inputs, 8 row loads, a transpose of 32-bit
// words (24 shuffles), 8 stores.
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK-COUNT-8:         vector.load %[[W]]{{.*}} : memref<32x32xbf16>, vector<16xbf16>
// CHECK-COUNT-24:        vector.shuffle {{.*}} : vector<8xi32>, vector<8xi32>
// CHECK-COUNT-8:         vector.store {{.*}}, %[[T]]
// Full blocks of 6 tokens x 2 vectors: 12 accumulators.
// CHECK:             scf.for %{{.*}} step %c6
// CHECK:               scf.for %{{.*}} step %c16
// CHECK:                 scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:                   vector.load %[[T]]
// CHECK-NEXT:              arith.constant 1
// CHECK-NEXT:              arith.addi
// CHECK-NEXT:              arith.constant 0
// CHECK-NEXT:              vector.load %[[T]]
// CHECK-NEXT:              arith.shli
// CHECK-NEXT:              vector.bitcast
// CHECK-NEXT:              arith.shli
// CHECK-NEXT:              vector.bitcast
// CHECK-NEXT:              memref.load %[[X]]
// CHECK-NEXT:              vector.broadcast {{.*}} : f32 to vector<8xf32>
// CHECK-NEXT:              math.fma
// CHECK-NEXT:              math.fma
// CHECK:                   arith.andi %{{.*}}, %{{.*}} : vector<8xi32>
// CHECK-NOT:               vector.reduction
// CHECK:                   scf.yield
// Lanes are rows: extracted, no horizontal sums.
// CHECK:                 vector.extract
// CHECK-NOT:             vector.reduction
// CHECK:                 memref.store
// The rest in at most one block each of 3, 2 and 1 tokens, with the even
// and odd inputs in separate chains (12, 8 and 4 accumulators).
// CHECK:             scf.for %{{.*}} step %c3
// CHECK:                 scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:             scf.for %{{.*}} step %c2
// CHECK:                 scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:             scf.for %{{.*}} step %c1
// CHECK:                 scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK:             memref.dealloc %[[T]] : memref<2x16x8xi32>
// CHECK:           } else {
// CHECK:             vector.load %[[W]]{{.*}} : memref<32x32xbf16>, vector<16xbf16>
// CHECK:             vector.reduction <add>
// CHECK:       return
func.func @linear_tiles(%x: memref<?x32xf32>, %w: memref<32x32xbf16>, %y: memref<?x32xf32>) {
  gemma.linear %x, %w -> %y : memref<?x32xf32>, memref<32x32xbf16> -> memref<?x32xf32>
  return
}

// Experts: the panel of the active expert's rows is re-laid where that
// expert has 4 tokens or more (its count, not the call's).
// CHECK-LABEL: func.func @expert_tiles(
// CHECK-SAME:      %[[EW:[a-z0-9]+]]: memref<4x16x32xbf16>
// CHECK:         scf.parallel
// CHECK:           %[[COUNT:.*]] = arith.subi
// CHECK:           arith.cmpi uge, %[[COUNT]], %c4
// CHECK:           memref.alloc() : memref<2x16x8xi32>
// CHECK-COUNT-8:   vector.load %[[EW]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<4x16x32xbf16>, vector<16xbf16>
// CHECK:           memref.dealloc
// CHECK:           } else {
// CHECK:       return
func.func @expert_tiles(%x: memref<?x32xf32>, %w: memref<4x16x32xbf16>, %idx: memref<?x2xi32>, %y: memref<?x2x16xf32>) {
  gemma.expert_linear %x, %w, %idx -> %y : memref<?x32xf32>, memref<4x16x32xbf16>, memref<?x2xi32> -> memref<?x2x16xf32>
  return
}

// Not re-laid: f32 weights, int8 weights, and rows that are no multiple of 16.
// CHECK-LABEL: func.func @not_tiled(
// CHECK-NOT:     x8xi32>
// CHECK:         return
func.func @not_tiled(%x: memref<?x32xf32>, %wf: memref<32x32xf32>, %wq: memref<32x32xi8>, %s: memref<32x1xf16>, %wb: memref<8x32xbf16>, %y: memref<?x32xf32>, %y8: memref<?x8xf32>) {
  gemma.linear %x, %wf -> %y : memref<?x32xf32>, memref<32x32xf32> -> memref<?x32xf32>
  gemma.linear %x, %wq scales %s -> %y : memref<?x32xf32>, memref<32x32xi8>, memref<32x1xf16> -> memref<?x32xf32>
  gemma.linear %x, %wb -> %y8 : memref<?x32xf32>, memref<8x32xbf16> -> memref<?x8xf32>
  return
}
