//===- AssembleLayer.cpp - one decoder layer of the raised ONNX graph -----===//
//
// Part of assembleGemma (Assembler.h): a layer read backwards from its
// output, its attention (K/V, KV sharing, sliding window) and its
// feed-forward part (dense MLP, MoE, per-layer input).
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Assembler.h"

namespace gemma::onnxfe::detail {

Assembler::Branch Assembler::classify(Value v) {
  auto n = view(v).getDefiningOp<go::RmsNormOp>();
  if (!n || !n.getWeight())
    return Branch::None;
  Value x = view(n.getX());
  if (x.getDefiningOp<go::PleLayerOp>())
    return Branch::Ple;
  if (x.getDefiningOp<go::GeluMlpOp>() || nodeOf(x, "Add"))
    return Branch::Ffn;
  if (auto lin = x.getDefiningOp<go::LinearOp>())
    if (view(lin.getX()).getDefiningOp<go::AttentionOp>())
      return Branch::Attention;
  return Branch::None;
}

/// Reads one decoder layer backwards from its output; returns its input.
Expected<Value> Assembler::layer(Value h, LayerRec &r) {
  go::NodeOp mul = nodeOf(h, "Mul");
  if (!mul)
    return unexpected(h, "the end of a decoder layer (Mul by layer_scalar) or the embedding");
  Value stream;
  for (int i = 0; i < 2 && !stream; ++i) {
    auto t = dyn_cast<RankedTensorType>(mul.getInputs()[i].getType());
    if (initOf(mul.getInputs()[i]) && t && t.getNumElements() == 1) {
      if (Error e = bindTo(r.weights, "layer_scalar", mul.getInputs()[i], false, mul))
        return std::move(e);
      stream = mul.getInputs()[1 - i];
    }
  }
  if (!stream)
    return fail(describe(mul) + ": expected the layer_scalar Mul (one operand a one-element "
                                "initializer)");
  generic(mul, "layer scale");

  // Residual adds, outermost first: [PLE], FFN, attention.
  auto residual = [&](Value v, Branch want, const char *what) -> Expected<std::pair<Value, Value>> {
    v = view(v);
    go::NodeOp add = nodeOf(v, "Add");
    if (!add)
      return unexpected(v, formatv("the {0} residual Add", what).str());
    for (int i = 0; i < 2; ++i)
      if (classify(add.getInputs()[i]) == want) {
        generic(add, "residual add");
        return std::make_pair(view(add.getInputs()[1 - i]), view(add.getInputs()[i]));
      }
    return fail(formatv("{0}: expected the {1} residual (stream + post-norm of the {1} branch)",
                        describe(add), what));
  };

  Value hv = view(stream);
  if (go::NodeOp add = nodeOf(hv, "Add"))
    if (classify(add.getInputs()[0]) == Branch::Ple || classify(add.getInputs()[1]) == Branch::Ple) {
      auto parts = residual(hv, Branch::Ple, "per-layer-input");
      if (!parts)
        return parts.takeError();
      auto post = norm(parts->second, true, "post_per_layer_input_norm");
      if (!post)
        return post.takeError();
      auto ple = expect<go::PleLayerOp>(post->getX(), "the per-layer input block");
      if (!ple)
        return ple.takeError();
      if (view(ple->getH()) != parts->first)
        return fail(describe(*ple) + ": the per-layer input gate must read the residual stream");
      if (Error e = bindTo(r.weights, "post_per_layer_input_norm.weight", post->getWeight(), false,
                           *post))
        return std::move(e);
      if (Error e = bindTo(r.weights, "per_layer_input_gate.weight", ple->getGate(), true, *ple))
        return std::move(e);
      if (Error e = bindTo(r.weights, "per_layer_projection.weight", ple->getProj(), true, *ple))
        return std::move(e);
      r.pleLayer = ple->getLayer();
      r.pleInputs = ple->getInputs().getDefiningOp();
      hv = parts->first;
    }

  auto ffnParts = residual(hv, Branch::Ffn, "feed-forward");
  if (!ffnParts)
    return ffnParts.takeError();
  Value hmid = ffnParts->first;
  auto post = norm(ffnParts->second, true, "post_feedforward_layernorm");
  if (!post)
    return post.takeError();
  if (Error e = bindTo(r.weights, "post_feedforward_layernorm.weight", post->getWeight(), false,
                       *post))
    return std::move(e);
  if (Error e = ffn(post->getX(), hmid, r))
    return std::move(e);

  auto attnParts = residual(hmid, Branch::Attention, "attention");
  if (!attnParts)
    return attnParts.takeError();
  auto postAttn = norm(attnParts->second, true, "post_attention_layernorm");
  if (!postAttn)
    return postAttn.takeError();
  if (Error e = bindTo(r.weights, "post_attention_layernorm.weight", postAttn->getWeight(), false,
                       *postAttn))
    return std::move(e);
  auto o = expect<go::LinearOp>(postAttn->getX(), "o_proj");
  if (!o)
    return o.takeError();
  if (Error e = bindTo(r.weights, "self_attn.o_proj.weight", o->getWeight(), o->getInOut(), *o))
    return std::move(e);
  auto attn = expect<go::AttentionOp>(o->getX(), "the attention");
  if (!attn)
    return attn.takeError();
  if (Error e = attention(*attn, r))
    return std::move(e);
  if (view(r.input.getX()) != attnParts->first)
    return fail(describe(r.input) + ": input_layernorm must read the layer's input stream");
  return attnParts->first;
}

Error Assembler::attention(go::AttentionOp attn, LayerRec &r) {
  if (attn.getScale().convertToDouble() != 1.0)
    return fail(formatv("{0}: attention scale {1}; Gemma 4 attends with scale 1.0 (spec 2.4) "
                        "and gemmac supports no other",
                        describe(attn), attn.getScale().convertToDouble()));
  r.g.sliding = attn.getWindow() > 0;
  auto rope = expect<go::RopeOp>(attn.getQ(), "RoPE of the queries");
  if (!rope)
    return rope.takeError();
  auto qn = norm(rope->getX(), true, "q_norm");
  if (!qn)
    return qn.takeError();
  auto q = expect<go::LinearOp>(qn->getX(), "q_proj");
  if (!q)
    return q.takeError();
  auto in = norm(q->getX(), true, "input_layernorm");
  if (!in)
    return in.takeError();
  r.input = *in;
  r.g.headDim = lastDim(qn->getX());
  if (r.g.headDim <= 0)
    r.g.headDim = dims(qn->getWeight()).empty() ? 0 : dims(qn->getWeight()).back();
  r.g.ropeTheta = rope->getTheta().convertToDouble();
  r.g.ropePairs = rope->getPairs();
  if (Error e = bindTo(r.weights, "input_layernorm.weight", in->getWeight(), false, *in))
    return e;
  if (Error e = bindTo(r.weights, "self_attn.q_proj.weight", q->getWeight(), q->getInOut(), *q))
    return e;
  if (Error e = bindTo(r.weights, "self_attn.q_norm.weight", qn->getWeight(), false, *qn))
    return e;
  r.k = attn.getK();
  r.v = attn.getV();
  if (attn.getWindow() > 0)
    windows.insert(attn.getWindow());
  headsTimesDim.push_back(outDim(q->getWeight(), q->getInOut()));
  return Error::success();
}

/// K and V of a cache-owning layer: rope(k_norm(k_proj(a))) and
/// v_norm(v_proj(a)), or v_norm(k_proj(a)) when K = V (spec 2.4).
Error Assembler::keysValues(LayerRec &r) {
  auto rope = expect<go::RopeOp>(r.k, "RoPE of the keys");
  if (!rope)
    return rope.takeError();
  auto kn = norm(rope->getX(), true, "k_norm");
  if (!kn)
    return kn.takeError();
  auto k = expect<go::LinearOp>(kn->getX(), "k_proj");
  if (!k)
    return k.takeError();
  auto vn = norm(r.v, false, "v_norm");
  if (!vn)
    return vn.takeError();
  auto v = expect<go::LinearOp>(vn->getX(), "v_proj or k_proj");
  if (!v)
    return v.takeError();
  if (k->getX() != r.input.getResult() || v->getX() != r.input.getResult())
    return fail(describe(*k) + ": K and V must project the layer's input_layernorm output");
  if (rope->getTheta().convertToDouble() != r.g.ropeTheta || static_cast<int64_t>(rope->getPairs()) != r.g.ropePairs)
    return fail(describe(*rope) + ": keys and queries use different RoPE");
  r.g.kEqV = *v == *k;
  r.g.numKvHeads = r.g.headDim ? outDim(k->getWeight(), k->getInOut()) / r.g.headDim : 0;
  if (Error e = bindTo(r.weights, "self_attn.k_proj.weight", k->getWeight(), k->getInOut(), *k))
    return e;
  if (Error e = bindTo(r.weights, "self_attn.k_norm.weight", kn->getWeight(), false, *kn))
    return e;
  if (!r.g.kEqV)
    if (Error e = bindTo(r.weights, "self_attn.v_proj.weight", v->getWeight(), v->getInOut(), *v))
      return e;
  return Error::success();
}

Error Assembler::ffn(Value f, Value hmid, LayerRec &r) {
  auto denseMlp = [&](Value v) -> Error {
    auto mlp = expect<go::GeluMlpOp>(v, "the gated GELU MLP");
    if (!mlp)
      return mlp.takeError();
    auto pre = norm(mlp->getX(), true, "pre_feedforward_layernorm");
    if (!pre)
      return pre.takeError();
    if (view(pre->getX()) != hmid)
      return fail(describe(*pre) + ": the MLP's pre-norm must read the attention residual");
    bool t = mlp->getInOut();
    r.g.intermediateSize = outDim(mlp->getGate(), t);
    if (Error e = bindTo(r.weights, "pre_feedforward_layernorm.weight", pre->getWeight(), false,
                         *pre))
      return e;
    if (Error e = bindTo(r.weights, "mlp.gate_proj.weight", mlp->getGate(), t, *mlp))
      return e;
    if (Error e = bindTo(r.weights, "mlp.up_proj.weight", mlp->getUp(), t, *mlp))
      return e;
    return bindTo(r.weights, "mlp.down_proj.weight", mlp->getDown(), t, *mlp);
  };
  f = view(f);
  if (f.getDefiningOp<go::GeluMlpOp>())
    return denseMlp(f);
  go::NodeOp add = nodeOf(f, "Add");
  if (!add)
    return unexpected(f, "the feed-forward block (gated GELU MLP, or MLP + experts)");
  generic(add, "residual add");
  // MoE (spec 2.7): post_1(dense MLP) + post_2(experts).
  for (int i = 0; i < 2; ++i) {
    auto n1 = view(add.getInputs()[i]).getDefiningOp<go::RmsNormOp>();
    auto n2 = view(add.getInputs()[1 - i]).getDefiningOp<go::RmsNormOp>();
    if (!n1 || !n2 || !view(n1.getX()).getDefiningOp<go::GeluMlpOp>())
      continue;
    auto p1 = norm(n1, true, "post_feedforward_layernorm_1");
    auto p2 = norm(n2, true, "post_feedforward_layernorm_2");
    if (!p1 || !p2)
      return p1 ? p2.takeError() : p1.takeError();
    if (Error e = denseMlp(n1.getX()))
      return e;
    auto experts = expect<go::MoeExpertsOp>(n2.getX(), "the routed experts");
    if (!experts)
      return experts.takeError();
    auto route = experts->getIds().getDefiningOp<go::MoeRouteOp>();
    if (!route || experts->getWeights().getDefiningOp() != route)
      return unexpected(experts->getIds(), "the MoE routing");
    auto x2 = norm(experts->getX(), true, "pre_feedforward_layernorm_2");
    auto rn = norm(route.getX(), true, "the router norm (times router.scale)");
    if (!x2 || !rn)
      return x2 ? rn.takeError() : x2.takeError();
    if (view(x2->getX()) != hmid || view(rn->getX()) != hmid)
      return fail(describe(route) + ": router and experts must read the attention residual");
    std::vector<int64_t> gu = dims(experts->getGateUp());
    r.route = route;
    moeInputScales.push_back(route.getInputScale().convertToDouble());
    topKs.insert(route.getTopK());
    experts_.insert(dims(route.getPerExpertScale()).empty() ? 0 : dims(route.getPerExpertScale())[0]);
    moeWidths.insert(gu.size() == 3 ? gu[1] / 2 : 0);
    Operation *ex = *experts;
    using Entry = std::tuple<const char *, Value, bool, Operation *>;
    const Entry entries[] = {
        {"post_feedforward_layernorm_1.weight", p1->getWeight(), false, *p1},
        {"post_feedforward_layernorm_2.weight", p2->getWeight(), false, *p2},
        {"pre_feedforward_layernorm_2.weight", x2->getWeight(), false, *x2},
        {"router.scale", rn->getWeight(), false, *rn},
        {"router.proj.weight", route.getProj(), route.getInOut(), route},
        {"router.per_expert_scale", route.getPerExpertScale(), false, route},
        {"experts.gate_up_proj", experts->getGateUp(), false, ex},
        {"experts.down_proj", experts->getDown(), false, ex}};
    for (const Entry &en : entries)
      if (Error e = bindTo(r.weights, std::get<0>(en), std::get<1>(en), std::get<2>(en),
                           std::get<3>(en)))
        return e;
    return Error::success();
  }
  return fail(describe(add) + ": expected the MoE sum of post_feedforward_layernorm_1 (dense "
                              "MLP) and post_feedforward_layernorm_2 (experts)");
}

} // namespace gemma::onnxfe::detail
