// One case per verifier error of the gemma ops (dialects/GemmaOps.cpp).
//
// RUN: gemma-opt %s -split-input-file -verify-diagnostics

func.func @view_layout() {
  // expected-error @+1 {{'gemma.scratch' op view must have the identity layout}}
  %0 = gemma.scratch "x" at 0 : memref<4x4xf32, strided<[8, 1]>>
  return
}

// -----

func.func @view_dynamic_sizes(%n: index) {
  // expected-error @+1 {{'gemma.scratch' op has 2 dynamic sizes for 1 dynamic dims}}
  %0 = gemma.scratch "x" at 0[%n, %n] : memref<?x128xf32>
  return
}

// -----

func.func @view_missing_size() {
  // expected-error @+1 {{'gemma.scratch' op has 0 dynamic sizes for 1 dynamic dims}}
  %0 = gemma.scratch "x" at 0 : memref<?x128xf32>
  return
}

// -----

func.func @weight_dynamic(%n: index) {
  // expected-error @+1 {{'gemma.weight' op weights have static shapes}}
  %0 = gemma.weight "w" at 0[%n] : memref<?x128xbf16>
  return
}

// -----

func.func @kv_cache_rank() {
  // expected-error @+1 {{'gemma.kv_cache' op a KV cache is [n_kv, slots, head_dim]}}
  %0 = gemma.kv_cache "layer0.k" at 0 : memref<8x32xf32>
  return
}

// -----

func.func @embed_width(%ids: memref<?xi32>, %t: memref<512x128xbf16>, %o: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.embed' op out dim 1 is 64 but the table's row width is 128}}
  gemma.embed %ids, %t -> %o {scale = 1.0 : f32} : memref<?xi32>, memref<512x128xbf16> -> memref<?x64xf32>
  return
}

// -----

func.func @embed_rows(%ids: memref<3xi32>, %t: memref<512x128xbf16>, %o: memref<4x128xf32>) {
  // expected-error @+1 {{'gemma.embed' op out dim 0 is 4 but the number of ids is 3}}
  gemma.embed %ids, %t -> %o {scale = 1.0 : f32} : memref<3xi32>, memref<512x128xbf16> -> memref<4x128xf32>
  return
}

// -----

func.func @embed_dynamic_table(%ids: memref<?xi32>, %t: memref<512x?xbf16>, %o: memref<?x128xf32>) {
  // expected-error @+1 {{'gemma.embed' op table needs a static innermost dimension}}
  gemma.embed %ids, %t -> %o {scale = 1.0 : f32} : memref<?xi32>, memref<512x?xbf16> -> memref<?x128xf32>
  return
}

// -----

func.func @rms_norm_shape(%x: memref<?x128xf32>, %o: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.rms_norm' op x and out differ in dim 1}}
  gemma.rms_norm %x -> %o {eps = 1.0e-06 : f32} : memref<?x128xf32> -> memref<?x64xf32>
  return
}

// -----

func.func @rms_norm_rank(%x: memref<?x128xf32>, %o: memref<?x2x64xf32>) {
  // expected-error @+1 {{'gemma.rms_norm' op x and out differ in rank}}
  gemma.rms_norm %x -> %o {eps = 1.0e-06 : f32} : memref<?x128xf32> -> memref<?x2x64xf32>
  return
}

// -----

func.func @rms_norm_dynamic_inner(%x: memref<4x?xf32>) {
  // expected-error @+1 {{'gemma.rms_norm' op x needs a static innermost dimension}}
  gemma.rms_norm %x -> %x {eps = 1.0e-06 : f32} : memref<4x?xf32> -> memref<4x?xf32>
  return
}

// -----

func.func @rms_norm_weight(%x: memref<?x4x32xf32>, %w: memref<64xf32>) {
  // expected-error @+1 {{'gemma.rms_norm' op weight dim 0 is 64 but x's last dim is 32}}
  gemma.rms_norm %x, %w -> %x {eps = 1.0e-06 : f32} : memref<?x4x32xf32>, memref<64xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @rms_norm_eps(%x: memref<?x128xf32>) {
  // expected-error @+1 {{'gemma.rms_norm' op eps must be positive}}
  gemma.rms_norm %x -> %x {eps = 0.0 : f32} : memref<?x128xf32> -> memref<?x128xf32>
  return
}

// -----

func.func @linear_in(%x: memref<?x64xf32>, %w: memref<256x128xbf16>, %y: memref<?x256xf32>) {
  // expected-error @+1 {{'gemma.linear' op x dim 1 is 64 but the weight's in-features is 128}}
  gemma.linear %x, %w -> %y : memref<?x64xf32>, memref<256x128xbf16> -> memref<?x256xf32>
  return
}

// -----

func.func @linear_out(%x: memref<?x128xf32>, %w: memref<256x128xbf16>, %y: memref<?x128xf32>) {
  // expected-error @+1 {{'gemma.linear' op out dim 1 is 128 but the weight's out-features is 256}}
  gemma.linear %x, %w -> %y : memref<?x128xf32>, memref<256x128xbf16> -> memref<?x128xf32>
  return
}

// -----

func.func @linear_rows(%x: memref<2x128xf32>, %w: memref<256x128xf32>, %y: memref<3x256xf32>) {
  // expected-error @+1 {{'gemma.linear' op out dim 0 is 3 but x's rows is 2}}
  gemma.linear %x, %w -> %y : memref<2x128xf32>, memref<256x128xf32> -> memref<3x256xf32>
  return
}

// -----

func.func @linear_dynamic_in(%x: memref<?x?xf32>, %w: memref<256x128xf32>, %y: memref<?x256xf32>) {
  // expected-error @+1 {{'gemma.linear' op x needs a static innermost dimension}}
  gemma.linear %x, %w -> %y : memref<?x?xf32>, memref<256x128xf32> -> memref<?x256xf32>
  return
}

// -----

func.func @linear_int_weight(%x: memref<?x128xf32>, %w: memref<256x128xi32>, %y: memref<?x256xf32>) {
  // expected-error @+1 {{'gemma.linear' op operand #1 must be 2D memref of 32-bit float or bfloat16 type or 16-bit float or 8-bit signless integer values}}
  gemma.linear %x, %w -> %y : memref<?x128xf32>, memref<256x128xi32> -> memref<?x256xf32>
  return
}

// -----

func.func @rope_odd(%q: memref<?x4x33xf32>, %p: index) {
  // expected-error @+1 {{'gemma.rope' op head dim must be even}}
  gemma.rope %q at %p -> %q {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x4x33xf32> -> memref<?x4x33xf32>
  return
}

// -----

func.func @rope_pairs(%q: memref<?x4x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.rope' op pairs must be in [0, 16]}}
  gemma.rope %q at %p -> %q {pairs = 17 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @rope_negative_pairs(%q: memref<?x4x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.rope' op pairs must be in [0, 16]}}
  gemma.rope %q at %p -> %q {pairs = -1 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @rope_theta(%q: memref<?x4x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.rope' op theta must be positive}}
  gemma.rope %q at %p -> %q {pairs = 16 : i64, theta = 0.0 : f64} : memref<?x4x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @rope_shape(%q: memref<?x4x32xf32>, %o: memref<?x2x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.rope' op x and out differ in dim 1}}
  gemma.rope %q at %p -> %o {pairs = 16 : i64, theta = 1.0e+04 : f64} : memref<?x4x32xf32> -> memref<?x2x32xf32>
  return
}

// -----

func.func @gelu_glu_halving(%x: memref<?x256xf32>, %o: memref<?x256xf32>) {
  // expected-error @+1 {{'gemma.gelu_glu' op x's last dim must be [gate | up], twice out's}}
  gemma.gelu_glu %x -> %o : memref<?x256xf32> -> memref<?x256xf32>
  return
}

// -----

func.func @gelu_glu_rank(%x: memref<?x256xf32>, %o: memref<?x2x64xf32>) {
  // expected-error @+1 {{'gemma.gelu_glu' op x and out differ in rank}}
  gemma.gelu_glu %x -> %o : memref<?x256xf32> -> memref<?x2x64xf32>
  return
}

// -----

func.func @gelu_glu_rows(%x: memref<2x256xf32>, %o: memref<3x128xf32>) {
  // expected-error @+1 {{'gemma.gelu_glu' op x and out differ in dim 0}}
  gemma.gelu_glu %x -> %o : memref<2x256xf32> -> memref<3x128xf32>
  return
}

// -----

func.func @gelu_glu_dynamic(%x: memref<?x256xf32>, %o: memref<?x?xf32>) {
  // expected-error @+1 {{'gemma.gelu_glu' op out needs a static innermost dimension}}
  gemma.gelu_glu %x -> %o : memref<?x256xf32> -> memref<?x?xf32>
  return
}

// -----

func.func @gelu_shape(%x: memref<?x128xf32>, %o: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.gelu' op x and out differ in dim 1}}
  gemma.gelu %x -> %o : memref<?x128xf32> -> memref<?x64xf32>
  return
}

// -----

func.func @add_rhs(%a: memref<?x128xf32>, %b: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.add' op lhs and rhs differ in dim 1}}
  gemma.add %a, %b -> %a : memref<?x128xf32>, memref<?x64xf32> -> memref<?x128xf32>
  return
}

// -----

func.func @add_out(%a: memref<?x128xf32>, %o: memref<?x4x32xf32>) {
  // expected-error @+1 {{'gemma.add' op lhs and out differ in rank}}
  gemma.add %a, %a -> %o : memref<?x128xf32>, memref<?x128xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @mul_rhs(%a: memref<?x128xf32>, %b: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.mul' op lhs and rhs differ in dim 1}}
  gemma.mul %a, %b -> %a : memref<?x128xf32>, memref<?x64xf32> -> memref<?x128xf32>
  return
}

// -----

func.func @mul_out(%a: memref<?x128xf32>, %o: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.mul' op lhs and out differ in dim 1}}
  gemma.mul %a, %a -> %o : memref<?x128xf32>, memref<?x128xf32> -> memref<?x64xf32>
  return
}

// -----

func.func @scale_scalar(%x: memref<?x128xf32>, %s: memref<2xf32>) {
  // expected-error @+1 {{'gemma.scale' op scalar must have one element}}
  gemma.scale %x, %s -> %x {factor = 1.0 : f32} : memref<?x128xf32>, memref<2xf32> -> memref<?x128xf32>
  return
}

// -----

func.func @scale_shape(%x: memref<?x128xf32>, %o: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.scale' op x and out differ in dim 1}}
  gemma.scale %x -> %o {factor = 1.0 : f32} : memref<?x128xf32> -> memref<?x64xf32>
  return
}

// -----

func.func @softcap_cap(%x: memref<?x512xf32>) {
  // expected-error @+1 {{'gemma.softcap' op cap must be positive}}
  gemma.softcap %x -> %x {cap = -30.0 : f32} : memref<?x512xf32> -> memref<?x512xf32>
  return
}

// -----

func.func @softcap_shape(%x: memref<?x512xf32>, %o: memref<?x256xf32>) {
  // expected-error @+1 {{'gemma.softcap' op x and out differ in dim 1}}
  gemma.softcap %x -> %o {cap = 30.0 : f32} : memref<?x512xf32> -> memref<?x256xf32>
  return
}

// -----

func.func @attention_gqa(%q: memref<?x3x32xf32>, %k: memref<?x2x32xf32>, %kc: memref<2x8x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op query heads (3) must be a static multiple of KV heads (2)}}
  gemma.attention %q, cache(%kc, %kc) at %p -> %q {scale = 1.0 : f32, window = 0 : i64} : memref<?x3x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x3x32xf32>
  return
}

// -----

func.func @attention_dynamic_heads(%q: memref<?x?x32xf32>, %k: memref<?x2x32xf32>, %kc: memref<2x8x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op query heads (-9223372036854775808) must be a static multiple of KV heads (2)}}
  gemma.attention %q, cache(%kc, %kc) at %p -> %q {scale = 1.0 : f32, window = 0 : i64} : memref<?x?x32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32> -> memref<?x?x32xf32>
  return
}

// -----

func.func @attention_dynamic_slots(%q: memref<?x4x32xf32>, %k: memref<?x2x32xf32>, %kc: memref<2x?x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op cache slots must be static}}
  gemma.attention %q, cache(%kc, %kc) at %p -> %q {scale = 1.0 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<2x?x32xf32>, memref<2x?x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @attention_head_dim(%q: memref<?x4x32xf32>, %k: memref<?x2x64xf32>, %kc: memref<2x8x64xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op k_cache dim 2 is 64 but q's head dim is 32}}
  gemma.attention %q, cache(%kc, %kc) at %p -> %q {scale = 1.0 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<2x8x64xf32>, memref<2x8x64xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @attention_cache_heads(%q: memref<?x4x32xf32>, %kc: memref<3x8x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op query heads (4) must be a static multiple of KV heads (3)}}
  gemma.attention %q, cache(%kc, %kc) at %p -> %q {scale = 1.0 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<3x8x32xf32>, memref<3x8x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @attention_kv_mismatch(%q: memref<?x4x32xf32>, %kc: memref<2x8x32xf32>, %vc: memref<2x4x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.attention' op k_cache and v_cache differ in dim 1}}
  gemma.attention %q, cache(%kc, %vc) at %p -> %q {scale = 1.0 : f32, window = 0 : i64} : memref<?x4x32xf32>, memref<2x8x32xf32>, memref<2x4x32xf32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @kv_write_heads(%k: memref<?x2x32xf32>, %kc: memref<4x8x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.kv_write' op k_cache dim 0 is 4 but k's head count is 2}}
  gemma.kv_write %k, %k at %p -> %kc, %kc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<4x8x32xf32>, memref<4x8x32xf32>
  return
}

// -----

func.func @kv_write_head_dim(%k: memref<?x2x32xf32>, %kc: memref<2x8x64xf32>, %p: index) {
  // expected-error @+1 {{'gemma.kv_write' op k_cache dim 2 is 64 but k's head dim is 32}}
  gemma.kv_write %k, %k at %p -> %kc, %kc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x64xf32>, memref<2x8x64xf32>
  return
}

// -----

func.func @kv_write_caches(%k: memref<?x2x32xf32>, %kc: memref<2x8x32xf32>, %vc: memref<2x16x32xf32>, %p: index) {
  // expected-error @+1 {{'gemma.kv_write' op k_cache and v_cache differ in dim 1}}
  gemma.kv_write %k, %k at %p -> %kc, %vc : memref<?x2x32xf32>, memref<?x2x32xf32> -> memref<2x8x32xf32>, memref<2x16x32xf32>
  return
}

// -----

func.func @moe_route_topk(%x: memref<?x128xf32>, %s: memref<128xf32>, %p: memref<4x128xbf16>, %e: memref<4xf32>, %i: memref<?x5xi32>, %w: memref<?x5xf32>) {
  // expected-error @+1 {{'gemma.moe_route' op top-k 5 must be in [1, 4]}}
  gemma.moe_route %x, %s, %p, %e -> %i, %w {eps = 1.0e-06 : f32} : memref<?x128xf32>, memref<128xf32>, memref<4x128xbf16>, memref<4xf32> -> memref<?x5xi32>, memref<?x5xf32>
  return
}

// -----

func.func @moe_route_proj(%x: memref<?x128xf32>, %s: memref<128xf32>, %p: memref<4x64xbf16>, %e: memref<4xf32>, %i: memref<?x2xi32>, %w: memref<?x2xf32>) {
  // expected-error @+1 {{'gemma.moe_route' op proj dim 1 is 64 but x's width is 128}}
  gemma.moe_route %x, %s, %p, %e -> %i, %w {eps = 1.0e-06 : f32} : memref<?x128xf32>, memref<128xf32>, memref<4x64xbf16>, memref<4xf32> -> memref<?x2xi32>, memref<?x2xf32>
  return
}

// -----

func.func @moe_route_scale(%x: memref<?x128xf32>, %s: memref<128xf32>, %p: memref<4x128xbf16>, %e: memref<8xf32>, %i: memref<?x2xi32>, %w: memref<?x2xf32>) {
  // expected-error @+1 {{'gemma.moe_route' op per_expert_scale dim 0 is 8 but the expert count is 4}}
  gemma.moe_route %x, %s, %p, %e -> %i, %w {eps = 1.0e-06 : f32} : memref<?x128xf32>, memref<128xf32>, memref<4x128xbf16>, memref<8xf32> -> memref<?x2xi32>, memref<?x2xf32>
  return
}

// -----

func.func @moe_route_outputs(%x: memref<?x128xf32>, %s: memref<128xf32>, %p: memref<4x128xbf16>, %e: memref<4xf32>, %i: memref<?x2xi32>, %w: memref<?x3xf32>) {
  // expected-error @+1 {{'gemma.moe_route' op indices and weights differ in dim 1}}
  gemma.moe_route %x, %s, %p, %e -> %i, %w {eps = 1.0e-06 : f32} : memref<?x128xf32>, memref<128xf32>, memref<4x128xbf16>, memref<4xf32> -> memref<?x2xi32>, memref<?x3xf32>
  return
}

// -----

func.func @expert_linear_rank(%x: memref<128xf32>, %w: memref<16x64x128xbf16>, %i: memref<?x4xi32>, %y: memref<?x4x64xf32>) {
  // expected-error @+1 {{'gemma.expert_linear' op x must be [T, in] or [T, K, in]}}
  gemma.expert_linear %x, %w, %i -> %y : memref<128xf32>, memref<16x64x128xbf16>, memref<?x4xi32> -> memref<?x4x64xf32>
  return
}

// -----

func.func @expert_linear_in(%x: memref<?x64xf32>, %w: memref<16x64x128xbf16>, %i: memref<?x4xi32>, %y: memref<?x4x64xf32>) {
  // expected-error @+1 {{'gemma.expert_linear' op x dim 1 is 64 but the experts' in-features is 128}}
  gemma.expert_linear %x, %w, %i -> %y : memref<?x64xf32>, memref<16x64x128xbf16>, memref<?x4xi32> -> memref<?x4x64xf32>
  return
}

// -----

func.func @expert_linear_out(%x: memref<?x128xf32>, %w: memref<16x64x128xbf16>, %i: memref<?x4xi32>, %y: memref<?x4x32xf32>) {
  // expected-error @+1 {{'gemma.expert_linear' op out dim 2 is 32 but the experts' out-features is 64}}
  gemma.expert_linear %x, %w, %i -> %y : memref<?x128xf32>, memref<16x64x128xbf16>, memref<?x4xi32> -> memref<?x4x32xf32>
  return
}

// -----

func.func @expert_linear_topk(%x: memref<?x128xf32>, %w: memref<16x64x128xbf16>, %i: memref<?x4xi32>, %y: memref<?x2x64xf32>) {
  // expected-error @+1 {{'gemma.expert_linear' op out dim 1 is 2 but top-k is 4}}
  gemma.expert_linear %x, %w, %i -> %y : memref<?x128xf32>, memref<16x64x128xbf16>, memref<?x4xi32> -> memref<?x2x64xf32>
  return
}

// -----

func.func @expert_linear_x3d_topk(%x: memref<?x2x32xf32>, %w: memref<16x128x32xbf16>, %i: memref<?x4xi32>, %y: memref<?x4x128xf32>) {
  // expected-error @+1 {{'gemma.expert_linear' op x dim 1 is 2 but top-k is 4}}
  gemma.expert_linear %x, %w, %i -> %y : memref<?x2x32xf32>, memref<16x128x32xbf16>, memref<?x4xi32> -> memref<?x4x128xf32>
  return
}

// -----

func.func @moe_combine_topk(%y: memref<?x4x128xf32>, %w: memref<?x2xf32>, %o: memref<?x128xf32>) {
  // expected-error @+1 {{'gemma.moe_combine' op weights dim 1 is 2 but y's top-k is 4}}
  gemma.moe_combine %y, %w -> %o : memref<?x4x128xf32>, memref<?x2xf32> -> memref<?x128xf32>
  return
}

// -----

func.func @moe_combine_width(%y: memref<?x4x128xf32>, %w: memref<?x4xf32>, %o: memref<?x64xf32>) {
  // expected-error @+1 {{'gemma.moe_combine' op out dim 1 is 64 but y's width is 128}}
  gemma.moe_combine %y, %w -> %o : memref<?x4x128xf32>, memref<?x4xf32> -> memref<?x64xf32>
  return
}
