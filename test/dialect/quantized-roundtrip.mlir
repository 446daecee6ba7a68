// Block-quantised weight operands (gemmac --weights int8|int4,
// docs/weights.md) parse, print and re-parse: i8 values plus f16 scales of
// one per 32 inputs; int4 packs two weights per byte (last dim in / 2).
//
// RUN: gemma-opt %s | gemma-opt | FileCheck %s
// RUN: gemma-opt %s --mlir-print-op-generic | gemma-opt | FileCheck %s

// CHECK-LABEL: func.func @quantized
// CHECK: gemma.embed %{{.*}}, %{{.*}} scales %{{.*}} -> %{{.*}} {scale = 1.100000e+01 : f32} : memref<?xi32>, memref<512x128xi8>, memref<512x4xf16> -> memref<?x128xf32>
// CHECK: gemma.linear %{{.*}}, %{{.*}} scales %{{.*}} -> %{{.*}} : memref<?x128xf32>, memref<64x128xi8>, memref<64x4xf16> -> memref<?x64xf32>
// CHECK: gemma.linear %{{.*}}, %{{.*}} scales %{{.*}} -> %{{.*}} : memref<?x128xf32>, memref<64x64xi8>, memref<64x4xf16> -> memref<?x64xf32>
// CHECK: gemma.linear %{{.*}}, %{{.*}} scales %{{.*}} -> %{{.*}} unless %{{.*}} {softcap = 3.000000e+01 : f32} : memref<?x128xf32>, memref<512x128xi8>, memref<512x4xf16> -> memref<?x512xf32>
// CHECK: gemma.expert_linear %{{.*}}, %{{.*}} scales %{{.*}}, %{{.*}} -> %{{.*}} : memref<?x128xf32>, memref<16x64x64xi8> scales memref<16x64x4xf16>, memref<?x2xi32> -> memref<?x2x64xf32>
func.func @quantized(%ids: memref<?xi32>, %table: memref<512x128xi8>, %ts: memref<512x4xf16>,
                     %h: memref<?x128xf32>, %w8: memref<64x128xi8>, %w4: memref<64x64xi8>,
                     %s: memref<64x4xf16>, %y: memref<?x64xf32>, %logits: memref<?x512xf32>,
                     %flag: i1, %ew: memref<16x64x64xi8>, %es: memref<16x64x4xf16>,
                     %idx: memref<?x2xi32>, %ey: memref<?x2x64xf32>) {
  gemma.embed %ids, %table scales %ts -> %h {scale = 11.0 : f32} : memref<?xi32>, memref<512x128xi8>, memref<512x4xf16> -> memref<?x128xf32>
  gemma.linear %h, %w8 scales %s -> %y : memref<?x128xf32>, memref<64x128xi8>, memref<64x4xf16> -> memref<?x64xf32>
  gemma.linear %h, %w4 scales %s -> %y : memref<?x128xf32>, memref<64x64xi8>, memref<64x4xf16> -> memref<?x64xf32>
  gemma.linear %h, %table scales %ts -> %logits unless %flag {softcap = 30.0 : f32} : memref<?x128xf32>, memref<512x128xi8>, memref<512x4xf16> -> memref<?x512xf32>
  gemma.expert_linear %h, %ew scales %es, %idx -> %ey : memref<?x128xf32>, memref<16x64x64xi8> scales memref<16x64x4xf16>, memref<?x2xi32> -> memref<?x2x64xf32>
  return
}
