//===- Config.cpp - Gemma 4 config.json parser ----------------------------===//
//
// Implements parseModelConfig (ModelConfig.h). All defaults and per-layer
// overrides of gemma4-spec.md sections 1.2-1.4 are resolved here, once.
// Every error reads "<path>: field 'a.b': what is wrong".
//
//===----------------------------------------------------------------------===//

#include "frontend/ConfigFields.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <map>
#include <optional>

using namespace llvm;

namespace gemma {

using config::Fields;

Expected<ModelConfig> parseModelConfig(StringRef path) {
  SmallString<256> dir(path);
  sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  if (!sys::fs::exists(path))
    return createStringError(inconvertibleErrorCode(), "missing %s in %s",
                             sys::path::filename(path).str().c_str(),
                             dir.c_str());
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return createStringError(buf.getError(), "%s: cannot read: %s",
                             path.str().c_str(),
                             buf.getError().message().c_str());
  Expected<json::Value> root = json::parse((*buf)->getBuffer());
  if (!root)
    return createStringError(inconvertibleErrorCode(), "%s: malformed JSON: %s",
                             path.str().c_str(),
                             toString(root.takeError()).c_str());
  const json::Object *top = root->getAsObject();
  if (!top)
    return createStringError(inconvertibleErrorCode(),
                             "%s: expected a JSON object at the top level",
                             path.str().c_str());

  ModelConfig cfg;
  cfg.configPath = path.str();
  Fields topF(path, *top, "");

  // Which layout: text-only (gemma4_text, "model.") or the multimodal wrapper
  // (gemma4 + text_config, "model.language_model.").
  std::optional<std::string> modelType;
  ASSIGN_OR_RETURN(modelType, topF.optStr("model_type"));
  const json::Object *textObj = nullptr;
  ASSIGN_OR_RETURN(textObj, topF.optObj("text_config"));
  bool multimodal;
  if (modelType && *modelType == "gemma4") {
    if (!textObj)
      return topF.err("text_config",
                      "missing (required when model_type is 'gemma4')");
    multimodal = true;
  } else if (!modelType || *modelType == "gemma4_text") {
    multimodal = textObj != nullptr && !modelType;
  } else {
    return topF.err("model_type", "unsupported model_type '" + *modelType +
                                      "' (expected 'gemma4_text' or 'gemma4')");
  }
  cfg.tensorPrefix = multimodal ? "model.language_model." : "model.";
  Fields f(path, multimodal ? *textObj : *top,
           multimodal ? "text_config." : "");
  if (multimodal) {
    std::optional<std::string> tt;
    ASSIGN_OR_RETURN(tt, f.optStr("model_type"));
    if (tt && *tt != "gemma4_text")
      return f.err("model_type", "unsupported text model_type '" + *tt +
                                     "' (expected 'gemma4_text')");
  }

  // Scalars.
  ASSIGN_OR_RETURN(cfg.vocabSize, f.positive("vocab_size"));
  ASSIGN_OR_RETURN(cfg.hiddenSize, f.positive("hidden_size"));
  ASSIGN_OR_RETURN(cfg.numLayers, f.positive("num_hidden_layers"));
  ASSIGN_OR_RETURN(cfg.numHeads, f.positive("num_attention_heads"));
  int64_t numKv, headDim, inter;
  ASSIGN_OR_RETURN(numKv, f.positive("num_key_value_heads"));
  ASSIGN_OR_RETURN(headDim, f.positive("head_dim"));
  ASSIGN_OR_RETURN(inter, f.positive("intermediate_size"));
  if (headDim % 2)
    return f.err("head_dim", formatv("must be even for RoPE, got {0}", headDim));
  ASSIGN_OR_RETURN(cfg.slidingWindow, f.intOr("sliding_window", 512));
  if (cfg.slidingWindow <= 0)
    return f.err("sliding_window",
                 formatv("must be positive, got {0}", cfg.slidingWindow));
  ASSIGN_OR_RETURN(cfg.maxPositions, f.intOr("max_position_embeddings", 131072));
  if (cfg.maxPositions <= 0)
    return f.err("max_position_embeddings",
                 formatv("must be positive, got {0}", cfg.maxPositions));
  ASSIGN_OR_RETURN(cfg.rmsNormEps, f.numOr("rms_norm_eps", 1e-6));
  if (!(cfg.rmsNormEps > 0) || !std::isfinite(cfg.rmsNormEps))
    return f.err("rms_norm_eps", formatv("must be positive, got {0}", cfg.rmsNormEps));
  ASSIGN_OR_RETURN(cfg.finalSoftcap, f.numOr("final_logit_softcapping", 0.0));
  if (!(cfg.finalSoftcap >= 0) || !std::isfinite(cfg.finalSoftcap))
    return f.err("final_logit_softcapping",
                 formatv("must be >= 0 or null, got {0}", cfg.finalSoftcap));

  std::optional<std::string> act;
  ASSIGN_OR_RETURN(act, f.optStr("hidden_activation"));
  if (act && *act != "gelu_pytorch_tanh")
    return f.err("hidden_activation",
                 "unsupported activation '" + *act +
                     "' (Gemma 4 uses 'gelu_pytorch_tanh')");
  bool bias;
  ASSIGN_OR_RETURN(bias, f.boolOr("attention_bias", false));
  if (bias)
    return f.err("attention_bias", "attention biases are not supported");

  // Multimodal: the wrapper's tie_word_embeddings governs the LM head.
  ASSIGN_OR_RETURN(cfg.tieWordEmbeddings, f.boolOr("tie_word_embeddings", true));
  if (multimodal && topF.get("tie_word_embeddings"))
    ASSIGN_OR_RETURN(cfg.tieWordEmbeddings, topF.boolOr("tie_word_embeddings", true));

  // MoE.
  ASSIGN_OR_RETURN(cfg.moe, f.boolOr("enable_moe_block", false));
  if (cfg.moe) {
    auto moeField = [&](StringRef key, int64_t &out) -> Error {
      if (!f.get(key))
        return f.err(key, "missing or null (required when enable_moe_block is true)");
      auto v = f.positive(key);
      if (!v)
        return v.takeError();
      out = *v;
      return Error::success();
    };
    if (Error e = moeField("num_experts", cfg.numExperts)) return std::move(e);
    if (Error e = moeField("top_k_experts", cfg.topK)) return std::move(e);
    if (Error e = moeField("moe_intermediate_size", cfg.moeIntermediateSize))
      return std::move(e);
    if (cfg.topK > cfg.numExperts)
      return f.err("top_k_experts",
                   formatv("{0} exceeds num_experts ({1})", cfg.topK,
                           cfg.numExperts));
  }

  // PLE: 0 or null both mean "none"; absent means HF's class default 256.
  {
    const json::Value *v = f.obj.get("hidden_size_per_layer_input");
    if (!v)
      cfg.pleDim = 256;
    else
      ASSIGN_OR_RETURN(cfg.pleDim, f.intOr("hidden_size_per_layer_input", 0));
    if (cfg.pleDim < 0)
      return f.err("hidden_size_per_layer_input",
                   formatv("must be >= 0, got {0}", cfg.pleDim));
    if (cfg.pleDim > 0) {
      ASSIGN_OR_RETURN(cfg.pleVocabSize,
                       f.intOr("vocab_size_per_layer_input", 262144));
      if (cfg.pleVocabSize <= 0)
        return f.err("vocab_size_per_layer_input",
                     formatv("must be positive, got {0}", cfg.pleVocabSize));
    }
  }

  ASSIGN_OR_RETURN(cfg.numKvSharedLayers, f.intOr("num_kv_shared_layers", 0));
  if (cfg.numKvSharedLayers < 0 || cfg.numKvSharedLayers >= cfg.numLayers)
    return f.err("num_kv_shared_layers",
                 formatv("must be in [0, num_hidden_layers = {0}), got {1}",
                         cfg.numLayers, cfg.numKvSharedLayers));
  ASSIGN_OR_RETURN(cfg.doubleWideMlp, f.boolOr("use_double_wide_mlp", false));
  bool kEqV;
  ASSIGN_OR_RETURN(kEqV, f.boolOr("attention_k_eq_v", false));

  // Special tokens (text config first, then the wrapper's).
  {
    std::optional<int64_t> v;
    ASSIGN_OR_RETURN(v, f.optInt("bos_token_id"));
    if (!v && multimodal)
      ASSIGN_OR_RETURN(v, topF.optInt("bos_token_id"));
    cfg.bosTokenId = v.value_or(2);
    if (cfg.bosTokenId < 0)
      return f.err("bos_token_id", formatv("must be >= 0, got {0}", cfg.bosTokenId));
    ASSIGN_OR_RETURN(v, f.optInt("pad_token_id"));
    if (!v && multimodal)
      ASSIGN_OR_RETURN(v, topF.optInt("pad_token_id"));
    cfg.padTokenId = v.value_or(0);
    if (cfg.padTokenId < 0)
      return f.err("pad_token_id", formatv("must be >= 0, got {0}", cfg.padTokenId));
    if (Error e = f.intList("eos_token_id", cfg.eosTokenIds))
      return std::move(e);
    if (multimodal)
      if (Error e = topF.intList("eos_token_id", cfg.eosTokenIds))
        return std::move(e);
    if (cfg.eosTokenIds.empty())
      cfg.eosTokenIds.push_back(1); // HF default
  }

  if (Error e = config::resolveLayers(f, {headDim, numKv, inter, kEqV}, cfg))
    return std::move(e);
  return cfg;
}

} // namespace gemma
