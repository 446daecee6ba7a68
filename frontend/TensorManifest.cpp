//===- TensorManifest.cpp - which checkpoint tensors a model needs --------===//

#include "frontend/TensorManifest.h"

#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace gemma {

std::vector<ExpectedTensor> expectedTensors(const ModelConfig &cfg) {
  std::vector<ExpectedTensor> out;
  const std::string &p = cfg.tensorPrefix;
  const int64_t H = cfg.hiddenSize, V = cfg.vocabSize, L = cfg.numLayers;
  const int64_t P = cfg.pleDim;
  auto add = [&](std::string name, std::vector<int64_t> shape,
                 int64_t layer = -1, bool optional = false) {
    out.push_back({std::move(name), std::move(shape), optional, layer});
  };

  add(p + "embed_tokens.weight", {V, H});
  add(p + "norm.weight", {H});
  // Tied models usually omit lm_head (save_pretrained de-duplicates it).
  add("lm_head.weight", {V, H}, -1, cfg.tieWordEmbeddings);
  if (P > 0) {
    add(p + "embed_tokens_per_layer.weight", {cfg.pleVocabSize, L * P});
    add(p + "per_layer_model_projection.weight", {L * P, H});
    add(p + "per_layer_projection_norm.weight", {P});
  }

  for (int64_t l = 0; l < L; ++l) {
    const LayerGeometry &g = cfg.layers[l];
    std::string lp = p + "layers." + std::to_string(l) + ".";
    const int64_t d = g.headDim, q = cfg.numHeads * d, kv = g.numKvHeads * d;
    const int64_t I = g.intermediateSize;
    add(lp + "input_layernorm.weight", {H}, l);
    add(lp + "post_attention_layernorm.weight", {H}, l);
    add(lp + "pre_feedforward_layernorm.weight", {H}, l);
    add(lp + "post_feedforward_layernorm.weight", {H}, l);
    add(lp + "layer_scalar", {1}, l);

    add(lp + "self_attn.q_proj.weight", {q, H}, l);
    add(lp + "self_attn.q_norm.weight", {d}, l);
    if (g.kvSourceLayer < 0) {
      add(lp + "self_attn.k_proj.weight", {kv, H}, l);
      add(lp + "self_attn.k_norm.weight", {d}, l);
      if (!g.kEqV)
        add(lp + "self_attn.v_proj.weight", {kv, H}, l);
    }
    add(lp + "self_attn.o_proj.weight", {H, q}, l);

    add(lp + "mlp.gate_proj.weight", {I, H}, l);
    add(lp + "mlp.up_proj.weight", {I, H}, l);
    add(lp + "mlp.down_proj.weight", {H, I}, l);

    if (cfg.moe) {
      const int64_t E = cfg.numExperts, M = cfg.moeIntermediateSize;
      add(lp + "pre_feedforward_layernorm_2.weight", {H}, l);
      add(lp + "post_feedforward_layernorm_1.weight", {H}, l);
      add(lp + "post_feedforward_layernorm_2.weight", {H}, l);
      add(lp + "router.proj.weight", {E, H}, l);
      add(lp + "router.scale", {H}, l);
      add(lp + "router.per_expert_scale", {E}, l);
      add(lp + "experts.gate_up_proj", {E, 2 * M, H}, l);
      add(lp + "experts.down_proj", {E, H, M}, l);
    }
    if (P > 0) {
      add(lp + "per_layer_input_gate.weight", {P, H}, l);
      add(lp + "per_layer_projection.weight", {H, P}, l);
      add(lp + "post_per_layer_input_norm.weight", {H}, l);
    }
  }
  return out;
}

Error checkTensors(const ModelConfig &cfg, const Checkpoint &ckpt) {
  for (const ExpectedTensor &t : expectedTensors(cfg)) {
    if (t.optional && !ckpt.find(t.name))
      continue;
    Expected<const TensorInfo *> ti = ckpt.require(t.name, t.shape);
    if (!ti)
      return ti.takeError();
    if ((*ti)->dtype == DType::I32)
      return createStringError(
          inconvertibleErrorCode(),
          "tensor '%s' in %s has dtype I32 but gemmac needs floating-point "
          "weights (F32, BF16, F16)",
          t.name.c_str(), (*ti)->file.c_str());
  }
  return Error::success();
}

std::string lmHeadTensorName(const ModelConfig &cfg, const Checkpoint &ckpt) {
  (void)ckpt;
  // Tied: HF ignores a stored lm_head.weight and uses the embedding table.
  if (!cfg.tieWordEmbeddings)
    return "lm_head.weight";
  return cfg.tensorPrefix + "embed_tokens.weight";
}

} // namespace gemma
