//===- ModelConfig.h - Gemma 4 text-decoder geometry ----------------------===//
//
// The resolved geometry of one Gemma 4 text decoder, read from a Hugging Face
// config.json (hub format with global_head_dim / num_global_key_value_heads,
// or transformers-5 per_layer_config; text-only or multimodal text_config).
// Everything downstream (importer, pack plan, runtime metadata) reads this
// struct, never the JSON, so that defaults and per-layer overrides are
// resolved in exactly one place (see gemma4-spec.md sections 1.2-1.4).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_MODELCONFIG_H
#define GEMMA_FRONTEND_MODELCONFIG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gemma {

/// One decoder layer, with every per-layer override already applied.
struct LayerGeometry {
  bool sliding = true;          // layer_types[l] == "sliding_attention"
  int64_t headDim = 0;          // d(l)
  int64_t numKvHeads = 0;       // n_kv(l)
  bool kEqV = false;            // full layer of an attention_k_eq_v model: V = raw K
  int64_t kvSourceLayer = -1;   // >= 0: KV-shared layer reading this layer's cache
  int64_t intermediateSize = 0; // dense MLP width (doubled on shared layers if double-wide)
  double ropeTheta = 10000.0;
  /// Number of rotated frequency pairs: d/2 for "default" RoPE,
  /// int(partial_rotary_factor * d / 2) for "proportional" (spec 2.5).
  int64_t ropePairs = 0;
};

struct ModelConfig {
  std::string configPath;  // for error messages
  std::string tensorPrefix; // "model." or "model.language_model."
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  int64_t numHeads = 0;
  int64_t slidingWindow = 0;
  int64_t maxPositions = 0;
  double rmsNormEps = 1e-6;
  double finalSoftcap = 0.0; // 0: none
  bool tieWordEmbeddings = true;
  // MoE (26B-A4B): enable_moe_block
  bool moe = false;
  int64_t numExperts = 0;
  int64_t topK = 0;
  int64_t moeIntermediateSize = 0;
  // Per-layer embeddings (E2B/E4B): hidden_size_per_layer_input (0 = none)
  int64_t pleDim = 0;
  int64_t pleVocabSize = 0;
  int64_t numKvSharedLayers = 0;
  bool doubleWideMlp = false;
  int64_t bosTokenId = 2;
  std::vector<int64_t> eosTokenIds; // from config (generation_config may add)
  int64_t padTokenId = 0;
  std::vector<LayerGeometry> layers;
};

/// Parses `path` (a config.json). Every error names the file and the field.
llvm::Expected<ModelConfig> parseModelConfig(llvm::StringRef path);

} // namespace gemma

#endif
