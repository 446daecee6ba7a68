// gemma-lower-elementwise: row-wise kernels (scf.parallel over the outer
// dims, a vector sweep over the innermost dim plus a scalar tail).
//
// RUN: gemma-opt %s --gemma-lower-elementwise | FileCheck %s
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-elementwise{vector-width=16}))' | FileCheck %s --check-prefix=W16

// W16-LABEL: func.func @embed(
// W16:         vector.load {{.*}} : memref<64x20xbf16>, vector<16xbf16>
// W16-NOT:     vector<8x
// CHECK-LABEL: func.func @embed(
// CHECK-SAME:      %[[IDS:[a-z0-9]+]]: memref<?xi32>, %[[TAB:[a-z0-9]+]]: memref<64x20xbf16>, %[[OUT:[a-z0-9]+]]: memref<?x20xf32>
// CHECK-NOT:   gemma.embed
// CHECK:       scf.parallel (%[[T:[a-z0-9_]+]]) =
// CHECK:         %[[ID:[a-z0-9_]+]] = memref.load %[[IDS]][%[[T]]] : memref<?xi32>
// CHECK:         %[[ROW:[a-z0-9_]+]] = arith.index_cast %[[ID]] : i32 to index
// CHECK:         scf.for %[[C:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step
// CHECK:           %[[V:[a-z0-9_]+]] = vector.load %[[TAB]][%[[ROW]], %[[C]]] : memref<64x20xbf16>, vector<8xbf16>
// CHECK:           arith.extf %[[V]] : vector<8xbf16> to vector<8xf32>
// CHECK:           arith.mulf
// CHECK:           vector.store %{{.*}}, %[[OUT]][%[[T]], %[[C]]] : memref<?x20xf32>, vector<8xf32>
//                Scalar tail: columns 16..19.
// CHECK:         scf.for
// CHECK:           memref.load %[[TAB]]
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:           memref.store
func.func @embed(%ids: memref<?xi32>, %tab: memref<64x20xbf16>, %h: memref<?x20xf32>) {
  gemma.embed %ids, %tab -> %h {scale = 2.0 : f32} : memref<?xi32>, memref<64x20xbf16> -> memref<?x20xf32>
  return
}

// CHECK-LABEL: func.func @rms_norm(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x20xf32>, %[[W:[a-z0-9]+]]: memref<20xf32>
// CHECK-NOT:   gemma.rms_norm
// CHECK:       scf.parallel
// CHECK:         scf.for {{.*}} -> (vector<8xf32>)
// CHECK:         vector.reduction <add>
// CHECK:         %[[MEAN:[a-z0-9_]+]] = arith.divf
// CHECK:         %[[ME:[a-z0-9_]+]] = arith.addf %[[MEAN]]
// CHECK:         %[[R:[a-z0-9_]+]] = math.rsqrt %[[ME]] : f32
// CHECK:         scf.for
// CHECK:           vector.broadcast %[[R]] : f32 to vector<8xf32>
// CHECK:           vector.load %[[W]]
// CHECK:           vector.store %{{.*}}, %[[X]]
// CHECK-LABEL: func.func @rms_norm_noweight(
// CHECK:         math.rsqrt
// CHECK-NOT:     memref<32xf32>
// CHECK:         return
func.func @rms_norm(%h: memref<?x20xf32>, %w: memref<20xf32>) {
  gemma.rms_norm %h, %w -> %h {eps = 1.0e-06 : f32} : memref<?x20xf32>, memref<20xf32> -> memref<?x20xf32>
  return
}
func.func @rms_norm_noweight(%h: memref<?x2x32xf32>) {
  gemma.rms_norm %h -> %h {eps = 1.0e-06 : f32} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  return
}

// RoPE: only `pairs` frequencies are rotated (j and j + d/2); out-of-place
// proportional RoPE copies the remaining dims through.
// CHECK-LABEL: func.func @rope(
// CHECK-SAME:      %[[RX:[a-z0-9]+]]: memref<?x2x16xf32>, %[[POS0:[a-z0-9]+]]: index, %[[RO:[a-z0-9]+]]: memref<?x2x16xf32>
// CHECK-NOT:   gemma.rope
// CHECK:       scf.parallel (%[[RT:[a-z0-9_]+]]) =
// CHECK:         arith.addi %[[POS0]], %[[RT]] : index
// CHECK:         %[[PAIRS:[a-z0-9_]+]] = arith.constant 3 : index
// CHECK:         scf.for %[[J:[a-z0-9_]+]] = %{{.*}} to %[[PAIRS]] step
// CHECK:           math.powf
// CHECK:           math.cos
// CHECK:           math.sin
// CHECK:           %[[HALF:[a-z0-9_]+]] = arith.constant 8 : index
// CHECK-NEXT:      %[[J2:[a-z0-9_]+]] = arith.addi %[[J]], %[[HALF]] : index
// CHECK:           memref.store %{{.*}}, %[[RO]][%[[RT]], %{{.*}}, %[[J]]]
// CHECK:           memref.store %{{.*}}, %[[RO]][%[[RT]], %{{.*}}, %[[J2]]]
//                Pass-through of dims [3, 8) and [11, 16).
// CHECK:         arith.constant 3 : index
// CHECK:         arith.constant 8 : index
// CHECK:         arith.constant 11 : index
// CHECK:         arith.constant 16 : index
// CHECK:       return
func.func @rope(%q: memref<?x2x16xf32>, %pos0: index, %o: memref<?x2x16xf32>) {
  gemma.rope %q at %pos0 -> %o {pairs = 3 : i64, theta = 1.0e+04 : f64} : memref<?x2x16xf32> -> memref<?x2x16xf32>
  return
}

// gelu_glu reads gate at c and up at c + I from the [gate | up] row.
// CHECK-LABEL: func.func @gelu_glu(
// CHECK-SAME:      %[[GU:[a-z0-9]+]]: memref<?x40xf32>
// CHECK-NOT:   gemma.gelu_glu
// CHECK:       scf.for %[[GC:[a-z0-9_]+]] =
// CHECK:         %[[I:[a-z0-9_]+]] = arith.constant 20 : index
// CHECK-NEXT:    %[[UC:[a-z0-9_]+]] = arith.addi %[[GC]], %[[I]] : index
// CHECK:         vector.load %[[GU]][%{{.*}}, %[[GC]]] : memref<?x40xf32>, vector<8xf32>
// CHECK:         vector.load %[[GU]][%{{.*}}, %[[UC]]] : memref<?x40xf32>, vector<8xf32>
// CHECK:         math.tanh %{{.*}} : vector<8xf32>
// CHECK:         vector.store
func.func @gelu_glu(%gu: memref<?x40xf32>, %act: memref<?x20xf32>) {
  gemma.gelu_glu %gu -> %act : memref<?x40xf32> -> memref<?x20xf32>
  return
}

// CHECK-LABEL: func.func @gelu(
// CHECK-NOT:   gemma.gelu
// CHECK:       math.tanh %{{.*}} : vector<8xf32>
func.func @gelu(%x: memref<?x16xf32>, %o: memref<?x16xf32>) {
  gemma.gelu %x -> %o : memref<?x16xf32> -> memref<?x16xf32>
  return
}

// CHECK-LABEL: func.func @add_mul(
// CHECK-NOT:   gemma.add
// CHECK:       arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NOT:   gemma.mul
// CHECK:       arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK:       return
func.func @add_mul(%a: memref<?x3x16xf32>, %b: memref<?x3x16xf32>) {
  gemma.add %a, %b -> %a : memref<?x3x16xf32>, memref<?x3x16xf32> -> memref<?x3x16xf32>
  gemma.mul %a, %b -> %b : memref<?x3x16xf32>, memref<?x3x16xf32> -> memref<?x3x16xf32>
  return
}

// The layer scalar is read from memory once, outside the loops.
// CHECK-LABEL: func.func @scale(
// CHECK-SAME:      %[[SX:[a-z0-9]+]]: memref<?x16xf32>, %[[SS:[a-z0-9]+]]: memref<1xf32>
// CHECK-NOT:   gemma.scale
// CHECK:       %[[SV:[a-z0-9_]+]] = memref.load %[[SS]][%{{.*}}] : memref<1xf32>
// CHECK:       %[[F:[a-z0-9_]+]] = arith.mulf %{{.*}}, %[[SV]] : f32
// CHECK:       scf.parallel
// CHECK:         vector.broadcast %[[F]] : f32 to vector<8xf32>
// CHECK-LABEL: func.func @scale_const(
// CHECK-NOT:   memref.load
// CHECK:       arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
func.func @scale(%x: memref<?x16xf32>, %s: memref<1xf32>) {
  gemma.scale %x, %s -> %x {factor = 0.5 : f32} : memref<?x16xf32>, memref<1xf32> -> memref<?x16xf32>
  return
}
func.func @scale_const(%x: memref<16xf32>) {
  gemma.scale %x -> %x {factor = 0.5 : f32} : memref<16xf32> -> memref<16xf32>
  return
}

// softcap: cap * tanh(x / cap)
// CHECK-LABEL: func.func @softcap(
// CHECK-NOT:   gemma.softcap
// CHECK:       arith.constant 0.0333333351 : f32
// CHECK:       math.tanh %{{.*}} : vector<8xf32>
// CHECK:       arith.constant 3.000000e+01 : f32
// CHECK:       return
func.func @softcap(%x: memref<?x16xf32>) {
  gemma.softcap %x -> %x {cap = 30.0 : f32} : memref<?x16xf32> -> memref<?x16xf32>
  return
}
