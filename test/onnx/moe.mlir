// RUN: gemma-opt %s --gemma-onnx-raise=only=rms-norm,linear,moe --split-input-file --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// MoE routing (Gemma4TextRouter) and expert evaluation (transformers'
// batched_mm), spelled as torch.onnx exports them (moe golden, layer 0),
// with H = 8, E = 4 experts, top-k 2, expert width 4.

// The whole block: the weightless norm shared by the router (times
// router.scale, times H^-1/2) and the experts (times pre_feedforward_layernorm_2),
// Gemm projection, Softmax, TopK, renormalisation, per-expert scale, then
// every token row repeated K times through its experts' gathered matrices.
// CHECK-LABEL: func.func @moe
// CHECK-DAG: %[[RS:.*]] = gemma_onnx.initializer "router.scale"
// CHECK-DAG: %[[PROJ:.*]] = gemma_onnx.initializer "router.proj.weight"
// CHECK-DAG: %[[PES:.*]] = gemma_onnx.initializer "per_expert_scale"
// CHECK-DAG: %[[PRE2:.*]] = gemma_onnx.initializer "pre_feedforward_layernorm_2.weight"
// CHECK-DAG: %[[GU:.*]] = gemma_onnx.initializer "gate_up_proj"
// CHECK-DAG: %[[DN:.*]] = gemma_onnx.initializer "down_proj"
// CHECK: %[[RN:.*]] = gemma_onnx.rms_norm(%arg0, %[[RS]]) {eps = 9.9999999999999995E-7 : f64}
// CHECK-SAME: loc(fused["router_scale", "norm", "norm_rsqrt", "norm_eps", "norm_mean", "norm_sq"])
// CHECK-NOT: gemma_onnx.node
// CHECK: %[[W:.*]], %[[IDS:.*]] = gemma_onnx.moe_route(%[[RN]], %[[PROJ]], %[[PES]]) {input_scale = 0.3535533{{[0-9]*}} : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
// CHECK-SAME: loc(fused["weights", "renorm", "pes", "renorm_sum", "topk", "pes_idx", "softmax", "router_proj", "router_in_scale"])
// CHECK-NOT: gemma_onnx.node
// CHECK: %[[X2:.*]] = gemma_onnx.rms_norm(%arg0, %[[PRE2]]) {eps = 9.9999999999999995E-7 : f64}
// CHECK-NOT: gemma_onnx.node
// CHECK: %[[E:.*]] = gemma_onnx.moe_experts(%[[X2]], %[[GU]], %[[DN]], %[[IDS]], %[[W]]) : (tensor<?x8xf32>, tensor<4x8x8xf32>, tensor<4x8x4xf32>, tensor<?x2xi64>, tensor<?x2xf32>) -> tensor<?x8xf32>
// CHECK-SAME: loc(fused["expert_sum", "expert_rows", "weighted", "w_unsq", "w_flat", "down_sq", "down_bmm", "down_gather", "act_unsq", "act", "gelu", "split", "gu_sq", "gu_bmm", "gu_gather", "x_unsq", "x_rep", "x_expand", "x_unsq1", "ids_unsq", "ids_clip", "ids_flat"])
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[E]]
func.func @moe(%h: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %two = gemma_onnx.initializer "two" {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %eps = gemma_onnx.initializer "eps" {value = dense<1.0e-6> : tensor<f32>} : tensor<f32>
  %mhalf = gemma_onnx.initializer "mhalf" {value = dense<-0.5> : tensor<f32>} : tensor<f32>
  %rs = gemma_onnx.initializer "router.scale" : tensor<8xf32>
  %pre2 = gemma_onnx.initializer "pre_feedforward_layernorm_2.weight" : tensor<8xf32>
  %hs = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "router.proj.weight" : tensor<4x8xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "per_expert_scale" {value = dense<[1.25, 0.75, 1.0, 0.5]> : tensor<4xf32>} : tensor<4xf32>
  %zero = gemma_onnx.initializer "zero" {value = dense<0> : tensor<i64>} : tensor<i64>
  %emax = gemma_onnx.initializer "emax" {value = dense<3> : tensor<i64>} : tensor<i64>
  %rep = gemma_onnx.initializer "rep" {value = dense<[1, 2, 1]> : tensor<3xi64>} : tensor<3xi64>
  %rows = gemma_onnx.initializer "rows" {value = dense<[-1, 8]> : tensor<2xi64>} : tensor<2xi64>
  %tkh = gemma_onnx.initializer "tkh" {value = dense<[-1, 2, 8]> : tensor<3xi64>} : tensor<3xi64>
  %gu = gemma_onnx.initializer "gate_up_proj" : tensor<4x8x8xf32>
  %dn = gemma_onnx.initializer "down_proj" : tensor<4x8x4xf32>
  // The weightless norm (router and experts read it).
  %sq = gemma_onnx.node "Pow"(%h, %two) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32> loc("norm_sq")
  %mean = gemma_onnx.node "ReduceMean"(%sq, %last) {keepdims = 1 : i64} : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1xf32> loc("norm_mean")
  %sum = gemma_onnx.node "Add"(%mean, %eps) : (tensor<?x1xf32>, tensor<f32>) -> tensor<?x1xf32> loc("norm_eps")
  %r = gemma_onnx.node "Pow"(%sum, %mhalf) : (tensor<?x1xf32>, tensor<f32>) -> tensor<?x1xf32> loc("norm_rsqrt")
  %n = gemma_onnx.node "Mul"(%h, %r) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32> loc("norm")
  // Router.
  %rn = gemma_onnx.node "Mul"(%n, %rs) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32> loc("router_scale")
  %x = gemma_onnx.node "Mul"(%rn, %hs) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32> loc("router_in_scale")
  %logits = gemma_onnx.node "Gemm"(%x, %proj) {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32> loc("router_proj")
  %p = gemma_onnx.node "Softmax"(%logits) {axis = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("softmax")
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>) loc("topk")
  %tsum = gemma_onnx.node "ReduceSum"(%tk#0, %last) {keepdims = 1 : i64, noop_with_empty_axes = 0 : i64} : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?x1xf32> loc("renorm_sum")
  %div = gemma_onnx.node "Div"(%tk#0, %tsum) : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<?x2xf32> loc("renorm")
  %ui = gemma_onnx.node "Unsqueeze"(%tk#1, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?x2x1xi64> loc("pes_idx")
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<?x2x1xi64>) -> tensor<?x2xf32> loc("pes")
  %w = gemma_onnx.node "Mul"(%div, %g) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32> loc("weights")
  // Experts: x2 = pre_feedforward_layernorm_2(h), each row repeated K times.
  %x2 = gemma_onnx.node "Mul"(%n, %pre2) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32> loc("pre2")
  %xu = gemma_onnx.node "Unsqueeze"(%x2, %one) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1x8xf32> loc("x_unsq1")
  %xe = gemma_onnx.node "Expand"(%xu, %rep) : (tensor<?x1x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32> loc("x_expand")
  %xr = gemma_onnx.node "Reshape"(%xe, %rows) {allowzero = 0 : i64} : (tensor<?x2x8xf32>, tensor<2xi64>) -> tensor<?x8xf32> loc("x_rep")
  %wf = gemma_onnx.node "Reshape"(%w, %last) {allowzero = 1 : i64} : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?xf32> loc("w_flat")
  %idf = gemma_onnx.node "Reshape"(%tk#1, %last) {allowzero = 1 : i64} : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?xi64> loc("ids_flat")
  %cl = gemma_onnx.node "Clip"(%idf, %zero, %emax) : (tensor<?xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64> loc("ids_clip")
  %ci = gemma_onnx.node "Unsqueeze"(%cl, %last) : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64> loc("ids_unsq")
  %gw = gemma_onnx.node "GatherND"(%gu, %ci) {batch_dims = 0 : i64} : (tensor<4x8x8xf32>, tensor<?x1xi64>) -> tensor<?x8x8xf32> loc("gu_gather")
  %xc = gemma_onnx.node "Unsqueeze"(%xr, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32> loc("x_unsq")
  %m1 = gemma_onnx.node "MatMul"(%gw, %xc) : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32> loc("gu_bmm")
  %s1 = gemma_onnx.node "Squeeze"(%m1, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32> loc("gu_sq")
  %sp:2 = gemma_onnx.node "Split"(%s1) {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) loc("split")
  %ge = gemma_onnx.node "Gelu"(%sp#0) {approximate = "tanh"} : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("gelu")
  %a = gemma_onnx.node "Mul"(%ge, %sp#1) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("act")
  %dw = gemma_onnx.node "GatherND"(%dn, %ci) {batch_dims = 0 : i64} : (tensor<4x8x4xf32>, tensor<?x1xi64>) -> tensor<?x8x4xf32> loc("down_gather")
  %ac = gemma_onnx.node "Unsqueeze"(%a, %last) : (tensor<?x4xf32>, tensor<1xi64>) -> tensor<?x4x1xf32> loc("act_unsq")
  %m2 = gemma_onnx.node "MatMul"(%dw, %ac) : (tensor<?x8x4xf32>, tensor<?x4x1xf32>) -> tensor<?x8x1xf32> loc("down_bmm")
  %y = gemma_onnx.node "Squeeze"(%m2, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32> loc("down_sq")
  %wu = gemma_onnx.node "Unsqueeze"(%wf, %last) : (tensor<?xf32>, tensor<1xi64>) -> tensor<?x1xf32> loc("w_unsq")
  %yw = gemma_onnx.node "Mul"(%y, %wu) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32> loc("weighted")
  %y3 = gemma_onnx.node "Reshape"(%yw, %tkh) {allowzero = 1 : i64} : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32> loc("expert_rows")
  %out = gemma_onnx.node "ReduceSum"(%y3, %one) {keepdims = 0 : i64, noop_with_empty_axes = 0 : i64} : (tensor<?x2x8xf32>, tensor<1xi64>) -> tensor<?x8xf32> loc("expert_sum")
  return %out : tensor<?x8xf32>
}

// -----
// Routing alone, with the operands of every commutative Mul swapped and the
// projection as MatMul by an [in, out] initializer. A router scale other
// than H^-1/2 is carried as it is (the assembly refuses it, naming the
// node: spec 2.7), never assumed.
// CHECK-LABEL: func.func @route_swapped
// CHECK: %[[W:.*]], %[[IDS:.*]] = gemma_onnx.moe_route(%arg0, %{{.*}}, %{{.*}}) {in_out, input_scale = 5.000000e-01 : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<8x4xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[W]], %[[IDS]]
func.func @route_swapped(%x: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>) {
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %hs = gemma_onnx.initializer "half" {value = dense<0.5> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<8x4xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %xs = gemma_onnx.node "Mul"(%hs, %x) : (tensor<f32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %logits = gemma_onnx.node "MatMul"(%xs, %proj) : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %p = gemma_onnx.node "Softmax"(%logits) {axis = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %tsum = gemma_onnx.node "ReduceSum"(%tk#0, %last) {keepdims = 1 : i64} : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %div = gemma_onnx.node "Div"(%tk#0, %tsum) : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<?x2xf32>
  %ui = gemma_onnx.node "Unsqueeze"(%tk#1, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?x2x1xi64>
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<?x2x1xi64>) -> tensor<?x2xf32>
  %w = gemma_onnx.node "Mul"(%g, %div) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %w, %tk#1 : tensor<?x2xf32>, tensor<?x2xi64>
}

// -----
// Negative: top-k weights without the renormalisation (w / sum(w)) are
// another router.
// CHECK-LABEL: func.func @no_renorm
// CHECK-NOT: gemma_onnx.moe_route
// CHECK: gemma_onnx.node "TopK"
func.func @no_renorm(%x: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>) {
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %hs = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %xs = gemma_onnx.node "Mul"(%x, %hs) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
  %logits = gemma_onnx.node "Gemm"(%xs, %proj) {transB = 1 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %p = gemma_onnx.node "Softmax"(%logits) {axis = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %ui = gemma_onnx.node "Unsqueeze"(%tk#1, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?x2x1xi64>
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<?x2x1xi64>) -> tensor<?x2xf32>
  %w = gemma_onnx.node "Mul"(%tk#0, %g) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %w, %tk#1 : tensor<?x2xf32>, tensor<?x2xi64>
}

// -----
// Negative: Softmax over the tokens instead of the experts.
// CHECK-LABEL: func.func @softmax_axis
// CHECK-NOT: gemma_onnx.moe_route
// CHECK: gemma_onnx.node "Softmax"
func.func @softmax_axis(%x: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>) {
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %hs = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %xs = gemma_onnx.node "Mul"(%x, %hs) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
  %logits = gemma_onnx.node "Gemm"(%xs, %proj) {transB = 1 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %p = gemma_onnx.node "Softmax"(%logits) {axis = 0 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %tsum = gemma_onnx.node "ReduceSum"(%tk#0, %last) {keepdims = 1 : i64} : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %div = gemma_onnx.node "Div"(%tk#0, %tsum) : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<?x2xf32>
  %ui = gemma_onnx.node "Unsqueeze"(%tk#1, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?x2x1xi64>
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<?x2x1xi64>) -> tensor<?x2xf32>
  %w = gemma_onnx.node "Mul"(%div, %g) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %w, %tk#1 : tensor<?x2xf32>, tensor<?x2xi64>
}

// -----
// Negative: TopK over the tokens (axis 0) picks the top tokens per expert,
// not the top experts per token.
// CHECK-LABEL: func.func @topk_axis
// CHECK-NOT: gemma_onnx.moe_route
// CHECK: gemma_onnx.node "TopK"
func.func @topk_axis(%x: tensor<?x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi64>) {
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %hs = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %xs = gemma_onnx.node "Mul"(%x, %hs) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
  %logits = gemma_onnx.node "Gemm"(%xs, %proj) {transB = 1 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %p = gemma_onnx.node "Softmax"(%logits) {axis = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = 0 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<2x4xf32>, tensor<2x4xi64>)
  %tsum = gemma_onnx.node "ReduceSum"(%tk#0, %last) {keepdims = 1 : i64} : (tensor<2x4xf32>, tensor<1xi64>) -> tensor<2x1xf32>
  %div = gemma_onnx.node "Div"(%tk#0, %tsum) : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %ui = gemma_onnx.node "Unsqueeze"(%tk#1, %last) : (tensor<2x4xi64>, tensor<1xi64>) -> tensor<2x4x1xi64>
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<2x4x1xi64>) -> tensor<2x4xf32>
  %w = gemma_onnx.node "Mul"(%div, %g) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %w, %tk#1 : tensor<2x4xf32>, tensor<2x4xi64>
}

// -----
// Negative: the top-k weights divided by their sum over the tokens (axis 0)
// instead of over each token's k experts.
// CHECK-LABEL: func.func @renorm_axis
// CHECK-NOT: gemma_onnx.moe_route
// CHECK: gemma_onnx.node "ReduceSum"
func.func @renorm_axis(%x: tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>) {
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %first = gemma_onnx.initializer "first" {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %hs = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %xs = gemma_onnx.node "Mul"(%x, %hs) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
  %logits = gemma_onnx.node "Gemm"(%xs, %proj) {transB = 1 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %p = gemma_onnx.node "Softmax"(%logits) {axis = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %tsum = gemma_onnx.node "ReduceSum"(%tk#0, %first) {keepdims = 1 : i64} : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<1x2xf32>
  %div = gemma_onnx.node "Div"(%tk#0, %tsum) : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  %ui = gemma_onnx.node "Unsqueeze"(%tk#1, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?x2x1xi64>
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<?x2x1xi64>) -> tensor<?x2xf32>
  %w = gemma_onnx.node "Mul"(%div, %g) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %w, %tk#1 : tensor<?x2xf32>, tensor<?x2xi64>
}

// -----
// Negative: the per-expert scale gathered with other indices than the
// chosen experts'.
// CHECK-LABEL: func.func @pes_other_ids
// CHECK-NOT: gemma_onnx.moe_route
// CHECK: gemma_onnx.node "GatherND"
func.func @pes_other_ids(%x: tensor<?x8xf32>, %ids: tensor<?x2xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>) {
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %hs = gemma_onnx.initializer "inv_sqrt_h" {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %k = gemma_onnx.initializer "k" {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %xs = gemma_onnx.node "Mul"(%x, %hs) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
  %logits = gemma_onnx.node "Gemm"(%xs, %proj) {transB = 1 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %p = gemma_onnx.node "Softmax"(%logits) {axis = -1 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %tk:2 = gemma_onnx.node "TopK"(%p, %k) {axis = -1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<?x4xf32>, tensor<1xi64>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %tsum = gemma_onnx.node "ReduceSum"(%tk#0, %last) {keepdims = 1 : i64} : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %div = gemma_onnx.node "Div"(%tk#0, %tsum) : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<?x2xf32>
  %ui = gemma_onnx.node "Unsqueeze"(%ids, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?x2x1xi64>
  %g = gemma_onnx.node "GatherND"(%pes, %ui) {batch_dims = 0 : i64} : (tensor<4xf32>, tensor<?x2x1xi64>) -> tensor<?x2xf32>
  %w = gemma_onnx.node "Mul"(%div, %g) : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return %w, %tk#1 : tensor<?x2xf32>, tensor<?x2xi64>
}

// -----
// Expert evaluation on a raised route (as phase 1 leaves it). Negative
// cases below change one thing each.
// CHECK-LABEL: func.func @experts
// CHECK: %[[W:.*]], %[[IDS:.*]] = gemma_onnx.moe_route
// CHECK: %[[E:.*]] = gemma_onnx.moe_experts(%arg1, %{{.*}}, %{{.*}}, %[[IDS]], %[[W]])
// CHECK-NOT: gemma_onnx.node
// CHECK: return %[[E]]
func.func @experts(%x: tensor<?x8xf32>, %x2: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %zero = gemma_onnx.initializer "zero" {value = dense<0> : tensor<i64>} : tensor<i64>
  %emax = gemma_onnx.initializer "emax" {value = dense<3> : tensor<i64>} : tensor<i64>
  %rep = gemma_onnx.initializer "rep" {value = dense<[1, 2, 1]> : tensor<3xi64>} : tensor<3xi64>
  %rows = gemma_onnx.initializer "rows" {value = dense<[-1, 8]> : tensor<2xi64>} : tensor<2xi64>
  %tkh = gemma_onnx.initializer "tkh" {value = dense<[-1, 2, 8]> : tensor<3xi64>} : tensor<3xi64>
  %gu = gemma_onnx.initializer "gate_up_proj" : tensor<4x8x8xf32>
  %dn = gemma_onnx.initializer "down_proj" : tensor<4x8x4xf32>
  %w, %ids = gemma_onnx.moe_route(%x, %proj, %pes) {input_scale = 0.35355339 : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %xu = gemma_onnx.node "Unsqueeze"(%x2, %one) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1x8xf32>
  %xe = gemma_onnx.node "Expand"(%xu, %rep) : (tensor<?x1x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %xr = gemma_onnx.node "Reshape"(%xe, %rows) : (tensor<?x2x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %wf = gemma_onnx.node "Reshape"(%w, %last) : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?xf32>
  %idf = gemma_onnx.node "Reshape"(%ids, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?xi64>
  %cl = gemma_onnx.node "Clip"(%idf, %zero, %emax) : (tensor<?xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %ci = gemma_onnx.node "Unsqueeze"(%cl, %last) : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %gw = gemma_onnx.node "GatherND"(%gu, %ci) : (tensor<4x8x8xf32>, tensor<?x1xi64>) -> tensor<?x8x8xf32>
  %xc = gemma_onnx.node "Unsqueeze"(%xr, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32>
  %m1 = gemma_onnx.node "MatMul"(%gw, %xc) : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32>
  %s1 = gemma_onnx.node "Squeeze"(%m1, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %sp:2 = gemma_onnx.node "Split"(%s1) {axis = -1 : i64, num_outputs = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>)
  %ge = gemma_onnx.node "Gelu"(%sp#0) {approximate = "tanh"} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %a = gemma_onnx.node "Mul"(%sp#1, %ge) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %dw = gemma_onnx.node "GatherND"(%dn, %ci) : (tensor<4x8x4xf32>, tensor<?x1xi64>) -> tensor<?x8x4xf32>
  %ac = gemma_onnx.node "Unsqueeze"(%a, %last) : (tensor<?x4xf32>, tensor<1xi64>) -> tensor<?x4x1xf32>
  %m2 = gemma_onnx.node "MatMul"(%dw, %ac) : (tensor<?x8x4xf32>, tensor<?x4x1xf32>) -> tensor<?x8x1xf32>
  %y = gemma_onnx.node "Squeeze"(%m2, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %wu = gemma_onnx.node "Unsqueeze"(%wf, %last) : (tensor<?xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %yw = gemma_onnx.node "Mul"(%wu, %y) : (tensor<?x1xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %y3 = gemma_onnx.node "Reshape"(%yw, %tkh) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %out = gemma_onnx.node "ReduceSum"(%y3, %one) {keepdims = 0 : i64} : (tensor<?x2x8xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  return %out : tensor<?x8xf32>
}

// -----
// Negative: the experts' activation is the erf GELU, not Gemma's tanh one.
// CHECK-LABEL: func.func @experts_erf_gelu
// CHECK: gemma_onnx.moe_route
// CHECK-NOT: gemma_onnx.moe_experts
// CHECK: gemma_onnx.node "Gelu"
func.func @experts_erf_gelu(%x: tensor<?x8xf32>, %x2: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %rep = gemma_onnx.initializer "rep" {value = dense<[1, 2, 1]> : tensor<3xi64>} : tensor<3xi64>
  %rows = gemma_onnx.initializer "rows" {value = dense<[-1, 8]> : tensor<2xi64>} : tensor<2xi64>
  %tkh = gemma_onnx.initializer "tkh" {value = dense<[-1, 2, 8]> : tensor<3xi64>} : tensor<3xi64>
  %gu = gemma_onnx.initializer "gate_up_proj" : tensor<4x8x8xf32>
  %dn = gemma_onnx.initializer "down_proj" : tensor<4x8x4xf32>
  %w, %ids = gemma_onnx.moe_route(%x, %proj, %pes) {input_scale = 0.35355339 : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %xu = gemma_onnx.node "Unsqueeze"(%x2, %one) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1x8xf32>
  %xe = gemma_onnx.node "Expand"(%xu, %rep) : (tensor<?x1x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %xr = gemma_onnx.node "Reshape"(%xe, %rows) : (tensor<?x2x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %wf = gemma_onnx.node "Reshape"(%w, %last) : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?xf32>
  %idf = gemma_onnx.node "Reshape"(%ids, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?xi64>
  %ci = gemma_onnx.node "Unsqueeze"(%idf, %last) : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %gw = gemma_onnx.node "GatherND"(%gu, %ci) : (tensor<4x8x8xf32>, tensor<?x1xi64>) -> tensor<?x8x8xf32>
  %xc = gemma_onnx.node "Unsqueeze"(%xr, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32>
  %m1 = gemma_onnx.node "MatMul"(%gw, %xc) : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32>
  %s1 = gemma_onnx.node "Squeeze"(%m1, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %sp:2 = gemma_onnx.node "Split"(%s1) {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>)
  %ge = gemma_onnx.node "Gelu"(%sp#0) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %a = gemma_onnx.node "Mul"(%ge, %sp#1) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %dw = gemma_onnx.node "GatherND"(%dn, %ci) : (tensor<4x8x4xf32>, tensor<?x1xi64>) -> tensor<?x8x4xf32>
  %ac = gemma_onnx.node "Unsqueeze"(%a, %last) : (tensor<?x4xf32>, tensor<1xi64>) -> tensor<?x4x1xf32>
  %m2 = gemma_onnx.node "MatMul"(%dw, %ac) : (tensor<?x8x4xf32>, tensor<?x4x1xf32>) -> tensor<?x8x1xf32>
  %y = gemma_onnx.node "Squeeze"(%m2, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %wu = gemma_onnx.node "Unsqueeze"(%wf, %last) : (tensor<?xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %yw = gemma_onnx.node "Mul"(%y, %wu) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  %y3 = gemma_onnx.node "Reshape"(%yw, %tkh) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %out = gemma_onnx.node "ReduceSum"(%y3, %one) {keepdims = 0 : i64} : (tensor<?x2x8xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  return %out : tensor<?x8xf32>
}

// -----
// Negative: gate and up swapped (GELU on the second half of gate_up).
// CHECK-LABEL: func.func @experts_swapped_halves
// CHECK-NOT: gemma_onnx.moe_experts
// CHECK: gemma_onnx.node "Split"
func.func @experts_swapped_halves(%x: tensor<?x8xf32>, %x2: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %rep = gemma_onnx.initializer "rep" {value = dense<[1, 2, 1]> : tensor<3xi64>} : tensor<3xi64>
  %rows = gemma_onnx.initializer "rows" {value = dense<[-1, 8]> : tensor<2xi64>} : tensor<2xi64>
  %tkh = gemma_onnx.initializer "tkh" {value = dense<[-1, 2, 8]> : tensor<3xi64>} : tensor<3xi64>
  %gu = gemma_onnx.initializer "gate_up_proj" : tensor<4x8x8xf32>
  %dn = gemma_onnx.initializer "down_proj" : tensor<4x8x4xf32>
  %w, %ids = gemma_onnx.moe_route(%x, %proj, %pes) {input_scale = 0.35355339 : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %xu = gemma_onnx.node "Unsqueeze"(%x2, %one) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1x8xf32>
  %xe = gemma_onnx.node "Expand"(%xu, %rep) : (tensor<?x1x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %xr = gemma_onnx.node "Reshape"(%xe, %rows) : (tensor<?x2x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %wf = gemma_onnx.node "Reshape"(%w, %last) : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?xf32>
  %idf = gemma_onnx.node "Reshape"(%ids, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?xi64>
  %ci = gemma_onnx.node "Unsqueeze"(%idf, %last) : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %gw = gemma_onnx.node "GatherND"(%gu, %ci) : (tensor<4x8x8xf32>, tensor<?x1xi64>) -> tensor<?x8x8xf32>
  %xc = gemma_onnx.node "Unsqueeze"(%xr, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32>
  %m1 = gemma_onnx.node "MatMul"(%gw, %xc) : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32>
  %s1 = gemma_onnx.node "Squeeze"(%m1, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %sp:2 = gemma_onnx.node "Split"(%s1) {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>)
  %ge = gemma_onnx.node "Gelu"(%sp#1) {approximate = "tanh"} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %a = gemma_onnx.node "Mul"(%ge, %sp#0) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %dw = gemma_onnx.node "GatherND"(%dn, %ci) : (tensor<4x8x4xf32>, tensor<?x1xi64>) -> tensor<?x8x4xf32>
  %ac = gemma_onnx.node "Unsqueeze"(%a, %last) : (tensor<?x4xf32>, tensor<1xi64>) -> tensor<?x4x1xf32>
  %m2 = gemma_onnx.node "MatMul"(%dw, %ac) : (tensor<?x8x4xf32>, tensor<?x4x1xf32>) -> tensor<?x8x1xf32>
  %y = gemma_onnx.node "Squeeze"(%m2, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %wu = gemma_onnx.node "Unsqueeze"(%wf, %last) : (tensor<?xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %yw = gemma_onnx.node "Mul"(%y, %wu) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  %y3 = gemma_onnx.node "Reshape"(%yw, %tkh) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %out = gemma_onnx.node "ReduceSum"(%y3, %one) {keepdims = 0 : i64} : (tensor<?x2x8xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  return %out : tensor<?x8xf32>
}

// -----
// Negative: gate_up split over the rows (axis 0, Split's default) instead
// of into its gate and up halves.
// CHECK-LABEL: func.func @experts_split_axis
// CHECK-NOT: gemma_onnx.moe_experts
// CHECK: gemma_onnx.node "Split"
func.func @experts_split_axis(%x: tensor<?x8xf32>, %x2: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %rep = gemma_onnx.initializer "rep" {value = dense<[1, 2, 1]> : tensor<3xi64>} : tensor<3xi64>
  %rows = gemma_onnx.initializer "rows" {value = dense<[-1, 8]> : tensor<2xi64>} : tensor<2xi64>
  %tkh = gemma_onnx.initializer "tkh" {value = dense<[-1, 2, 8]> : tensor<3xi64>} : tensor<3xi64>
  %gu = gemma_onnx.initializer "gate_up_proj" : tensor<4x8x8xf32>
  %dn = gemma_onnx.initializer "down_proj" : tensor<4x8x4xf32>
  %w, %ids = gemma_onnx.moe_route(%x, %proj, %pes) {input_scale = 0.35355339 : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %xu = gemma_onnx.node "Unsqueeze"(%x2, %one) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1x8xf32>
  %xe = gemma_onnx.node "Expand"(%xu, %rep) : (tensor<?x1x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %xr = gemma_onnx.node "Reshape"(%xe, %rows) : (tensor<?x2x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %wf = gemma_onnx.node "Reshape"(%w, %last) : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?xf32>
  %idf = gemma_onnx.node "Reshape"(%ids, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?xi64>
  %ci = gemma_onnx.node "Unsqueeze"(%idf, %last) : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %gw = gemma_onnx.node "GatherND"(%gu, %ci) : (tensor<4x8x8xf32>, tensor<?x1xi64>) -> tensor<?x8x8xf32>
  %xc = gemma_onnx.node "Unsqueeze"(%xr, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32>
  %m1 = gemma_onnx.node "MatMul"(%gw, %xc) : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32>
  %s1 = gemma_onnx.node "Squeeze"(%m1, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %sp:2 = gemma_onnx.node "Split"(%s1) {num_outputs = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>)
  %ge = gemma_onnx.node "Gelu"(%sp#0) {approximate = "tanh"} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %a = gemma_onnx.node "Mul"(%ge, %sp#1) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %dw = gemma_onnx.node "GatherND"(%dn, %ci) : (tensor<4x8x4xf32>, tensor<?x1xi64>) -> tensor<?x8x4xf32>
  %ac = gemma_onnx.node "Unsqueeze"(%a, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32>
  %m2 = gemma_onnx.node "MatMul"(%dw, %ac) : (tensor<?x8x4xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32>
  %y = gemma_onnx.node "Squeeze"(%m2, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %wu = gemma_onnx.node "Unsqueeze"(%wf, %last) : (tensor<?xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %yw = gemma_onnx.node "Mul"(%y, %wu) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  %y3 = gemma_onnx.node "Reshape"(%yw, %tkh) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %out = gemma_onnx.node "ReduceSum"(%y3, %one) {keepdims = 0 : i64} : (tensor<?x2x8xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  return %out : tensor<?x8xf32>
}

// -----
// Negative: the experts gathered with indices that are not the route's.
// CHECK-LABEL: func.func @experts_other_ids
// CHECK-NOT: gemma_onnx.moe_experts
// CHECK: gemma_onnx.node "ReduceSum"
func.func @experts_other_ids(%x: tensor<?x8xf32>, %x2: tensor<?x8xf32>, %other: tensor<?x2xi64>) -> tensor<?x8xf32> {
  %proj = gemma_onnx.initializer "proj" : tensor<4x8xf32>
  %pes = gemma_onnx.initializer "pes" : tensor<4xf32>
  %last = gemma_onnx.initializer "last" {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %one = gemma_onnx.initializer "one" {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %rep = gemma_onnx.initializer "rep" {value = dense<[1, 2, 1]> : tensor<3xi64>} : tensor<3xi64>
  %rows = gemma_onnx.initializer "rows" {value = dense<[-1, 8]> : tensor<2xi64>} : tensor<2xi64>
  %tkh = gemma_onnx.initializer "tkh" {value = dense<[-1, 2, 8]> : tensor<3xi64>} : tensor<3xi64>
  %gu = gemma_onnx.initializer "gate_up_proj" : tensor<4x8x8xf32>
  %dn = gemma_onnx.initializer "down_proj" : tensor<4x8x4xf32>
  %w, %ids = gemma_onnx.moe_route(%x, %proj, %pes) {input_scale = 0.35355339 : f64, top_k = 2 : i64} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %xu = gemma_onnx.node "Unsqueeze"(%x2, %one) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x1x8xf32>
  %xe = gemma_onnx.node "Expand"(%xu, %rep) : (tensor<?x1x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %xr = gemma_onnx.node "Reshape"(%xe, %rows) : (tensor<?x2x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %wf = gemma_onnx.node "Reshape"(%w, %last) : (tensor<?x2xf32>, tensor<1xi64>) -> tensor<?xf32>
  %idf = gemma_onnx.node "Reshape"(%other, %last) : (tensor<?x2xi64>, tensor<1xi64>) -> tensor<?xi64>
  %ci = gemma_onnx.node "Unsqueeze"(%idf, %last) : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %gw = gemma_onnx.node "GatherND"(%gu, %ci) : (tensor<4x8x8xf32>, tensor<?x1xi64>) -> tensor<?x8x8xf32>
  %xc = gemma_onnx.node "Unsqueeze"(%xr, %last) : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x8x1xf32>
  %m1 = gemma_onnx.node "MatMul"(%gw, %xc) : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x1xf32>
  %s1 = gemma_onnx.node "Squeeze"(%m1, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %sp:2 = gemma_onnx.node "Split"(%s1) {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<?x8xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>)
  %ge = gemma_onnx.node "Gelu"(%sp#0) {approximate = "tanh"} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %a = gemma_onnx.node "Mul"(%ge, %sp#1) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %dw = gemma_onnx.node "GatherND"(%dn, %ci) : (tensor<4x8x4xf32>, tensor<?x1xi64>) -> tensor<?x8x4xf32>
  %ac = gemma_onnx.node "Unsqueeze"(%a, %last) : (tensor<?x4xf32>, tensor<1xi64>) -> tensor<?x4x1xf32>
  %m2 = gemma_onnx.node "MatMul"(%dw, %ac) : (tensor<?x8x4xf32>, tensor<?x4x1xf32>) -> tensor<?x8x1xf32>
  %y = gemma_onnx.node "Squeeze"(%m2, %last) : (tensor<?x8x1xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  %wu = gemma_onnx.node "Unsqueeze"(%wf, %last) : (tensor<?xf32>, tensor<1xi64>) -> tensor<?x1xf32>
  %yw = gemma_onnx.node "Mul"(%y, %wu) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  %y3 = gemma_onnx.node "Reshape"(%yw, %tkh) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x2x8xf32>
  %out = gemma_onnx.node "ReduceSum"(%y3, %one) {keepdims = 0 : i64} : (tensor<?x2x8xf32>, tensor<1xi64>) -> tensor<?x8xf32>
  return %out : tensor<?x8xf32>
}
