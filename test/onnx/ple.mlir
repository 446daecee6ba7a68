// RUN: gemma-opt %s --gemma-onnx-raise=only=rms-norm,linear,embed,mlp,ple --split-input-file --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// Per-layer embeddings (E2B/E4B, spec 2.9), spelled as torch.onnx exports
// them (ple golden), with H = 8, L = 2 layers, P = 4 per-layer width.

// Before layer 0: the per-layer token embedding (times sqrt(P)) and the
// projected main embedding (times H^-1/2, normed per layer), combined as
// (a + b) * 2^-1/2 -> ple_inputs. In layer l, after the FFN residual h:
// proj(gelu_tanh(gate h) * inputs[:, :, l]), then its post norm and the
// residual add -> ple_layer{layer = l}.
// CHECK-LABEL: func.func @ple
// CHECK-DAG: %[[EMB:.*]] = gemma_onnx.initializer "embed_tokens.weight"
// CHECK-DAG: %[[EPL:.*]] = gemma_onnx.initializer "embed_tokens_per_layer.weight"
// CHECK-DAG: %[[PROJ:.*]] = gemma_onnx.initializer "per_layer_model_projection.weight"
// CHECK-DAG: %[[NW:.*]] = gemma_onnx.initializer "per_layer_projection_norm.weight"
// CHECK-DAG: %[[G0:.*]] = gemma_onnx.initializer "layers.0.per_layer_input_gate.weight"
// CHECK-DAG: %[[P0:.*]] = gemma_onnx.initializer "layers.0.per_layer_projection.weight"
// CHECK-DAG: %[[N0:.*]] = gemma_onnx.initializer "layers.0.post_per_layer_input_norm.weight"
// CHECK-DAG: %[[G1:.*]] = gemma_onnx.initializer "layers.1.per_layer_input_gate.weight"
// CHECK-DAG: %[[P1:.*]] = gemma_onnx.initializer "layers.1.per_layer_projection.weight"
// CHECK: %[[H0:.*]] = gemma_onnx.embed(%arg0, %[[EMB]]) {scale = 2.8284270{{[0-9]*}} : f64}
// CHECK-SAME: loc(fused["h0_scale", "h0_lookup", "embed_scale"])
// CHECK-NOT: gemma_onnx.node
// CHECK: %[[IN:.*]] = gemma_onnx.ple_inputs(%arg0, %[[H0]], %[[EPL]], %[[PROJ]], %[[NW]]) {ctx_scale = 0.3535533{{[0-9]*}} : f64, eps = 9.9999999999999995E-7 : f64, out_scale = 0.70710677{{[0-9]*}} : f64, tok_scale = 2.000000e+00 : f64} : (tensor<1x?xi64>, tensor<1x?x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4xf32>) -> tensor<1x?x2x4xf32>
// CHECK-SAME: loc(fused["combine", "combine_add", "tok_view", "ctx_view", "ctx_norm_w", "ctx_norm", "ctx_rsqrt", "ctx_eps", "ctx_mean", "ctx_sq", "tok_scale", "tok_lookup", "ple_embed_scale", "ctx_scale", "ctx_proj"])
// CHECK-NOT: gemma_onnx.node
// CHECK: %[[L0:.*]] = gemma_onnx.ple_layer(%arg1, %[[IN]], %[[G0]], %[[P0]]) {layer = 0 : i64} : (tensor<1x?x8xf32>, tensor<1x?x2x4xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
// CHECK-SAME: loc(fused["l0_proj", "l0_mul", "l0_gelu", "l0_select", "l0_gate"])
// CHECK-NOT: gemma_onnx.node
// CHECK: %[[PN0:.*]] = gemma_onnx.rms_norm(%[[L0]], %[[N0]])
// CHECK-NEXT: %[[R0:.*]] = gemma_onnx.node "Add"(%arg1, %[[PN0]])
// CHECK-NEXT: %[[L1:.*]] = gemma_onnx.ple_layer(%[[R0]], %[[IN]], %[[G1]], %[[P1]]) {layer = 1 : i64}
// CHECK-NEXT: return %[[L1]]
func.func @ple(%ids: tensor<1x?xi64>, %h: tensor<1x?x8xf32>) -> tensor<1x?x8xf32> {
  %emb = gemma_onnx.initializer "embed_tokens.weight" : tensor<16x8xf32>
  %sqrt_h = gemma_onnx.initializer "embed_tokens.embed_scale" {value = dense<2.82842708> : tensor<f32>} : tensor<f32> loc("embed_scale")
  %epl = gemma_onnx.initializer "embed_tokens_per_layer.weight" : tensor<16x8xf32>
  %sqrt_p = gemma_onnx.initializer "embed_tokens_per_layer.embed_scale" {value = dense<2.0> : tensor<f32>} : tensor<f32> loc("ple_embed_scale")
  %proj = gemma_onnx.initializer "per_layer_model_projection.weight" : tensor<8x8xf32>
  %inv_sqrt_h = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %view = gemma_onnx.initializer "view" {value = dense<[1, -1, 2, 4]> : tensor<4xi64>} : tensor<4xi64>
  %nw = gemma_onnx.initializer "per_layer_projection_norm.weight" : tensor<4xf32>
  %inv_sqrt_2 = gemma_onnx.initializer "inv_sqrt_2" {value = dense<0.707106769> : tensor<f32>} : tensor<f32>
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %l0 = gemma_onnx.initializer "l0" {value = dense<0> : tensor<i64>} : tensor<i64>
  %l1 = gemma_onnx.initializer "l1" {value = dense<1> : tensor<i64>} : tensor<i64>
  %g0 = gemma_onnx.initializer "layers.0.per_layer_input_gate.weight" : tensor<8x4xf32>
  %p0 = gemma_onnx.initializer "layers.0.per_layer_projection.weight" : tensor<4x8xf32>
  %n0 = gemma_onnx.initializer "layers.0.post_per_layer_input_norm.weight" : tensor<8xf32>
  %g1 = gemma_onnx.initializer "layers.1.per_layer_input_gate.weight" : tensor<8x4xf32>
  %p1 = gemma_onnx.initializer "layers.1.per_layer_projection.weight" : tensor<4x8xf32>
  // h0 = embed_tokens(ids) * sqrt(H)
  %e = gemma_onnx.node "Gather"(%emb, %ids) {axis = 0 : i64} : (tensor<16x8xf32>, tensor<1x?xi64>) -> tensor<1x?x8xf32> loc("h0_lookup")
  %h0 = gemma_onnx.node "Mul"(%e, %sqrt_h) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32> loc("h0_scale")
  // Token part: embed_tokens_per_layer(ids) * sqrt(P), viewed [1, T, L, P].
  %te = gemma_onnx.node "Gather"(%epl, %ids) {axis = 0 : i64} : (tensor<16x8xf32>, tensor<1x?xi64>) -> tensor<1x?x8xf32> loc("tok_lookup")
  %ts = gemma_onnx.node "Mul"(%te, %sqrt_p) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32> loc("tok_scale")
  %tok = gemma_onnx.node "Reshape"(%ts, %view) {allowzero = 1 : i64} : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32> loc("tok_view")
  // Context part: per_layer_projection_norm(view(per_layer_model_projection(h0) * H^-1/2)).
  %cp = gemma_onnx.node "MatMul"(%h0, %proj) : (tensor<1x?x8xf32>, tensor<8x8xf32>) -> tensor<1x?x8xf32> loc("ctx_proj")
  %cs = gemma_onnx.node "Mul"(%cp, %inv_sqrt_h) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32> loc("ctx_scale")
  %cv = gemma_onnx.node "Reshape"(%cs, %view) {allowzero = 1 : i64} : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32> loc("ctx_view")
  %sq = gemma_onnx.node "Pow"(%cv, %two) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32> loc("ctx_sq")
  %mean = gemma_onnx.node "ReduceMean"(%sq, %last) {keepdims = 1 : i64} : (tensor<1x?x2x4xf32>, tensor<1xi64>) -> tensor<1x?x2x1xf32> loc("ctx_mean")
  %ve = gemma_onnx.node "Add"(%mean, %eps) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32> loc("ctx_eps")
  %r = gemma_onnx.node "Pow"(%ve, %mhalf) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32> loc("ctx_rsqrt")
  %cn = gemma_onnx.node "Mul"(%cv, %r) : (tensor<1x?x2x4xf32>, tensor<1x?x2x1xf32>) -> tensor<1x?x2x4xf32> loc("ctx_norm")
  %ctx = gemma_onnx.node "Mul"(%cn, %nw) : (tensor<1x?x2x4xf32>, tensor<4xf32>) -> tensor<1x?x2x4xf32> loc("ctx_norm_w")
  // (ctx + tok) * 2^-1/2
  %sum = gemma_onnx.node "Add"(%ctx, %tok) : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32> loc("combine_add")
  %in = gemma_onnx.node "Mul"(%sum, %inv_sqrt_2) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32> loc("combine")
  // Layer 0: proj(gelu_tanh(gate h) * inputs[:, :, 0]), post norm, residual.
  %a0 = gemma_onnx.node "MatMul"(%h, %g0) : (tensor<1x?x8xf32>, tensor<8x4xf32>) -> tensor<1x?x4xf32> loc("l0_gate")
  %ge0 = gemma_onnx.node "Gelu"(%a0) {approximate = "tanh"} : (tensor<1x?x4xf32>) -> tensor<1x?x4xf32> loc("l0_gelu")
  %s0 = gemma_onnx.node "Gather"(%in, %l0) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<i64>) -> tensor<1x?x4xf32> loc("l0_select")
  %m0 = gemma_onnx.node "Mul"(%ge0, %s0) : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32> loc("l0_mul")
  %y0 = gemma_onnx.node "MatMul"(%m0, %p0) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32> loc("l0_proj")
  %q0 = gemma_onnx.node "Pow"(%y0, %two) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32>
  %mn0 = gemma_onnx.node "ReduceMean"(%q0, %last) {keepdims = 1 : i64} : (tensor<1x?x8xf32>, tensor<1xi64>) -> tensor<1x?x1xf32>
  %e0 = gemma_onnx.node "Add"(%mn0, %eps) : (tensor<1x?x1xf32>, tensor<f32>) -> tensor<1x?x1xf32>
  %rs0 = gemma_onnx.node "Pow"(%e0, %mhalf) : (tensor<1x?x1xf32>, tensor<f32>) -> tensor<1x?x1xf32>
  %nn0 = gemma_onnx.node "Mul"(%y0, %rs0) : (tensor<1x?x8xf32>, tensor<1x?x1xf32>) -> tensor<1x?x8xf32>
  %pn0 = gemma_onnx.node "Mul"(%nn0, %n0) : (tensor<1x?x8xf32>, tensor<8xf32>) -> tensor<1x?x8xf32>
  %h1 = gemma_onnx.node "Add"(%h, %pn0) : (tensor<1x?x8xf32>, tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  // Layer 1 reads its own slice, with the operands of the Mul swapped.
  %a1 = gemma_onnx.node "MatMul"(%h1, %g1) : (tensor<1x?x8xf32>, tensor<8x4xf32>) -> tensor<1x?x4xf32>
  %ge1 = gemma_onnx.node "Gelu"(%a1) {approximate = "tanh"} : (tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %s1 = gemma_onnx.node "Gather"(%in, %l1) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<i64>) -> tensor<1x?x4xf32>
  %m1 = gemma_onnx.node "Mul"(%s1, %ge1) : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %y1 = gemma_onnx.node "MatMul"(%m1, %p1) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
  return %y1 : tensor<1x?x8xf32>
}

// -----
// Operands of the combine's Add and Mul and of the context scale swapped.
// A combine constant other than 2^-1/2 (and likewise tok_scale, ctx_scale)
// is carried as it is, never assumed: the assembly checks it against
// sqrt(P), H^-1/2 and 2^-1/2 and refuses the model naming the node.
// CHECK-LABEL: func.func @inputs_swapped
// CHECK: %[[IN:.*]] = gemma_onnx.ple_inputs(%arg0, %arg1, %{{.*}}, %{{.*}}, %{{.*}}) {ctx_scale = 0.3535533{{[0-9]*}} : f64, eps = 9.9999999999999995E-7 : f64, out_scale = 5.000000e-01 : f64, tok_scale = 2.000000e+00 : f64}
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[IN]]
func.func @inputs_swapped(%ids: tensor<1x?xi64>, %h0: tensor<1x?x8xf32>) -> tensor<1x?x2x4xf32> {
  %epl = gemma_onnx.initializer "epl" : tensor<16x8xf32>
  %sqrt_p = gemma_onnx.initializer "sqrt_p" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<8x8xf32>
  %inv_sqrt_h = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %view = gemma_onnx.initializer "view" {value = dense<[1, -1, 2, 4]> : tensor<4xi64>} : tensor<4xi64>
  %nw = gemma_onnx.initializer "nw" : tensor<4xf32>
  %half = gemma_onnx.initializer "half" {value = dense<0.5> : tensor<f32>} : tensor<f32>
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %te = gemma_onnx.node "Gather"(%epl, %ids) {axis = 0 : i64} : (tensor<16x8xf32>, tensor<1x?xi64>) -> tensor<1x?x8xf32>
  %ts = gemma_onnx.node "Mul"(%te, %sqrt_p) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32>
  %tok = gemma_onnx.node "Reshape"(%ts, %view) : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32>
  %cp = gemma_onnx.node "MatMul"(%h0, %proj) : (tensor<1x?x8xf32>, tensor<8x8xf32>) -> tensor<1x?x8xf32>
  %cs = gemma_onnx.node "Mul"(%inv_sqrt_h, %cp) : (tensor<f32>, tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %cv = gemma_onnx.node "Reshape"(%cs, %view) : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32>
  %sq = gemma_onnx.node "Pow"(%cv, %two) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %last) {keepdims = 1 : i64} : (tensor<1x?x2x4xf32>, tensor<1xi64>) -> tensor<1x?x2x1xf32>
  %ve = gemma_onnx.node "Add"(%mean, %eps) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32>
  %r = gemma_onnx.node "Pow"(%ve, %mhalf) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32>
  %cn = gemma_onnx.node "Mul"(%cv, %r) : (tensor<1x?x2x4xf32>, tensor<1x?x2x1xf32>) -> tensor<1x?x2x4xf32>
  %ctx = gemma_onnx.node "Mul"(%cn, %nw) : (tensor<1x?x2x4xf32>, tensor<4xf32>) -> tensor<1x?x2x4xf32>
  %sum = gemma_onnx.node "Add"(%tok, %ctx) : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %in = gemma_onnx.node "Mul"(%half, %sum) : (tensor<f32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  return %in : tensor<1x?x2x4xf32>
}

// -----
// Negative: the context part normed without a weight (per_layer_projection_norm
// has one).
// CHECK-LABEL: func.func @inputs_weightless_norm
// CHECK-NOT: gemma_onnx.ple_inputs
// CHECK: gemma_onnx.node "Add"
func.func @inputs_weightless_norm(%ids: tensor<1x?xi64>, %h0: tensor<1x?x8xf32>) -> tensor<1x?x2x4xf32> {
  %epl = gemma_onnx.initializer "epl" : tensor<16x8xf32>
  %sqrt_p = gemma_onnx.initializer "sqrt_p" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<8x8xf32>
  %inv_sqrt_h = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %view = gemma_onnx.initializer "view" {value = dense<[1, -1, 2, 4]> : tensor<4xi64>} : tensor<4xi64>
  %inv_sqrt_2 = gemma_onnx.initializer "inv_sqrt_2" {value = dense<0.707106769> : tensor<f32>} : tensor<f32>
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %te = gemma_onnx.node "Gather"(%epl, %ids) {axis = 0 : i64} : (tensor<16x8xf32>, tensor<1x?xi64>) -> tensor<1x?x8xf32>
  %ts = gemma_onnx.node "Mul"(%te, %sqrt_p) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32>
  %tok = gemma_onnx.node "Reshape"(%ts, %view) : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32>
  %cp = gemma_onnx.node "MatMul"(%h0, %proj) : (tensor<1x?x8xf32>, tensor<8x8xf32>) -> tensor<1x?x8xf32>
  %cs = gemma_onnx.node "Mul"(%cp, %inv_sqrt_h) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32>
  %cv = gemma_onnx.node "Reshape"(%cs, %view) : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32>
  %sq = gemma_onnx.node "Pow"(%cv, %two) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %last) {keepdims = 1 : i64} : (tensor<1x?x2x4xf32>, tensor<1xi64>) -> tensor<1x?x2x1xf32>
  %ve = gemma_onnx.node "Add"(%mean, %eps) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32>
  %r = gemma_onnx.node "Pow"(%ve, %mhalf) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32>
  %cn = gemma_onnx.node "Mul"(%cv, %r) : (tensor<1x?x2x4xf32>, tensor<1x?x2x1xf32>) -> tensor<1x?x2x4xf32>
  %sum = gemma_onnx.node "Add"(%cn, %tok) : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %in = gemma_onnx.node "Mul"(%sum, %inv_sqrt_2) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32>
  return %in : tensor<1x?x2x4xf32>
}

// -----
// Negative: the context part is the unprojected embedding (no
// per_layer_model_projection).
// CHECK-LABEL: func.func @inputs_no_projection
// CHECK-NOT: gemma_onnx.ple_inputs
// CHECK: gemma_onnx.node "Add"
func.func @inputs_no_projection(%ids: tensor<1x?xi64>, %h0: tensor<1x?x8xf32>) -> tensor<1x?x2x4xf32> {
  %epl = gemma_onnx.initializer "epl" : tensor<16x8xf32>
  %sqrt_p = gemma_onnx.initializer "sqrt_p" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %inv_sqrt_h = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %view = gemma_onnx.initializer "view" {value = dense<[1, -1, 2, 4]> : tensor<4xi64>} : tensor<4xi64>
  %nw = gemma_onnx.initializer "nw" : tensor<4xf32>
  %inv_sqrt_2 = gemma_onnx.initializer "inv_sqrt_2" {value = dense<0.707106769> : tensor<f32>} : tensor<f32>
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %te = gemma_onnx.node "Gather"(%epl, %ids) {axis = 0 : i64} : (tensor<16x8xf32>, tensor<1x?xi64>) -> tensor<1x?x8xf32>
  %ts = gemma_onnx.node "Mul"(%te, %sqrt_p) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32>
  %tok = gemma_onnx.node "Reshape"(%ts, %view) : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32>
  %cs = gemma_onnx.node "Mul"(%h0, %inv_sqrt_h) : (tensor<1x?x8xf32>, tensor<f32>) -> tensor<1x?x8xf32>
  %cv = gemma_onnx.node "Reshape"(%cs, %view) : (tensor<1x?x8xf32>, tensor<4xi64>) -> tensor<1x?x2x4xf32>
  %sq = gemma_onnx.node "Pow"(%cv, %two) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32>
  %mean = gemma_onnx.node "ReduceMean"(%sq, %last) {keepdims = 1 : i64} : (tensor<1x?x2x4xf32>, tensor<1xi64>) -> tensor<1x?x2x1xf32>
  %ve = gemma_onnx.node "Add"(%mean, %eps) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32>
  %r = gemma_onnx.node "Pow"(%ve, %mhalf) : (tensor<1x?x2x1xf32>, tensor<f32>) -> tensor<1x?x2x1xf32>
  %cn = gemma_onnx.node "Mul"(%cv, %r) : (tensor<1x?x2x4xf32>, tensor<1x?x2x1xf32>) -> tensor<1x?x2x4xf32>
  %ctx = gemma_onnx.node "Mul"(%cn, %nw) : (tensor<1x?x2x4xf32>, tensor<4xf32>) -> tensor<1x?x2x4xf32>
  %sum = gemma_onnx.node "Add"(%ctx, %tok) : (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) -> tensor<1x?x2x4xf32>
  %in = gemma_onnx.node "Mul"(%sum, %inv_sqrt_2) : (tensor<1x?x2x4xf32>, tensor<f32>) -> tensor<1x?x2x4xf32>
  return %in : tensor<1x?x2x4xf32>
}

// -----
// Per-layer blocks on a raised ple_inputs (as phase 2 leaves it): one
// positive, then one change each that must not be raised.
// CHECK-LABEL: func.func @layers
// CHECK: %[[IN:.*]] = gemma_onnx.ple_inputs
// The reference: layer 1's block.
// CHECK: %[[OK:.*]] = gemma_onnx.ple_layer(%arg2, %[[IN]], %{{.*}}, %{{.*}}) {layer = 1 : i64}
// Negative: the erf GELU as the gate's activation.
// CHECK: gemma_onnx.node "Gelu"(%{{.*}}) : (tensor<1x?x4xf32>)
// Negative: a slice along the tokens (axis 1) instead of the layers.
// CHECK: gemma_onnx.node "Gather"(%[[IN]], %{{.*}}) {axis = 1 : i64}
// Negative: a layer index that is not a constant.
// CHECK: gemma_onnx.node "Gather"(%[[IN]], %arg3) {axis = 2 : i64}
// Negative: a one-element index vector keeps the layer axis
// ([1, T, 1, P]), which the Mul would broadcast against [1, T, P].
// CHECK: gemma_onnx.node "Gather"(%[[IN]], %{{.*}}) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<1xi64>) -> tensor<1x?x1x4xf32>
// Negative: a slice of another tensor than the per-layer inputs.
// CHECK: gemma_onnx.node "Gather"(%arg4, %{{.*}}) {axis = 2 : i64}
// CHECK-NOT: gemma_onnx.ple_layer
// CHECK: return %[[OK]]
func.func @layers(%ids: tensor<1x?xi64>, %h0: tensor<1x?x8xf32>, %h: tensor<1x?x8xf32>, %dyn: tensor<i64>, %other: tensor<1x?x2x4xf32>)
    -> (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<1x?x?x8xf32>, tensor<1x?x8xf32>) {
  %epl = gemma_onnx.initializer "epl" : tensor<16x8xf32>
  %proj = gemma_onnx.initializer "proj" : tensor<8x8xf32>
  %nw = gemma_onnx.initializer "nw" : tensor<4xf32>
  %l1 = gemma_onnx.initializer "l1" {value = dense<1> : tensor<i64>} : tensor<i64>
  %l1v = gemma_onnx.initializer "l1v" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %g = gemma_onnx.initializer "gate" : tensor<8x4xf32>
  %p = gemma_onnx.initializer "proj1" : tensor<4x8xf32>
  %in = gemma_onnx.ple_inputs(%ids, %h0, %epl, %proj, %nw) {ctx_scale = 0.35355339 : f64, eps = 1.0e-6 : f64, out_scale = 0.70710678 : f64, tok_scale = 2.0 : f64} : (tensor<1x?xi64>, tensor<1x?x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4xf32>) -> tensor<1x?x2x4xf32>
  %a = gemma_onnx.node "MatMul"(%h, %g) : (tensor<1x?x8xf32>, tensor<8x4xf32>) -> tensor<1x?x4xf32>
  %gt = gemma_onnx.node "Gelu"(%a) {approximate = "tanh"} : (tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  // layer 1
  %s1 = gemma_onnx.node "Gather"(%in, %l1) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<i64>) -> tensor<1x?x4xf32>
  %m1 = gemma_onnx.node "Mul"(%gt, %s1) : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %y1 = gemma_onnx.node "MatMul"(%m1, %p) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
  // erf GELU
  %ge = gemma_onnx.node "Gelu"(%a) : (tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %m2 = gemma_onnx.node "Mul"(%ge, %s1) : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %y2 = gemma_onnx.node "MatMul"(%m2, %p) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
  // axis 1
  %s3 = gemma_onnx.node "Gather"(%in, %l1) {axis = 1 : i64} : (tensor<1x?x2x4xf32>, tensor<i64>) -> tensor<1x2x4xf32>
  %m3 = gemma_onnx.node "Mul"(%gt, %s3) : (tensor<1x?x4xf32>, tensor<1x2x4xf32>) -> tensor<1x?x4xf32>
  %y3 = gemma_onnx.node "MatMul"(%m3, %p) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
  // dynamic layer index
  %s4 = gemma_onnx.node "Gather"(%in, %dyn) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<i64>) -> tensor<1x?x4xf32>
  %m4 = gemma_onnx.node "Mul"(%gt, %s4) : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %y4 = gemma_onnx.node "MatMul"(%m4, %p) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
  // one-element index vector
  %s5 = gemma_onnx.node "Gather"(%in, %l1v) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<1xi64>) -> tensor<1x?x1x4xf32>
  %m5 = gemma_onnx.node "Mul"(%gt, %s5) : (tensor<1x?x4xf32>, tensor<1x?x1x4xf32>) -> tensor<1x?x?x4xf32>
  %y5 = gemma_onnx.node "MatMul"(%m5, %p) : (tensor<1x?x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x?x8xf32>
  // another tensor
  %s6 = gemma_onnx.node "Gather"(%other, %l1) {axis = 2 : i64} : (tensor<1x?x2x4xf32>, tensor<i64>) -> tensor<1x?x4xf32>
  %m6 = gemma_onnx.node "Mul"(%gt, %s6) : (tensor<1x?x4xf32>, tensor<1x?x4xf32>) -> tensor<1x?x4xf32>
  %y6 = gemma_onnx.node "MatMul"(%m6, %p) : (tensor<1x?x4xf32>, tensor<4x8xf32>) -> tensor<1x?x8xf32>
  return %y1, %y2, %y3, %y4, %y5, %y6 : tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<1x?x?x8xf32>, tensor<1x?x8xf32>
}
