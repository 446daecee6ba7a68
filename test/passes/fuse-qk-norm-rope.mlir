// gemma-fuse-qk-norm-rope: per-head q/k/v norms, RoPE and the cache write of
// an attention block become one gemma.qk_norm_rope right before the
// attention; gemma-lower-attention then emits it as a single kernel.
//
// RUN: gemma-opt %s -split-input-file --gemma-fuse-qk-norm-rope | FileCheck %s
// RUN: gemma-opt %s -split-input-file --gemma-fuse-qk-norm-rope --gemma-lower-attention | FileCheck %s --check-prefix=LOWER

// A sliding block: q, k, v in scratch regions, the cache a ring of 8 slots.
// CHECK-LABEL: func.func @block(
// CHECK-SAME:      %[[POS:[a-z0-9]+]]: index
// CHECK:         %[[Q:[0-9]+]] = gemma.scratch "q" {{.*}} : memref<?x4x32xf32>
// CHECK:         %[[K:[0-9]+]] = gemma.scratch "k" {{.*}} : memref<?x2x32xf32>
// CHECK:         %[[V:[0-9]+]] = gemma.scratch "v" {{.*}} : memref<?x2x32xf32>
// CHECK:         %[[KC:[0-9]+]] = gemma.kv_cache "layer0.k"
// CHECK:         %[[VC:[0-9]+]] = gemma.kv_cache "layer0.v"
// CHECK-NOT:     gemma.rms_norm
// CHECK-NOT:     gemma.rope
// CHECK-NOT:     gemma.kv_write
// CHECK:         gemma.qk_norm_rope %[[Q]], %{{.*}} kv(%[[K]], %{{.*}}, %[[V]]) -> cache(%[[KC]], %[[VC]]) at %[[POS]] {eps = 9.99999997E-7 : f32, pairs = 16 : i64, theta = 1.000000e+04 : f64}
// CHECK-NEXT:    gemma.attention %[[Q]], cache(%[[KC]], %[[VC]]) at %[[POS]]
// CHECK-NOT:     gemma.rms_norm
// CHECK:         return

// One kernel: a parallel loop over (token, q heads + kv heads); the kv
// heads' rows are normalised and rotated straight into the cache slot.
// LOWER-LABEL: func.func @block(
// LOWER:         scf.parallel (%{{.*}}, %[[HEAD:[a-z0-9_]+]]) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %[[NH:[a-z0-9_]+]])
// LOWER:           %[[ISQ:[a-z0-9_]+]] = arith.cmpi ult, %[[HEAD]]
// LOWER:           scf.if %[[ISQ]] {
// LOWER:             math.rsqrt
// LOWER:             math.cos
// LOWER:           } else {
// LOWER:             %[[SLOT:[a-z0-9_]+]] = arith.remui
// LOWER:             math.rsqrt
// LOWER:             vector.store %{{.*}}, %{{.*}}[%{{.*}}, %[[SLOT]], %{{.*}}] : memref<2x8x32xf32>, vector<8xf32>
// LOWER:             math.rsqrt
// LOWER:             math.cos
// LOWER:             memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[SLOT]], %{{.*}}] : memref<2x8x32xf32>
// LOWER:           }
// LOWER:         scf.parallel
// LOWER-NOT:     gemma.qk_norm_rope
// LOWER-NOT:     gemma.attention
// LOWER:         return
func.func @block(%x: memref<?x64xf32>, %wq: memref<128x64xf32>, %wk: memref<64x64xf32>, %wv: memref<64x64xf32>,
                 %qn: memref<32xf32>, %kn: memref<32xf32>, %pos: index, %t: index) {
  %q2 = gemma.scratch "q" at 0 [%t] : memref<?x128xf32>
  %q = gemma.scratch "q" at 0 [%t] : memref<?x4x32xf32>
  %k2 = gemma.scratch "k" at 4096 [%t] : memref<?x64xf32>
  %k = gemma.scratch "k" at 4096 [%t] : memref<?x2x32xf32>
  %v2 = gemma.scratch "v" at 8192 [%t] : memref<?x64xf32>
  %v = gemma.scratch "v" at 8192 [%t] : memref<?x2x32xf32>
  %o = gemma.scratch "o" at 12288 [%t] : memref<?x4x32xf32>
  %kc = gemma.kv_cache "layer0.k" at 0 : memref<2x8x32xf32>
  %vc = gemma.kv_cache "layer0.v" at 2048 : memref<2x8x32xf32>
  gemma.linear %x, %wq -> %q2 : memref<?x64xf32>, memref<128x64xf32> -> memref<?x128xf32>
  gemma.rms_norm %q, %qn -> %q {eps = 1.0e-6 : f32} : memref<?x4x32xf32>, memref<32xf32> -> memref<?x4x32xf32>
  gemma.rope %q at %pos -> %q {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.linear %x, %wk -> %k2 : memref<?x64xf32>, memref<64x64xf32> -> memref<?x64xf32>
  gemma.linear %x, %wv -> %v2 : memref<?x64xf32>, memref<64x64xf32> -> memref<?x64xf32>
  gemma.rms_norm %v -> %v {eps = 1.0e-6 : f32} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.rms_norm %k, %kn -> %k {eps = 1.0e-6 : f32} : memref<?x2x32xf32>, memref<32xf32> -> memref<?x2x32xf32>
  gemma.rope %k at %pos -> %k {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.kv_write %k, %v at %pos -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
  gemma.attention %q, cache(%kc, %vc) at %pos -> %o {scale = 1.0 : f32, window = 4 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

// k_eq_v (full layers of 31B / 26B-A4B): V = v_norm(raw K), read before
// k_norm; the fused op takes the raw k buffer as its v operand. Proportional
// RoPE: 8 of 16 pairs rotate with theta 1e6.
// CHECK-LABEL: func.func @k_eq_v(
// CHECK:         %[[K:[0-9]+]] = gemma.scratch "k" {{.*}} : memref<?x2x32xf32>
// CHECK-NOT:     gemma.rms_norm
// CHECK:         gemma.qk_norm_rope %{{.*}}, %{{.*}} kv(%[[K]], %{{.*}}, %[[K]]) -> cache(%{{.*}}, %{{.*}}) at %{{.*}} {eps = 9.99999997E-7 : f32, pairs = 8 : i64, theta = 1.000000e+06 : f64}
// CHECK-NEXT:    gemma.attention
func.func @k_eq_v(%x: memref<?x64xf32>, %wq: memref<128x64xf32>, %wk: memref<64x64xf32>,
                  %qn: memref<32xf32>, %kn: memref<32xf32>, %pos: index, %t: index) {
  %q2 = gemma.scratch "q" at 0 [%t] : memref<?x128xf32>
  %q = gemma.scratch "q" at 0 [%t] : memref<?x4x32xf32>
  %k2 = gemma.scratch "k" at 4096 [%t] : memref<?x64xf32>
  %k = gemma.scratch "k" at 4096 [%t] : memref<?x2x32xf32>
  %v = gemma.scratch "v" at 8192 [%t] : memref<?x2x32xf32>
  %o = gemma.scratch "o" at 12288 [%t] : memref<?x4x32xf32>
  %kc = gemma.kv_cache "layer5.k" at 0 : memref<2x64x32xf32>
  %vc = gemma.kv_cache "layer5.v" at 16384 : memref<2x64x32xf32>
  gemma.linear %x, %wq -> %q2 : memref<?x64xf32>, memref<128x64xf32> -> memref<?x128xf32>
  gemma.rms_norm %q, %qn -> %q {eps = 1.0e-6 : f32} : memref<?x4x32xf32>, memref<32xf32> -> memref<?x4x32xf32>
  gemma.rope %q at %pos -> %q {pairs = 8 : i64, theta = 1.0e+06 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.linear %x, %wk -> %k2 : memref<?x64xf32>, memref<64x64xf32> -> memref<?x64xf32>
  gemma.rms_norm %k -> %v {eps = 1.0e-6 : f32} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.rms_norm %k, %kn -> %k {eps = 1.0e-6 : f32} : memref<?x2x32xf32>, memref<32xf32> -> memref<?x2x32xf32>
  gemma.rope %k at %pos -> %k {pairs = 8 : i64, theta = 1.0e+06 : f64} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.kv_write %k, %v at %pos -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x64x32xf32>, memref<2x64x32xf32>
  gemma.attention %q, cache(%kc, %vc) at %pos -> %o {scale = 1.0 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<2x64x32xf32>, memref<2x64x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

// A KV-shared layer (E2B/E4B) reads another layer's cache: only q is fused;
// the source layer's kv_write stays where it is.
// CHECK-LABEL: func.func @kv_shared(
// CHECK:         gemma.kv_write
// CHECK:         gemma.qk_norm_rope %{{.*}}, %{{.*}} at %{{.*}} {eps
// CHECK-NOT:     kv(
// CHECK-NEXT:    gemma.attention
func.func @kv_shared(%x: memref<?x64xf32>, %wq: memref<128x64xf32>, %qn: memref<32xf32>,
                     %k: memref<?x2x32xf32>, %pos: index, %t: index) {
  %q2 = gemma.scratch "q" at 0 [%t] : memref<?x128xf32>
  %q = gemma.scratch "q" at 0 [%t] : memref<?x4x32xf32>
  %o = gemma.scratch "o" at 12288 [%t] : memref<?x4x32xf32>
  %kc = gemma.kv_cache "layer0.k" at 0 : memref<2x8x32xf32>
  %vc = gemma.kv_cache "layer0.v" at 2048 : memref<2x8x32xf32>
  gemma.kv_write %k, %k at %pos -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
  gemma.linear %x, %wq -> %q2 : memref<?x64xf32>, memref<128x64xf32> -> memref<?x128xf32>
  gemma.rms_norm %q, %qn -> %q {eps = 1.0e-6 : f32} : memref<?x4x32xf32>, memref<32xf32> -> memref<?x4x32xf32>
  gemma.rope %q at %pos -> %q {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.attention %q, cache(%kc, %vc) at %pos -> %o {scale = 1.0 : f32, window = 4 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

// Not fused: the normalised k is read after the attention (the fused kernel
// would leave it raw), and the norms disagree on epsilon.
// CHECK-LABEL: func.func @k_read_later(
// CHECK-NOT:     gemma.qk_norm_rope
// CHECK:         gemma.kv_write
// CHECK:         gemma.attention
// CHECK:         gemma.add
func.func @k_read_later(%x: memref<?x64xf32>, %qn: memref<32xf32>, %kn: memref<32xf32>, %pos: index, %t: index) {
  %q = gemma.scratch "q" at 0 [%t] : memref<?x4x32xf32>
  %k = gemma.scratch "k" at 4096 [%t] : memref<?x2x32xf32>
  %v = gemma.scratch "v" at 8192 [%t] : memref<?x2x32xf32>
  %o = gemma.scratch "o" at 12288 [%t] : memref<?x4x32xf32>
  %kc = gemma.kv_cache "layer0.k" at 0 : memref<2x8x32xf32>
  %vc = gemma.kv_cache "layer0.v" at 2048 : memref<2x8x32xf32>
  gemma.rms_norm %q, %qn -> %q {eps = 1.0e-6 : f32} : memref<?x4x32xf32>, memref<32xf32> -> memref<?x4x32xf32>
  gemma.rope %q at %pos -> %q {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.rms_norm %v -> %v {eps = 1.0e-6 : f32} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.rms_norm %k, %kn -> %k {eps = 1.0e-6 : f32} : memref<?x2x32xf32>, memref<32xf32> -> memref<?x2x32xf32>
  gemma.rope %k at %pos -> %k {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.kv_write %k, %v at %pos -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
  gemma.attention %q, cache(%kc, %vc) at %pos -> %o {scale = 1.0 : f32, window = 4 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
  gemma.add %k, %k -> %v : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<?x2x32xf32>
  return
}

// -----

// CHECK-LABEL: func.func @eps_mismatch(
// CHECK-NOT:     gemma.qk_norm_rope
func.func @eps_mismatch(%qn: memref<32xf32>, %kn: memref<32xf32>, %pos: index, %t: index) {
  %q = gemma.scratch "q" at 0 [%t] : memref<?x4x32xf32>
  %k = gemma.scratch "k" at 4096 [%t] : memref<?x2x32xf32>
  %v = gemma.scratch "v" at 8192 [%t] : memref<?x2x32xf32>
  %o = gemma.scratch "o" at 12288 [%t] : memref<?x4x32xf32>
  %kc = gemma.kv_cache "layer0.k" at 0 : memref<2x8x32xf32>
  %vc = gemma.kv_cache "layer0.v" at 2048 : memref<2x8x32xf32>
  gemma.rms_norm %q, %qn -> %q {eps = 1.0e-6 : f32} : memref<?x4x32xf32>, memref<32xf32> -> memref<?x4x32xf32>
  gemma.rope %q at %pos -> %q {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  gemma.rms_norm %v -> %v {eps = 1.0e-5 : f32} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.rms_norm %k, %kn -> %k {eps = 1.0e-6 : f32} : memref<?x2x32xf32>, memref<32xf32> -> memref<?x2x32xf32>
  gemma.rope %k at %pos -> %k {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x2x32xf32> -> memref<?x2x32xf32>
  gemma.kv_write %k, %v at %pos -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x8x32xf32>
  gemma.attention %q, cache(%kc, %vc) at %pos -> %o {scale = 1.0 : f32, window = 4 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x4x32xf32>
  return
}
