//===- ConfigLayers.cpp - per-layer geometry from config.json -------------===//
//
// Part of parseModelConfig: which layers slide, their head_dim / KV heads
// (hub fields or transformers-5 per_layer_config), RoPE per layer type, the
// double-wide MLP and which layers read another layer's KV cache
// (gemma4-spec.md sections 1.2-1.4).
//
//===----------------------------------------------------------------------===//
#include "frontend/ConfigFields.h"

#include <cmath>
#include <map>

namespace gemma::config {
namespace {

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

Error resolveLayers(const Fields &f, const LayerDefaults &defaults, ModelConfig &cfg) {
  const int64_t headDim = defaults.headDim, numKv = defaults.numKvHeads,
                inter = defaults.intermediateSize;
  const bool kEqV = defaults.kEqV;
  const std::string &path = f.file;
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
  return Error::success();
}

} // namespace gemma::config
