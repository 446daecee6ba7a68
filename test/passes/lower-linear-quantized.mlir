// gemma-lower-linear / gemma-lower-elementwise on block-quantised weights
// (gemmac --weights int8|int4, docs/weights.md): the weight loads are i8,
// widened and converted to f32 in registers, multiplied by the block's f16
// scale (one scalar per 32 columns, splat) and then FMA'd with f32 x.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=8},gemma-lower-elementwise{vector-width=8}))' | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16},gemma-lower-elementwise{vector-width=16}))' | FileCheck %s --check-prefixes=CHECK,AVX512

func.func private @load_math_dialect(%a: f32) -> f32 {
  %0 = math.absf %a : f32
  return %0 : f32
}

// int8: vector<VL x i8> load, sitofp, times the splat scale of block col / 32.
// CHECK-LABEL: func.func @linear_int8(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x128xf32>, %[[W:[a-z0-9]+]]: memref<8x128xi8>, %[[S:[a-z0-9]+]]: memref<8x4xf16>
// CHECK-NOT:   gemma.linear
// CHECK:       scf.parallel
// CHECK:           scf.for %[[COL:[a-z0-9_]+]] = {{.*}} iter_args({{.*}}) -> (vector<[[VL:8|16]]xf32>
// AVX2-SAME:         vector<8xf32>
// AVX512-SAME:       vector<16xf32>
// CHECK:             %[[XV:[a-z0-9_]+]] = vector.load %[[X]][{{.*}}] : memref<?x128xf32>, vector<[[VL]]xf32>
// CHECK:             %[[BLK:[a-z0-9_]+]] = arith.divui %[[COL]], %c32
// CHECK:             %[[SH:[a-z0-9_]+]] = memref.load %[[S]][%{{.*}}, %[[BLK]]] : memref<8x4xf16>
// CHECK:             %[[SF:[a-z0-9_]+]] = arith.extf %[[SH]] : f16 to f32
// CHECK:             %[[SV:[a-z0-9_]+]] = vector.broadcast %[[SF]] : f32 to vector<[[VL]]xf32>
// CHECK:             %[[Q:[a-z0-9_]+]] = vector.load %[[W]][%{{.*}}, %[[COL]]] : memref<8x128xi8>, vector<[[VL]]xi8>
// CHECK:             %[[QF:[a-z0-9_]+]] = arith.sitofp %[[Q]] : vector<[[VL]]xi8> to vector<[[VL]]xf32>
// CHECK:             %[[WF:[a-z0-9_]+]] = arith.mulf %[[QF]], %[[SV]] : vector<[[VL]]xf32>
// CHECK:             math.fma %[[XV]], %[[WF]], %{{.*}} : vector<[[VL]]xf32>
// CHECK:           vector.reduction <add>, %{{.*}} : vector<[[VL]]xf32> into f32
// CHECK-NOT:   arith.extf %{{.*}} : vector<{{.*}}xbf16>
// CHECK:       return
func.func @linear_int8(%x: memref<?x128xf32>, %w: memref<8x128xi8>, %s: memref<8x4xf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<8x128xi8>, memref<8x4xf16> -> memref<?x8xf32>
  return
}

// int4: two weights per byte, memref<8x64xi8> for in = 128. The bytes of
// columns [col, col + VL) are at block * 16 + col % 16; the nibble is picked
// by shifting the sign-extended i32 left by 28 - 4 * ((col / 16) % 2) and
// arithmetically right by 28.
// CHECK-LABEL: func.func @linear_int4(
// CHECK-SAME:      %[[W4:[a-z0-9]+]]: memref<8x64xi8>, %[[S4:[a-z0-9]+]]: memref<8x4xf16>
// CHECK:           scf.for %[[C4:[a-z0-9_]+]] = {{.*}} iter_args
// CHECK:             %[[B4:[a-z0-9_]+]] = arith.divui %[[C4]], %c32
// CHECK:             memref.load %[[S4]][%{{.*}}, %[[B4]]] : memref<8x4xf16>
// CHECK:             %[[IN:[a-z0-9_]+]] = arith.remui %[[C4]], %c16
// CHECK:             %[[BASE:[a-z0-9_]+]] = arith.muli %[[B4]], %c16
// CHECK:             %[[BYTE:[a-z0-9_]+]] = arith.addi %[[BASE]], %[[IN]]
// CHECK:             %[[Q4:[a-z0-9_]+]] = vector.load %[[W4]][%{{.*}}, %[[BYTE]]] : memref<8x64xi8>, vector<[[VL]]xi8>
// CHECK:             %[[WIDE:[a-z0-9_]+]] = arith.extsi %[[Q4]] : vector<[[VL]]xi8> to vector<[[VL]]xi32>
// CHECK:             %[[L:[a-z0-9_]+]] = arith.shli %[[WIDE]], %{{.*}} : vector<[[VL]]xi32>
// CHECK:             %[[R:[a-z0-9_]+]] = arith.shrsi %[[L]], %{{.*}} : vector<[[VL]]xi32>
// CHECK:             %[[F4:[a-z0-9_]+]] = arith.sitofp %[[R]] : vector<[[VL]]xi32> to vector<[[VL]]xf32>
// CHECK:             %[[D4:[a-z0-9_]+]] = arith.mulf %[[F4]], %{{.*}} : vector<[[VL]]xf32>
// CHECK:             math.fma %{{.*}}, %[[D4]], %{{.*}} : vector<[[VL]]xf32>
// CHECK:       return
func.func @linear_int4(%x: memref<?x128xf32>, %w: memref<8x64xi8>, %s: memref<8x4xf16>, %y: memref<?x8xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<8x64xi8>, memref<8x4xf16> -> memref<?x8xf32>
  return
}

// Experts: the same dequantising load, indexed by the active expert.
// CHECK-LABEL: func.func @expert_linear_int8(
// CHECK-SAME:      %[[EW:[a-z0-9]+]]: memref<16x8x128xi8>, %[[ES:[a-z0-9]+]]: memref<16x8x4xf16>
// CHECK:         scf.parallel
// CHECK:           %[[E:[a-z0-9_]+]] = memref.load %{{.*}}[%{{.*}}] : memref<16xindex>
// CHECK:             memref.load %[[ES]][%[[E]], %{{.*}}, %{{.*}}] : memref<16x8x4xf16>
// CHECK:             vector.load %[[EW]][%[[E]], %{{.*}}, %{{.*}}] : memref<16x8x128xi8>, vector<[[VL]]xi8>
// CHECK:             arith.sitofp %{{.*}} : vector<[[VL]]xi8> to vector<[[VL]]xf32>
// CHECK:             arith.mulf
// CHECK:             math.fma
// CHECK:       return
func.func @expert_linear_int8(%x: memref<?x128xf32>, %w: memref<16x8x128xi8>, %s: memref<16x8x4xf16>, %ids: memref<?x4xi32>, %y: memref<?x4x8xf32>) {
  gemma.expert_linear %x, %w scales %s, %ids -> %y : memref<?x128xf32>, memref<16x8x128xi8> scales memref<16x8x4xf16>, memref<?x4xi32> -> memref<?x4x8xf32>
  return
}

// A quantised embedding table whose row count is not a multiple of 16 is
// row-major: the looked-up row is dequantised.
// CHECK-LABEL: func.func @embed_int8(
// CHECK-SAME:      %[[T:[a-z0-9]+]]: memref<520x128xi8>, %[[TS:[a-z0-9]+]]: memref<520x4xf16>
// CHECK:         scf.parallel
// CHECK:           memref.load %[[TS]][%{{.*}}, %{{.*}}] : memref<520x4xf16>
// CHECK:           vector.load %[[T]][%{{.*}}, %{{.*}}] : memref<520x128xi8>, vector<[[VL]]xi8>
// CHECK:           arith.sitofp
// CHECK:           arith.mulf
// CHECK:           arith.mulf
// CHECK:           vector.store
// CHECK-NOT:   gemma.embed
// CHECK:       return
func.func @embed_int8(%ids: memref<?xi32>, %t: memref<520x128xi8>, %ts: memref<520x4xf16>, %h: memref<?x128xf32>) {
  gemma.embed %ids, %t scales %ts -> %h {scale = 11.0 : f32} : memref<?xi32>, memref<520x128xi8>, memref<520x4xf16> -> memref<?x128xf32>
  return
}

// A (tied) table of 512 rows is stored in tiles of 16 rows (docs/weights.md):
// row r's inputs c..c+3 are the 4 bytes at 64 * (c / 4) + 4 * (r % 16) of
// tile r / 16, its block b's scale entry 16 * b + r % 16 of the tile's
// scales. The lookup reads 4 bytes at a time through [tiles, 16 * in] views.
// CHECK-LABEL: func.func @embed_int8_tiled(
// CHECK-SAME:      %[[TT:[a-z0-9]+]]: memref<512x128xi8>, %[[TTS:[a-z0-9]+]]: memref<512x4xf16>
// CHECK:         scf.parallel
// CHECK:           %[[EX:.*]] = memref.expand_shape %[[TT]] {{\[\[}}0, 1], [2]] output_shape [32, 16, 128] : memref<512x128xi8> into memref<32x16x128xi8>
// CHECK:           %[[TILES:.*]] = memref.collapse_shape %[[EX]] {{\[\[}}0], [1, 2]] : memref<32x16x128xi8> into memref<32x2048xi8>
// CHECK:           %[[SCALES:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : memref<32x16x4xf16> into memref<32x64xf16>
// CHECK:           %[[LANE:.*]] = arith.remui %{{.*}}, %c16
// CHECK:           arith.muli %[[LANE]], %c4
// CHECK:           %[[VEC:.*]] = arith.muli %{{.*}}, %c64
// CHECK:           vector.load %[[TILES]][%{{.*}}, %{{.*}}] : memref<32x2048xi8>, vector<4xi8>
// CHECK:           arith.extsi {{.*}} : vector<4xi8> to vector<4xi32>
// CHECK:           vector.shuffle
// CHECK:           memref.load %[[SCALES]][%{{.*}}, %{{.*}}] : memref<32x64xf16>
// CHECK:           arith.sitofp
// CHECK:           vector.store
// CHECK-NOT:   gemma.embed
// CHECK:       return
func.func @embed_int8_tiled(%ids: memref<?xi32>, %t: memref<512x128xi8>, %ts: memref<512x4xf16>, %h: memref<?x128xf32>) {
  gemma.embed %ids, %t scales %ts -> %h {scale = 11.0 : f32} : memref<?xi32>, memref<512x128xi8>, memref<512x4xf16> -> memref<?x128xf32>
  return
}

// int4 tiles hold 16 rows x 8 inputs per 64 bytes: inputs 8v..8v+3 in the
// low nibbles, 8v+4..8v+7 in the high ones, as q + 8.
// CHECK-LABEL: func.func @linear_int4_tiled(
// CHECK:           memref.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : memref<1x16x64xi8> into memref<1x1024xi8>
// CHECK:           vector.load %{{.*}} : memref<1x1024xi8>, vector<4xi8>
// CHECK:           arith.extui {{.*}} : vector<4xi8> to vector<4xi32>
// CHECK:           arith.shrui
// CHECK:           arith.andi
// CHECK:           arith.subi
// CHECK:           math.fma
func.func @linear_int4_tiled(%x: memref<?x128xf32>, %w: memref<16x64xi8>, %s: memref<16x4xf16>, %y: memref<?x16xf32>) {
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<16x64xi8>, memref<16x4xf16> -> memref<?x16xf32>
  return
}
