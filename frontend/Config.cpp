//===- Config.cpp - Gemma 4 config.json parser ----------------------------===//
//
// Implements parseModelConfig (ModelConfig.h). All defaults and per-layer
// overrides of gemma4-spec.md sections 1.2-1.4 are resolved here, once.
// Every error reads "<path>: field 'a.b': what is wrong".
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelConfig.h"

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
namespace {

/// Reads typed fields of one JSON object, producing errors that name the
/// config file and the dotted field path.
class Fields {
public:
  Fields(StringRef file, const json::Object &obj, std::string prefix)
      : file(file.str()), obj(obj), prefix(std::move(prefix)) {}

  std::string path(StringRef key) const { return prefix + key.str(); }

  Error err(StringRef key, const Twine &what) const {
    return createStringError(inconvertibleErrorCode(), "%s: field '%s': %s",
                             file.c_str(), path(key).c_str(),
                             what.str().c_str());
  }

  /// Present and not null.
  const json::Value *get(StringRef key) const {
    const json::Value *v = obj.get(key);
    if (!v || v->kind() == json::Value::Null)
      return nullptr;
    return v;
  }
  bool has(StringRef key) const { return obj.get(key) != nullptr; }

  static StringRef kindName(const json::Value &v) {
    switch (v.kind()) {
    case json::Value::Null: return "null";
    case json::Value::Boolean: return "a boolean";
    case json::Value::Number: return "a number";
    case json::Value::String: return "a string";
    case json::Value::Array: return "an array";
    case json::Value::Object: return "an object";
    }
    return "?";
  }

  Expected<std::optional<int64_t>> optInt(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return std::optional<int64_t>();
    if (std::optional<int64_t> i = v->getAsInteger())
      return std::optional<int64_t>(*i);
    return err(key, "expected an integer, got " + describe(*v));
  }
  Expected<int64_t> reqInt(StringRef key) const {
    if (!has(key))
      return err(key, "missing (required)");
    if (!get(key))
      return err(key, "is null (an integer is required)");
    auto v = optInt(key);
    if (!v)
      return v.takeError();
    return **v;
  }
  Expected<int64_t> intOr(StringRef key, int64_t dflt) const {
    auto v = optInt(key);
    if (!v)
      return v.takeError();
    return v->value_or(dflt);
  }
  Expected<int64_t> positive(StringRef key) const {
    auto v = reqInt(key);
    if (!v)
      return v.takeError();
    if (*v <= 0)
      return err(key, formatv("must be positive, got {0}", *v));
    return *v;
  }
  Expected<std::optional<double>> optNum(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return std::optional<double>();
    if (std::optional<double> d = v->getAsNumber())
      return std::optional<double>(*d);
    return err(key, "expected a number, got " + describe(*v));
  }
  Expected<double> numOr(StringRef key, double dflt) const {
    auto v = optNum(key);
    if (!v)
      return v.takeError();
    return v->value_or(dflt);
  }
  Expected<bool> boolOr(StringRef key, bool dflt) const {
    const json::Value *v = get(key);
    if (!v)
      return dflt;
    if (std::optional<bool> b = v->getAsBoolean())
      return *b;
    return err(key, "expected a boolean, got " + describe(*v));
  }
  Expected<std::optional<std::string>> optStr(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return std::optional<std::string>();
    if (std::optional<StringRef> s = v->getAsString())
      return std::optional<std::string>(s->str());
    return err(key, "expected a string, got " + describe(*v));
  }
  /// nullptr if absent/null; error if not an object.
  Expected<const json::Object *> optObj(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return nullptr;
    if (const json::Object *o = v->getAsObject())
      return o;
    return err(key, "expected an object, got " + describe(*v));
  }
  /// An int or a list of ints (eos_token_id).
  Error intList(StringRef key, std::vector<int64_t> &out) const {
    const json::Value *v = get(key);
    if (!v)
      return Error::success();
    auto addOne = [&](const json::Value &e) -> Error {
      std::optional<int64_t> i = e.getAsInteger();
      if (!i)
        return err(key, "expected an integer or a list of integers, got " +
                            describe(e));
      if (*i < 0)
        return err(key, formatv("token id must be >= 0, got {0}", *i));
      if (!is_contained(out, *i))
        out.push_back(*i);
      return Error::success();
    };
    if (const json::Array *a = v->getAsArray()) {
      for (const json::Value &e : *a)
        if (Error e2 = addOne(e))
          return e2;
      return Error::success();
    }
    return addOne(*v);
  }

  static std::string describe(const json::Value &v) {
    if (v.kind() == json::Value::Number || v.kind() == json::Value::String ||
        v.kind() == json::Value::Boolean) {
      std::string s;
      raw_string_ostream os(s);
      os << v;
      return kindName(v).str() + " (" + os.str() + ")";
    }
    return kindName(v).str();
  }

  const std::string file;
  const json::Object &obj;
  const std::string prefix;
};

// Propagate an Expected into a local or return its error.
#define ASSIGN_OR_RETURN(lhs, expr)                                            \
  do {                                                                         \
    auto _v = (expr);                                                          \
    if (!_v)                                                                   \
      return _v.takeError();                                                   \
    lhs = std::move(*_v);                                                      \
  } while (0)

struct PerLayerOverride {
  std::optional<int64_t> headDim;
  std::optional<int64_t> numKvHeads;
};

struct RopeSpec {
  std::string type;
  double theta;
  double factor;
};

Expected<RopeSpec> parseRope(const Fields &f, const json::Object *params,
                             StringRef typeKey, RopeSpec dflt) {
  if (!params)
    return dflt;
  Fields rp(f.file, *params, f.path("rope_parameters") + ".");
  const json::Object *o = nullptr;
  ASSIGN_OR_RETURN(o, rp.optObj(typeKey));
  if (!o)
    return dflt;
  Fields r(f.file, *o, rp.path(typeKey) + ".");
  RopeSpec spec = dflt;
  std::optional<std::string> type;
  ASSIGN_OR_RETURN(type, r.optStr("rope_type"));
  if (type)
    spec.type = *type;
  if (spec.type != "default" && spec.type != "proportional")
    return r.err("rope_type",
                 "unsupported rope_type '" + spec.type +
                     "' (gemmac supports 'default' and 'proportional')");
  ASSIGN_OR_RETURN(spec.theta, r.numOr("rope_theta", dflt.theta));
  if (!(spec.theta > 0) || !std::isfinite(spec.theta))
    return r.err("rope_theta", formatv("must be positive, got {0}", spec.theta));
  // An explicit entry without partial_rotary_factor rotates everything
  // (HF reads it with a default of 1.0); only a missing entry gets 0.25.
  ASSIGN_OR_RETURN(spec.factor, r.numOr("partial_rotary_factor", 1.0));
  if (!(spec.factor > 0) || spec.factor > 1)
    return r.err("partial_rotary_factor",
                 formatv("must be in (0, 1], got {0}", spec.factor));
  double fv = 0;
  if (std::optional<double> d = o->getNumber("factor"))
    fv = *d;
  if (fv != 0 && fv != 1.0)
    return r.err("factor", formatv("RoPE scaling factor {0} is not supported "
                                   "(Gemma 4 has no RoPE scaling)",
                                   fv));
  return spec;
}

} // namespace

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

  // Layer types.
  const int64_t L = cfg.numLayers;
  std::vector<bool> sliding(L);
  if (const json::Value *lt = f.get("layer_types")) {
    const json::Array *a = lt->getAsArray();
    if (!a)
      return f.err("layer_types",
                   "expected an array of strings, got " + Fields::describe(*lt));
    if ((int64_t)a->size() != L)
      return f.err("layer_types",
                   formatv("has {0} entries but num_hidden_layers is {1}",
                           a->size(), L));
    for (int64_t l = 0; l < L; ++l) {
      std::optional<StringRef> s = (*a)[l].getAsString();
      std::string key = formatv("layer_types[{0}]", l).str();
      if (!s)
        return f.err(key, "expected a string, got " + Fields::describe((*a)[l]));
      if (*s == "sliding_attention")
        sliding[l] = true;
      else if (*s == "full_attention")
        sliding[l] = false;
      else
        return f.err(key, "unknown layer type '" + s->str() +
                              "' (expected 'sliding_attention' or "
                              "'full_attention')");
    }
  } else {
    for (int64_t l = 0; l < L; ++l)
      sliding[l] = (l + 1) % 6 != 0;
  }
  // HF forces the last layer to full attention.
  sliding[L - 1] = false;

  // Per-layer overrides (transformers-5 format).
  std::map<int64_t, PerLayerOverride> overrides;
  const json::Object *plc = nullptr;
  ASSIGN_OR_RETURN(plc, f.optObj("per_layer_config"));
  if (plc) {
    for (const auto &kv : *plc) {
      StringRef key = kv.first;
      std::string fieldPath = ("per_layer_config." + key).str();
      int64_t idx;
      if (key.getAsInteger(10, idx) || idx < 0 || idx >= L)
        return f.err(fieldPath,
                     formatv("key must be a layer index in [0, {0})", L));
      const json::Object *o = kv.second.getAsObject();
      if (!o)
        return f.err(fieldPath,
                     "expected an object, got " + Fields::describe(kv.second));
      Fields pf(path, *o, f.path(fieldPath) + ".");
      PerLayerOverride ov;
      ASSIGN_OR_RETURN(ov.headDim, pf.optInt("head_dim"));
      if (ov.headDim && (*ov.headDim <= 0 || *ov.headDim % 2))
        return pf.err("head_dim",
                      formatv("must be positive and even, got {0}", *ov.headDim));
      ASSIGN_OR_RETURN(ov.numKvHeads, pf.optInt("num_key_value_heads"));
      if (ov.numKvHeads && *ov.numKvHeads <= 0)
        return pf.err("num_key_value_heads",
                      formatv("must be positive, got {0}", *ov.numKvHeads));
      overrides[idx] = ov;
    }
  }

  // Full-layer head dim and KV heads (hub format top-level fields).
  int64_t globalHeadDim;
  {
    const json::Value *v = f.obj.get("global_head_dim");
    std::optional<int64_t> g;
    ASSIGN_OR_RETURN(g, f.optInt("global_head_dim"));
    if (g && *g < 0)
      return f.err("global_head_dim", formatv("must be >= 0, got {0}", *g));
    if (g && *g % 2)
      return f.err("global_head_dim", formatv("must be even, got {0}", *g));
    if (!v && !plc)
      globalHeadDim = 512; // hub-format class default
    else
      globalHeadDim = (g && *g > 0) ? *g : headDim;
  }
  std::optional<int64_t> globalKv;
  ASSIGN_OR_RETURN(globalKv, f.optInt("num_global_key_value_heads"));
  if (globalKv && *globalKv <= 0)
    return f.err("num_global_key_value_heads",
                 formatv("must be positive, got {0}", *globalKv));

  // RoPE.
  const json::Object *ropeParams = nullptr;
  ASSIGN_OR_RETURN(ropeParams, f.optObj("rope_parameters"));
  RopeSpec slidingRope, fullRope;
  ASSIGN_OR_RETURN(slidingRope, parseRope(f, ropeParams, "sliding_attention",
                                          {"default", 10000.0, 1.0}));
  ASSIGN_OR_RETURN(fullRope, parseRope(f, ropeParams, "full_attention",
                                       {"proportional", 1000000.0, 0.25}));

  // Resolve each layer.
  const int64_t firstShared = L - cfg.numKvSharedLayers;
  cfg.layers.resize(L);
  for (int64_t l = 0; l < L; ++l) {
    LayerGeometry &g = cfg.layers[l];
    g.sliding = sliding[l];
    auto it = overrides.find(l);
    const PerLayerOverride *ov = it == overrides.end() ? nullptr : &it->second;
    std::string ovPath = formatv("per_layer_config.{0}", l).str();

    g.headDim = g.sliding ? headDim : globalHeadDim;
    if (ov && ov->headDim)
      g.headDim = *ov->headDim;

    g.kEqV = kEqV && !g.sliding;
    if (ov && ov->numKvHeads) {
      g.numKvHeads = *ov->numKvHeads;
    } else if (g.kEqV) {
      if (!globalKv)
        return f.err("num_global_key_value_heads",
                     formatv("missing or null, but full-attention layer {0} of "
                             "an attention_k_eq_v model needs it",
                             l));
      g.numKvHeads = *globalKv;
    } else {
      g.numKvHeads = numKv;
    }
    if (cfg.numHeads % g.numKvHeads != 0) {
      std::string key = ov && ov->numKvHeads
                            ? ovPath + ".num_key_value_heads"
                            : (g.kEqV ? "num_global_key_value_heads"
                                      : "num_key_value_heads");
      return f.err(key, formatv("num_attention_heads ({0}) is not divisible by "
                                "{1} KV heads (layer {2})",
                                cfg.numHeads, g.numKvHeads, l));
    }

    g.intermediateSize = inter;
    if (l >= firstShared && cfg.doubleWideMlp)
      g.intermediateSize = 2 * inter;

    const RopeSpec &rs = g.sliding ? slidingRope : fullRope;
    g.ropeTheta = rs.theta;
    if (rs.type == "default")
      g.ropePairs = g.headDim / 2;
    else
      g.ropePairs = (int64_t)std::floor(rs.factor * (double)g.headDim / 2.0);
    if (g.ropePairs <= 0 || g.ropePairs > g.headDim / 2)
      return f.err(std::string("rope_parameters.") +
                       (g.sliding ? "sliding_attention" : "full_attention"),
                   formatv("gives {0} rotated pairs for head_dim {1} (layer {2})",
                           g.ropePairs, g.headDim, l));

    if (l >= firstShared) {
      int64_t src = -1;
      for (int64_t k = firstShared - 1; k >= 0; --k)
        if (sliding[k] == g.sliding) {
          src = k;
          break;
        }
      if (src < 0)
        return f.err("num_kv_shared_layers",
                     formatv("layer {0} ({1}) shares its KV cache, but no "
                             "earlier non-shared {1} layer exists",
                             l, g.sliding ? "sliding_attention"
                                          : "full_attention"));
      const LayerGeometry &s = cfg.layers[src];
      if (s.headDim != g.headDim || s.numKvHeads != g.numKvHeads ||
          s.kEqV != g.kEqV)
        return f.err("num_kv_shared_layers",
                     formatv("layer {0} reads the KV cache of layer {1}, but "
                             "their geometries differ (head_dim {2} vs {3}, "
                             "KV heads {4} vs {5})",
                             l, src, g.headDim, s.headDim, g.numKvHeads,
                             s.numKvHeads));
      g.kvSourceLayer = src;
    }
  }
  return cfg;
}

} // namespace gemma
