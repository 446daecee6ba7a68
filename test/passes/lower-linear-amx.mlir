// gemma-lower-linear{amx} (gemmac on a CPU with AMX-BF16): a linear or
// expert_linear with bf16 weights branches on the call's token count. 16 or more tokens (prefill): x is rounded to
// bf16 into 16-token tiles of input pairs (the last tile padded with the
// last token), each block of 16-row weight tiles (read in place, row-major)
// by token tiles accumulates in AMX tiles (tdpbf16ps), and each C tile
// leaves through a 16x16 stack buffer and a transpose, storing only real
// tokens. Fewer tokens (decode) keep the kernels of
// lower-linear-bf16-activations.mlir. With f32 activations (no
// bf16-activations) x is split into three bf16 terms (rounded, then the
// rest rounded, twice: x to 2^-27) and each is multiplied. See
// passes/AmxDot.cpp.
//
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 bf16-activations=1 amx=1}))' | FileCheck %s
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 bf16-activations=1}))' | FileCheck %s --check-prefix=OFF
// RUN: gemma-opt %s --pass-pipeline='builtin.module(func.func(gemma-lower-linear{vector-width=16 amx=1}))' | FileCheck %s --check-prefix=SPLIT

// CHECK-LABEL: func.func @linear_amx(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x64xf32>, %[[W:[a-z0-9]+]]: memref<64x64xbf16>, %[[Y:[a-z0-9]+]]: memref<?x64xf32>
// CHECK:         %[[T:.*]] = memref.dim %[[X]], %c0
// CHECK:         %[[MANY:.*]] = arith.cmpi uge, %[[T]], %c16
// CHECK:         scf.if %[[MANY]] {
// Pairs of 16-token tiles: [tiles][depth / 2][16 tokens x 2].
// CHECK:           %[[TILES:.*]] = memref.alloc(%{{.*}}) : memref<?x32x32xbf16>
// CHECK:           scf.parallel
// CHECK:             arith.minui
// CHECK:             %[[R:.*]] = arith.truncf %{{.*}} : vector<32xf32> to vector<32xbf16>
// CHECK:             vector.extract_strided_slice %[[R]] {offsets = [0], sizes = [2], strides = [1]}
// CHECK:             vector.store %{{.*}}, %[[TILES]]{{.*}} : memref<?x32x32xbf16>, vector<2xbf16>
// 64 rows: one panel of two blocks of 2 row tiles x 2 token tiles.
// CHECK:           scf.parallel (%{{.*}}) = (%c0{{.*}}) to (%c1{{.*}})
// CHECK:             memref.alloca_scope
// CHECK:               %[[SCRATCH:.*]] = memref.alloca() : memref<16x16xf32>
// CHECK-COUNT-4:       amx.tile_zero : !amx.tile<16x16xf32>
// CHECK:               scf.for {{.*}} iter_args({{.*}}) -> (!amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>)
// CHECK-COUNT-2:         amx.tile_load %[[W]][{{.*}}] : memref<64x64xbf16> into !amx.tile<16x32xbf16>
// One B tile at a time, each into the C tiles of both row tiles.
// CHECK:                 amx.tile_load %[[TILES]][{{.*}}] : memref<?x32x32xbf16> into !amx.tile<16x32xbf16>
// CHECK-COUNT-2:         amx.tile_mulf {{.*}} : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
// CHECK:                 amx.tile_load %[[TILES]][{{.*}}] : memref<?x32x32xbf16> into !amx.tile<16x32xbf16>
// CHECK-COUNT-2:         amx.tile_mulf {{.*}} : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
// CHECK-NEXT:            scf.yield
// CHECK:               amx.tile_store %[[SCRATCH]]
// CHECK:               vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK:               %[[REAL:.*]] = arith.cmpi ult, %{{.*}}, %[[T]]
// CHECK:               scf.if %[[REAL]] {
// CHECK:                 vector.store %{{.*}}, %[[Y]]{{.*}} : memref<?x64xf32>, vector<16xf32>
// CHECK:           memref.dealloc %[[TILES]]
// CHECK:         } else {
// CHECK:           llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
// CHECK:         return
// OFF-LABEL:   func.func @linear_amx(
// OFF-NOT:       amx.
// OFF:           return
// SPLIT-LABEL: func.func @linear_amx(
// SPLIT:         scf.if
// SPLIT-COUNT-3:   memref.alloc(%{{.*}}) : memref<?x32x32xbf16>
// SPLIT:           scf.parallel
// SPLIT:             %[[HI:.*]] = arith.truncf %{{.*}} : vector<32xf32> to vector<32xbf16>
// SPLIT:             %[[HIF:.*]] = arith.extf %[[HI]] : vector<32xbf16> to vector<32xf32>
// SPLIT:             arith.subf %{{.*}}, %[[HIF]] : vector<32xf32>
// SPLIT:             arith.truncf
// SPLIT:             arith.subf
// SPLIT:             arith.truncf
// SPLIT-NOT:         arith.subf
// SPLIT:           scf.parallel
// SPLIT:             scf.for {{.*}} -> (!amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>)
// SPLIT-COUNT-2:       amx.tile_load %{{.*}} : memref<64x64xbf16>
// SPLIT:               amx.tile_load %{{.*}} : memref<?x32x32xbf16>
// SPLIT-COUNT-2:       amx.tile_mulf
// SPLIT:               amx.tile_load %{{.*}} : memref<?x32x32xbf16>
// SPLIT-COUNT-2:       amx.tile_mulf
// SPLIT:               amx.tile_load %{{.*}} : memref<?x32x32xbf16>
// SPLIT-COUNT-2:       amx.tile_mulf
// SPLIT:               amx.tile_load %{{.*}} : memref<?x32x32xbf16>
// SPLIT-COUNT-2:       amx.tile_mulf
// SPLIT:               amx.tile_load %{{.*}} : memref<?x32x32xbf16>
// SPLIT-COUNT-2:       amx.tile_mulf
// SPLIT:               amx.tile_load %{{.*}} : memref<?x32x32xbf16>
// SPLIT-COUNT-2:       amx.tile_mulf
// SPLIT:               scf.yield
// SPLIT-COUNT-3:   memref.dealloc
// SPLIT:         } else {
func.func @linear_amx(%x: memref<?x64xf32>, %w: memref<64x64xbf16>, %y: memref<?x64xf32>) {
  gemma.linear %x, %w -> %y : memref<?x64xf32>, memref<64x64xbf16> -> memref<?x64xf32>
  return
}

// Experts: each active expert's pairs start a tile of their own; blocks of
// 2 row tiles x 1 token tile read the weights at [expert, row, column].
// CHECK-LABEL: func.func @experts_amx(
// CHECK-SAME:      %[[EW:[a-z0-9]+]]: memref<4x32x64xbf16>
// CHECK:         scf.if
// CHECK:           memref.alloca_scope
// CHECK:             %[[ETILES:.*]] = memref.alloc(%{{.*}}) : memref<?x32x32xbf16>
// CHECK:             scf.parallel
// CHECK:               arith.truncf %{{.*}} : vector<32xf32> to vector<32xbf16>
// CHECK:             scf.parallel
// CHECK-COUNT-2:       amx.tile_zero
// CHECK:               scf.for {{.*}} -> (!amx.tile<16x16xf32>, !amx.tile<16x16xf32>)
// CHECK:                 amx.tile_load %[[EW]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<4x32x64xbf16> into !amx.tile<16x32xbf16>
// CHECK:                 amx.tile_load %[[ETILES]]
// CHECK:                 amx.tile_mulf
// CHECK:               vector.transpose
// CHECK:             memref.dealloc %[[ETILES]]
// CHECK:         } else {
func.func @experts_amx(%x: memref<?x2x64xf32>, %w: memref<4x32x64xbf16>, %ids: memref<?x2xi32>, %y: memref<?x2x32xf32>) {
  gemma.expert_linear %x, %w, %ids -> %y : memref<?x2x64xf32>, memref<4x32x64xbf16>, memref<?x2xi32> -> memref<?x2x32xf32>
  return
}

// Not applied: a soft-capped LM head (its fused epilogue), 8 rows (not a
// multiple of 16), an input dimension of 48 (not whole 32-input steps) and
// f32 weights.
// CHECK-LABEL: func.func @not_applied(
// CHECK-NOT:     amx.
// CHECK:         return
func.func @not_applied(%x: memref<?x64xf32>, %w: memref<16x64xbf16>, %w8: memref<8x64xbf16>, %x48: memref<?x48xf32>, %w48: memref<16x48xbf16>, %wf: memref<16x64xf32>, %y: memref<?x16xf32>, %y8: memref<?x8xf32>) {
  gemma.linear %x, %w -> %y {softcap = 3.000000e+01 : f32} : memref<?x64xf32>, memref<16x64xbf16> -> memref<?x16xf32>
  gemma.linear %x, %w8 -> %y8 : memref<?x64xf32>, memref<8x64xbf16> -> memref<?x8xf32>
  gemma.linear %x48, %w48 -> %y : memref<?x48xf32>, memref<16x48xbf16> -> memref<?x16xf32>
  gemma.linear %x, %wf -> %y : memref<?x64xf32>, memref<16x64xf32> -> memref<?x16xf32>
  return
}
