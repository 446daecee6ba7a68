// Every gemma op parses, prints and re-parses to the same form.
//
// RUN: gemma-opt %s | gemma-opt | FileCheck %s
// RUN: gemma-opt %s --mlir-print-op-generic | gemma-opt | FileCheck %s

// CHECK-LABEL: func.func @buffers(
// CHECK-SAME:      %[[N:[a-z0-9]+]]: index
// CHECK:       gemma.weight "embed_tokens" at 0 : memref<512x128xbf16>
// CHECK:       gemma.weight "layers.0.input_layernorm" at 131072 : memref<128xf32>
// CHECK:       gemma.scratch "h" at 0[%[[N]]] : memref<?x128xf32>
// CHECK:       gemma.scratch "q" at 655360[%[[N]], %[[N]]] : memref<?x?x32xf32>
// CHECK:       gemma.scratch "tmp" at 64 : memref<4xf32>
// CHECK:       gemma.kv_cache "layer0.k" at 2048 : memref<2x8x32xf32>
func.func @buffers(%n: index) -> (memref<512x128xbf16>, memref<128xf32>, memref<?x128xf32>, memref<?x?x32xf32>, memref<4xf32>, memref<2x8x32xf32>) {
  %0 = gemma.weight "embed_tokens" at 0 : memref<512x128xbf16>
  %1 = gemma.weight "layers.0.input_layernorm" at 131072 : memref<128xf32>
  %2 = gemma.scratch "h" at 0[%n] : memref<?x128xf32>
  %3 = gemma.scratch "q" at 655360[%n, %n] : memref<?x?x32xf32>
  %4 = gemma.scratch "tmp" at 64 : memref<4xf32>
  %5 = gemma.kv_cache "layer0.k" at 2048 : memref<2x8x32xf32>
  return %0, %1, %2, %3, %4, %5 : memref<512x128xbf16>, memref<128xf32>, memref<?x128xf32>, memref<?x?x32xf32>, memref<4xf32>, memref<2x8x32xf32>
}

// CHECK-LABEL: func.func @layer(
// CHECK-SAME:      %[[IDS:[a-z0-9]+]]: memref<?xi32>, %[[TAB:[a-z0-9]+]]: memref<512x128xbf16>, %[[H:[a-z0-9]+]]: memref<?x128xf32>, %[[NW:[a-z0-9]+]]: memref<128xf32>, %[[WB:[a-z0-9]+]]: memref<256x128xbf16>, %[[WF:[a-z0-9]+]]: memref<64x128xf32>, %[[G:[a-z0-9]+]]: memref<?x256xf32>, %[[A:[a-z0-9]+]]: memref<?x128xf32>, %[[K:[a-z0-9]+]]: memref<?x64xf32>, %[[Q:[a-z0-9]+]]: memref<?x4x32xf32>, %[[P:[a-z0-9]+]]: index, %[[S:[a-z0-9]+]]: memref<1xf32>
// CHECK:       gemma.embed %[[IDS]], %[[TAB]] -> %[[H]] {scale = 11.3137083 : f32} : memref<?xi32>, memref<512x128xbf16> -> memref<?x128xf32>
// CHECK:       gemma.rms_norm %[[H]], %[[NW]] -> %[[H]] {eps = 9.99999997E-7 : f32} : memref<?x128xf32>, memref<128xf32> -> memref<?x128xf32>
// CHECK:       gemma.rms_norm %[[Q]] -> %[[Q]] {eps = 9.99999997E-7 : f32} : memref<?x4x32xf32> -> memref<?x4x32xf32>
// CHECK:       gemma.linear %[[H]], %[[WB]] -> %[[G]] : memref<?x128xf32>, memref<256x128xbf16> -> memref<?x256xf32>
// CHECK:       gemma.linear %[[H]], %[[WF]] -> %[[K]] : memref<?x128xf32>, memref<64x128xf32> -> memref<?x64xf32>
// CHECK:       gemma.rope %[[Q]] at %[[P]] -> %[[Q]] {pairs = 4 : i64, theta = 1.000000e+06 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
// CHECK:       gemma.gelu_glu %[[G]] -> %[[A]] : memref<?x256xf32> -> memref<?x128xf32>
// CHECK:       gemma.gelu %[[A]] -> %[[A]] : memref<?x128xf32> -> memref<?x128xf32>
// CHECK:       gemma.add %[[H]], %[[A]] -> %[[H]] : memref<?x128xf32>, memref<?x128xf32> -> memref<?x128xf32>
// CHECK:       gemma.mul %[[H]], %[[A]] -> %[[A]] : memref<?x128xf32>, memref<?x128xf32> -> memref<?x128xf32>
// CHECK:       gemma.scale %[[H]], %[[S]] -> %[[H]] {factor = 1.000000e+00 : f32} : memref<?x128xf32>, memref<1xf32> -> memref<?x128xf32>
// CHECK:       gemma.scale %[[H]] -> %[[A]] {factor = 5.000000e-01 : f32} : memref<?x128xf32> -> memref<?x128xf32>
// CHECK:       gemma.softcap %[[H]] -> %[[H]] {cap = 3.000000e+01 : f32} : memref<?x128xf32> -> memref<?x128xf32>
func.func @layer(%ids: memref<?xi32>, %tab: memref<512x128xbf16>, %h: memref<?x128xf32>, %nw: memref<128xf32>,
                 %wb: memref<256x128xbf16>, %wf: memref<64x128xf32>, %g: memref<?x256xf32>, %a: memref<?x128xf32>,
                 %k: memref<?x64xf32>, %q: memref<?x4x32xf32>, %pos0: index, %s: memref<1xf32>) {
  gemma.embed %ids, %tab -> %h {scale = 11.3137083 : f32} : memref<?xi32>, memref<512x128xbf16> -> memref<?x128xf32>
  gemma.rms_norm %h, %nw -> %h {eps = 9.99999997E-7 : f32} : memref<?x128xf32>, memref<128xf32> -> memref<?x128xf32>
  gemma.rms_norm %q -> %q {eps = 9.99999997E-7 : f32} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.linear %h, %wb -> %g : memref<?x128xf32>, memref<256x128xbf16> -> memref<?x256xf32>
  gemma.linear %h, %wf -> %k : memref<?x128xf32>, memref<64x128xf32> -> memref<?x64xf32>
  gemma.rope %q at %pos0 -> %q {pairs = 4 : i64, theta = 1.0e+06 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.gelu_glu %g -> %a : memref<?x256xf32> -> memref<?x128xf32>
  gemma.gelu %a -> %a : memref<?x128xf32> -> memref<?x128xf32>
  gemma.add %h, %a -> %h : memref<?x128xf32>, memref<?x128xf32> -> memref<?x128xf32>
  gemma.mul %h, %a -> %a : memref<?x128xf32>, memref<?x128xf32> -> memref<?x128xf32>
  gemma.scale %h, %s -> %h {factor = 1.0 : f32} : memref<?x128xf32>, memref<1xf32> -> memref<?x128xf32>
  gemma.scale %h -> %a {factor = 0.5 : f32} : memref<?x128xf32> -> memref<?x128xf32>
  gemma.softcap %h -> %h {cap = 30.0 : f32} : memref<?x128xf32> -> memref<?x128xf32>
  return
}

// CHECK-LABEL: func.func @attention(
// CHECK-SAME:      %[[AQ:[a-z0-9]+]]: memref<?x4x32xf32>, %[[AK:[a-z0-9]+]]: memref<?x2x32xf32>, %[[AV:[a-z0-9]+]]: memref<?x2x32xf32>, %[[KC:[a-z0-9]+]]: memref<2x8x32xf32>, %[[VC:[a-z0-9]+]]: memref<2x8x32xf32>, %[[FKC:[a-z0-9]+]]: memref<2x4096x32xf32>, %[[FVC:[a-z0-9]+]]: memref<2x4096x32xf32>, %[[AP:[a-z0-9]+]]: index, %[[AO:[a-z0-9]+]]: memref<?x4x32xf32>
// CHECK:       gemma.attention %[[AQ]], cache(%[[KC]], %[[VC]]) at %[[AP]] -> %[[AO]] {scale = 1.000000e+00 : f32, window = 8 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
// CHECK:       gemma.attention %[[AQ]], cache(%[[FKC]], %[[FVC]]) at %[[AP]] -> %[[AO]] {scale = 1.250000e-01 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<2x4096x32xf32>, memref<2x4096x32xf32> -> memref<?x4x32xf32>
// CHECK:       gemma.kv_write %[[AK]], %[[AV]] at %[[AP]] -> %[[KC]], %[[VC]] : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
func.func @attention(%q: memref<?x4x32xf32>, %k: memref<?x2x32xf32>, %v: memref<?x2x32xf32>,
                     %kc: memref<2x8x32xf32>, %vc: memref<2x8x32xf32>,
                     %fkc: memref<2x4096x32xf32>, %fvc: memref<2x4096x32xf32>, %pos0: index, %o: memref<?x4x32xf32>) {
  gemma.attention %q, cache(%kc, %vc) at %pos0 -> %o {scale = 1.0 : f32, window = 8 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
  gemma.attention %q, cache(%fkc, %fvc) at %pos0 -> %o {scale = 0.125 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<2x4096x32xf32>, memref<2x4096x32xf32> -> memref<?x4x32xf32>
  gemma.kv_write %k, %v at %pos0 -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
  return
}

// CHECK-LABEL: func.func @moe(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x128xf32>, %[[RS:[a-z0-9]+]]: memref<128xf32>, %[[PR:[a-z0-9]+]]: memref<16x128xbf16>, %[[PES:[a-z0-9]+]]: memref<16xf32>, %[[IDX:[a-z0-9]+]]: memref<?x4xi32>, %[[RW:[a-z0-9]+]]: memref<?x4xf32>, %[[GUW:[a-z0-9]+]]: memref<16x64x128xbf16>, %[[GU:[a-z0-9]+]]: memref<?x4x64xf32>, %[[ACT:[a-z0-9]+]]: memref<?x4x32xf32>, %[[DW:[a-z0-9]+]]: memref<16x128x32xf32>, %[[Y:[a-z0-9]+]]: memref<?x4x128xf32>, %[[OUT:[a-z0-9]+]]: memref<?x128xf32>
// CHECK:       gemma.moe_route %[[X]], %[[RS]], %[[PR]], %[[PES]] -> %[[IDX]], %[[RW]] {eps = 9.99999997E-7 : f32} : memref<?x128xf32>, memref<128xf32>, memref<16x128xbf16>, memref<16xf32> -> memref<?x4xi32>, memref<?x4xf32>
// CHECK:       gemma.expert_linear %[[X]], %[[GUW]], %[[IDX]] -> %[[GU]] : memref<?x128xf32>, memref<16x64x128xbf16>, memref<?x4xi32> -> memref<?x4x64xf32>
// CHECK:       gemma.expert_linear %[[ACT]], %[[DW]], %[[IDX]] -> %[[Y]] : memref<?x4x32xf32>, memref<16x128x32xf32>, memref<?x4xi32> -> memref<?x4x128xf32>
// CHECK:       gemma.moe_combine %[[Y]], %[[RW]] -> %[[OUT]] : memref<?x4x128xf32>, memref<?x4xf32> -> memref<?x128xf32>
func.func @moe(%x: memref<?x128xf32>, %rs: memref<128xf32>, %proj: memref<16x128xbf16>, %pes: memref<16xf32>,
               %idx: memref<?x4xi32>, %rw: memref<?x4xf32>, %guw: memref<16x64x128xbf16>, %gu: memref<?x4x64xf32>,
               %act: memref<?x4x32xf32>, %dw: memref<16x128x32xf32>, %y: memref<?x4x128xf32>, %out: memref<?x128xf32>) {
  gemma.moe_route %x, %rs, %proj, %pes -> %idx, %rw {eps = 1.0e-06 : f32} : memref<?x128xf32>, memref<128xf32>, memref<16x128xbf16>, memref<16xf32> -> memref<?x4xi32>, memref<?x4xf32>
  gemma.expert_linear %x, %guw, %idx -> %gu : memref<?x128xf32>, memref<16x64x128xbf16>, memref<?x4xi32> -> memref<?x4x64xf32>
  gemma.expert_linear %act, %dw, %idx -> %y : memref<?x4x32xf32>, memref<16x128x32xf32>, memref<?x4xi32> -> memref<?x4x128xf32>
  gemma.moe_combine %y, %rw -> %out : memref<?x4x128xf32>, memref<?x4xf32> -> memref<?x128xf32>
  return
}
