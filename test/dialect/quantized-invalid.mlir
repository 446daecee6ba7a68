// Verifier errors of block-quantised weight operands (docs/weights.md).
//
// RUN: gemma-opt %s -split-input-file -verify-diagnostics

func.func @i8_without_scales(%x: memref<?x128xf32>, %w: memref<64x128xi8>, %y: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.linear' op an i8 weight needs block scales}}
  gemma.linear %x, %w -> %y : memref<?x128xf32>, memref<64x128xi8> -> memref<?x64xf32>
  return
}

// -----

func.func @scales_on_bf16(%x: memref<?x128xf32>, %w: memref<64x128xbf16>, %s: memref<64x4xf16>, %y: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.linear' op block scales need an i8 weight, not 'bf16'}}
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<64x128xbf16>, memref<64x4xf16> -> memref<?x64xf32>
  return
}

// -----

func.func @scales_rows(%x: memref<?x128xf32>, %w: memref<64x128xi8>, %s: memref<32x4xf16>, %y: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.linear' op scales and weight differ in dim 0}}
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<64x128xi8>, memref<32x4xf16> -> memref<?x64xf32>
  return
}

// -----

func.func @scales_blocks(%x: memref<?x128xf32>, %w: memref<64x128xi8>, %s: memref<64x3xf16>, %y: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.linear' op weight's last dim is 128 but 3 blocks of 32 need 96 (int8) or 48 (int4)}}
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<64x128xi8>, memref<64x3xf16> -> memref<?x64xf32>
  return
}

// -----

func.func @quant_in_features(%x: memref<?x96xf32>, %w: memref<64x64xi8>, %s: memref<64x4xf16>, %y: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.linear' op x dim 1 is 96 but the weight's in-features is 128}}
  gemma.linear %x, %w scales %s -> %y : memref<?x96xf32>, memref<64x64xi8>, memref<64x4xf16> -> memref<?x64xf32>
  return
}

// -----

func.func @scales_type(%x: memref<?x128xf32>, %w: memref<64x128xi8>, %s: memref<64x4xbf16>, %y: memref<?x64xf32>) {
  // expected-error @+1 {{operand #2 must be 2D memref of 16-bit float or 32-bit float values}}
  gemma.linear %x, %w scales %s -> %y : memref<?x128xf32>, memref<64x128xi8>, memref<64x4xbf16> -> memref<?x64xf32>
  return
}

// -----

func.func @expert_scales_rank(%x: memref<?x128xf32>, %w: memref<16x64x128xi8>, %s: memref<64x4xf16>, %idx: memref<?x2xi32>, %y: memref<?x2x64xf32>) {
  // expected-error @+1 {{must be 3D memref}}
  gemma.expert_linear %x, %w scales %s, %idx -> %y : memref<?x128xf32>, memref<16x64x128xi8> scales memref<64x4xf16>, memref<?x2xi32> -> memref<?x2x64xf32>
  return
}

// -----

func.func @expert_int4_in(%x: memref<?x64xf32>, %w: memref<16x64x64xi8>, %s: memref<16x64x4xf16>, %idx: memref<?x2xi32>, %y: memref<?x2x64xf32>) {
  // expected-error @+1 {{'gemma.expert_linear' op x dim 1 is 64 but the experts' in-features is 128}}
  gemma.expert_linear %x, %w scales %s, %idx -> %y : memref<?x64xf32>, memref<16x64x64xi8> scales memref<16x64x4xf16>, memref<?x2xi32> -> memref<?x2x64xf32>
  return
}

// -----

func.func @embed_without_scales(%ids: memref<?xi32>, %t: memref<512x128xi8>, %h: memref<?x128xf32>) {
  // expected-error @+1 {{'gemma.embed' op an i8 table needs block scales}}
  gemma.embed %ids, %t -> %h {scale = 1.0 : f32} : memref<?xi32>, memref<512x128xi8> -> memref<?x128xf32>
  return
}

// -----

func.func @embed_int4_width(%ids: memref<?xi32>, %t: memref<512x64xi8>, %s: memref<512x4xf16>, %h: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.embed' op out dim 1 is 64 but the table's row width is 128}}
  gemma.embed %ids, %t scales %s -> %h {scale = 1.0 : f32} : memref<?xi32>, memref<512x64xi8>, memref<512x4xf16> -> memref<?x64xf32>
  return
}
