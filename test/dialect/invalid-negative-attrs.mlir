// Negative values of I64Attr attributes are rejected with the right message.
// (ODS's I64Attr getters return uint64_t, so the verifiers must read the
// attribute's signed value.)
//
// RUN: gemma-opt %s -split-input-file -verify-diagnostics

func.func @view_offset() {
  // expected-error @+1 {{'gemma.kv_cache' op offset must be non-negative}}
  %0 = gemma.kv_cache "layer0.k" at -4 : memref<2x8x32xf32>
  return
}

// -----

func.func @attention_negative_window(%q: memref<?x4x32xf32>, %k: memref<?x2x32xf32>, %kc: memref<2x8x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op window must be >= 0 (0: full causal)}}
  gemma.attention %q, cache(%kc, %kc) at %p -> %q {scale = 1.0 : f32, window = -1 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
  return
}
