//===- SynthPlan.cpp ------------------------------------------------------===//
#include "SynthPlan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace gemma_synth {

//===--------------------------------------------------------------------===//
// Model plan: layer types, config, tensor list
//===--------------------------------------------------------------------===//

int dtypeSize(DType d) { return d == DType::F32 ? 4 : 2; }
const char *dtypeName(DType d) { return d == DType::BF16 ? "BF16" : d == DType::F16 ? "F16" : "F32"; }
const char *torchDType(DType d) { return d == DType::BF16 ? "bfloat16" : d == DType::F16 ? "float16" : "float32"; }


Plan makePlan(const Variant &v, int64_t N, int64_t vocab) {
  Plan p{&v, N, vocab, 0, std::vector<bool>(N)};
  for (int64_t l = 0; l < N; ++l) p.full[l] = l % v.period == v.period - 1;
  p.full[N - 1] = true;
  if (v.kvShared) {
    p.shared = std::min<int64_t>(std::llround(double(N) * v.kvShared / v.layers),
                                 std::max<int64_t>(N - 2, 0));
    int64_t first = N - p.shared;
    if (p.shared && std::find(p.full.begin(), p.full.begin() + first, true) == p.full.begin() + first)
      p.full[first - 1] = true;
  }
  return p;
}

static Json rope() {
  Json full = Json::object(), sliding = Json::object(), r = Json::object();
  full.set("partial_rotary_factor", 0.25);
  full.set("rope_theta", 1000000.0);
  full.set("rope_type", "proportional");
  sliding.set("rope_theta", 10000.0);
  sliding.set("rope_type", "default");
  r.set("full_attention", full);
  r.set("sliding_attention", sliding);
  return r;
}

Json textConfig(const Plan &p, bool hub) {
  const Variant &v = *p.v;
  Json c = Json::object();
  auto orNull = [](bool present, int64_t x) { return present ? Json(x) : Json(); };
  c.set("attention_bias", false);
  c.set("attention_dropout", 0.0);
  c.set("attention_k_eq_v", v.kEqV);
  c.set("bos_token_id", 2);
  c.set("enable_moe_block", v.moe);
  c.set("eos_token_id", 1);
  c.set("final_logit_softcapping", 30.0);
  c.set("head_dim", v.headDim);
  c.set("hidden_activation", "gelu_pytorch_tanh");
  c.set("hidden_size", v.hidden);
  c.set("hidden_size_per_layer_input", v.ple);
  c.set("initializer_range", 0.02);
  c.set("intermediate_size", v.intermediate);
  Json types = Json::array();
  for (bool f : p.full) types.arr.push_back(f ? "full_attention" : "sliding_attention");
  c.set("layer_types", types);
  c.set("max_position_embeddings", v.maxPos);
  c.set("model_type", "gemma4_text");
  c.set("moe_intermediate_size", orNull(v.moe, v.moeIntermediate));
  c.set("num_attention_heads", v.heads);
  c.set("num_experts", orNull(v.moe, v.experts));
  c.set("num_hidden_layers", p.L);
  c.set("num_key_value_heads", v.kvHeads);
  c.set("num_kv_shared_layers", p.shared);
  c.set("pad_token_id", 0);
  if (hub) {
    c.set("global_head_dim", v.globalHeadDim);
    c.set("num_global_key_value_heads", orNull(v.globalKvHeads, v.globalKvHeads));
  } else {
    Json plc = Json::object();
    for (int64_t l = 0; l < p.L; ++l) {
      if (!p.full[l]) continue;
      Json o = Json::object();
      o.set("head_dim", v.globalHeadDim);
      if (v.kEqV) o.set("num_key_value_heads", v.globalKvHeads);
      plc.set(std::to_string(l), o);
    }
    c.set("per_layer_config", plc);
  }
  c.set("rms_norm_eps", 1e-06);
  c.set("rope_parameters", rope());
  c.set("sliding_window", v.window);
  c.set("tie_word_embeddings", true);
  c.set("top_k_experts", orNull(v.moe, v.topK));
  c.set("use_bidirectional_attention", Json(v.bidirectional));
  c.set("use_cache", true);
  c.set("use_double_wide_mlp", v.doubleWide);
  c.set("vocab_size", p.vocab);
  c.set("vocab_size_per_layer_input", p.vocab);
  return c;
}

const char *kTransformersVersion = "5.17.0";

Json modelConfig(const Plan &p, bool multimodal, bool hub, DType dt) {
  Json t = textConfig(p, hub);
  if (!multimodal) {
    t.set("architectures", Json::array({"Gemma4ForCausalLM"}));
    t.set("dtype", torchDType(dt));
    t.set("transformers_version", kTransformersVersion);
    return t;
  }
  Json c = Json::object();
  c.set("architectures", Json::array({"Gemma4ForConditionalGeneration"}));
  c.set("audio_config", Json());
  c.set("audio_token_id", 258881);
  c.set("boa_token_id", 256000);
  c.set("boi_token_id", 255999);
  c.set("dtype", torchDType(dt));
  c.set("eoa_token_index", 258883);
  c.set("eoi_token_id", 258882);
  if (hub) // released -it config.json
    c.set("eos_token_id", Json::array({1, 106}));
  c.set("image_token_id", 258880);
  c.set("initializer_range", 0.02);
  c.set("model_type", "gemma4");
  c.set("text_config", t);
  c.set("tie_word_embeddings", true);
  c.set("transformers_version", kTransformersVersion);
  c.set("video_token_id", 258884);
  c.set("vision_config", Json());
  return c;
}

Json generationConfig() {
  Json g = Json::object();
  g.set("bos_token_id", 2);
  g.set("do_sample", true);
  g.set("eos_token_id", Json::array({1, 106, 50}));
  g.set("pad_token_id", 0);
  g.set("temperature", 1.0);
  g.set("top_k", 64);
  g.set("top_p", 0.95);
  g.set("transformers_version", kTransformersVersion);
  return g;
}


std::vector<Tensor> makeTensors(const Plan &p, const std::string &prefix) {
  const Variant &v = *p.v;
  const int64_t H = v.hidden, P = v.ple;
  std::vector<Tensor> ts;
  auto add = [&](const std::string &n, std::vector<int64_t> shape, double lo, double hi) {
    ts.push_back({prefix + n, std::move(shape), float(lo), float(hi)});
  };
  auto linear = [&](const std::string &n, std::vector<int64_t> shape) {
    double a = 0.5 / std::sqrt(double(shape.back())); // in_features = last dim
    add(n, std::move(shape), -a, a);
  };
  auto norm = [&](const std::string &n, int64_t w, double s = 1.0) { add(n, {w}, 0.9 * s, 1.1 * s); };

  double b = std::sqrt(3.0 / double(H));
  add("embed_tokens.weight", {p.vocab, H}, -b, b);
  norm("norm.weight", H);
  if (P) {
    double bp = std::sqrt(3.0 / double(P));
    add("embed_tokens_per_layer.weight", {p.vocab, p.L * P}, -bp, bp);
    linear("per_layer_model_projection.weight", {p.L * P, H});
    norm("per_layer_projection_norm.weight", P);
  }
  for (int64_t l = 0; l < p.L; ++l) {
    std::string ln = "layers." + std::to_string(l) + ".";
    bool full = p.full[l], shared = l >= p.L - p.shared, kvEq = v.kEqV && full;
    int64_t d = full ? v.globalHeadDim : v.headDim;
    int64_t nkv = kvEq ? v.globalKvHeads : v.kvHeads;
    int64_t I = v.intermediate * (v.doubleWide && shared ? 2 : 1);
    double qk = std::pow(double(d), -0.25);

    for (const char *n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"})
      norm(ln + n + ".weight", H);
    add(ln + "layer_scalar", {1}, 0.5, 1.0);
    linear(ln + "self_attn.q_proj.weight", {v.heads * d, H});
    linear(ln + "self_attn.o_proj.weight", {H, v.heads * d});
    norm(ln + "self_attn.q_norm.weight", d, qk);
    if (!shared) {
      linear(ln + "self_attn.k_proj.weight", {nkv * d, H});
      if (!kvEq) linear(ln + "self_attn.v_proj.weight", {nkv * d, H});
      norm(ln + "self_attn.k_norm.weight", d, qk);
    }
    linear(ln + "mlp.gate_proj.weight", {I, H});
    linear(ln + "mlp.up_proj.weight", {I, H});
    linear(ln + "mlp.down_proj.weight", {H, I});
    if (v.moe) {
      for (const char *n : {"pre_feedforward_layernorm_2", "post_feedforward_layernorm_1",
                            "post_feedforward_layernorm_2"})
        norm(ln + n + ".weight", H);
      add(ln + "router.proj.weight", {v.experts, H}, -std::sqrt(3.0), std::sqrt(3.0));
      norm(ln + "router.scale", H);
      add(ln + "router.per_expert_scale", {v.experts}, 0.5, 1.5);
      linear(ln + "experts.gate_up_proj", {v.experts, 2 * v.moeIntermediate, H});
      linear(ln + "experts.down_proj", {v.experts, H, v.moeIntermediate});
    }
    if (P) {
      linear(ln + "per_layer_input_gate.weight", {P, H});
      linear(ln + "per_layer_projection.weight", {H, P});
      norm(ln + "post_per_layer_input_norm.weight", H);
    }
  }
  for (Tensor &t : ts) {
    for (int64_t s : t.shape) t.numel *= s;
    t.hash = 0xcbf29ce484222325ull; // FNV-1a
    for (char c : t.name) t.hash = (t.hash ^ (unsigned char)c) * 0x100000001b3ull;
  }
  return ts;
}

/// "layers.2." < "layers.10.": module order for shard assignment.
static bool naturalLess(const std::string &a, const std::string &b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (isdigit((unsigned char)a[i]) && isdigit((unsigned char)b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && isdigit((unsigned char)a[i2])) ++i2;
      while (j2 < b.size() && isdigit((unsigned char)b[j2])) ++j2;
      long long x = atoll(a.substr(i, i2 - i).c_str()), y = atoll(b.substr(j, j2 - j).c_str());
      if (x != y) return x < y;
      i = i2, j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

/// Assigns t.shard; returns the shard count.
size_t assignShards(std::vector<Tensor> &ts, int64_t shards, uint64_t maxBytes) {
  std::sort(ts.begin(), ts.end(), [](auto &a, auto &b) { return naturalLess(a.name, b.name); });
  uint64_t total = 0;
  for (auto &t : ts) total += t.bytes;
  size_t shard = 0;
  uint64_t cum = 0, cur = 0;
  for (size_t k = 0; k < ts.size(); ++k) {
    if (shards > 0) { // exactly K: cut at the k/K size quantiles, never leave a shard empty
      ts[k].shard = shard;
      cum += ts[k].bytes;
      int64_t shardsLeft = shards - 1 - int64_t(shard), tensorsLeft = int64_t(ts.size() - k - 1);
      if (shardsLeft > 0 &&
          (cum * (unsigned __int128)shards >= total * (unsigned __int128)(shard + 1) ||
           tensorsLeft == shardsLeft))
        ++shard;
    } else { // greedy like huggingface_hub: start a new shard when this one would overflow
      if (cur > 0 && cur + ts[k].bytes > maxBytes) { ++shard; cur = 0; }
      ts[k].shard = shard;
      cur += ts[k].bytes;
    }
  }
  return shards > 0 ? size_t(shards) : shard + 1;
}

} // namespace gemma_synth
