//===- SynthPlan.h - what gemma-synth writes --------------------*- C++ -*-===//
//
// The released Gemma 4 variants (spec 1.1), the layer plan for a reduced
// layer count, the config.json / generation_config.json trees and the tensor
// list with shapes, value ranges and shard assignment (SynthPlan.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_TOOLS_GEMMA_SYNTH_SYNTHPLAN_H
#define GEMMA_TOOLS_GEMMA_SYNTH_SYNTHPLAN_H

#include "PyJson.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gemma_synth {

//===--------------------------------------------------------------------===//
// Released variants (spec 1.1). period = layer_types period (last one full).
//===--------------------------------------------------------------------===//

struct Variant {
  const char *name;
  int64_t hidden, layers, heads, kvHeads, globalKvHeads; // globalKv 0 = null
  int64_t headDim, globalHeadDim;
  bool kEqV;
  int64_t window, period, maxPos, intermediate;
  bool doubleWide, moe;
  int64_t experts, topK, moeIntermediate, ple, kvShared;
  const char *bidirectional; // nullptr = null
};

// clang-format off
inline const Variant kVariants[] = {
//  name       H     L   nq  kv gkv  hd  ghd  k_eq_v  W    per maxpos  I      dblwide moe    E    K  MI   PLE shared bidir
  {"26b-a4b",  2816, 30, 16,  8, 2, 256, 512, true,  1024, 6, 262144,  2112, false,  true,  128, 8, 704,   0,  0, "vision"},
  {"31b",      5376, 60, 32, 16, 4, 256, 512, true,  1024, 6, 262144, 21504, false,  false,   0, 0,   0,   0,  0, "vision"},
  {"e4b",      2560, 42,  8,  2, 0, 256, 512, false,  512, 6, 131072, 10240, false,  false,   0, 0,   0, 256, 18, nullptr},
  {"e2b",      1536, 35,  8,  1, 0, 256, 512, false,  512, 5, 131072,  6144, true,   false,   0, 0,   0, 256, 20, nullptr},
};
// clang-format on
inline constexpr int64_t kVocab = 262144;

enum class DType { BF16, F16, F32 };
int dtypeSize(DType d);
const char *dtypeName(DType d);
const char *torchDType(DType d);

struct Plan {
  const Variant *v;
  int64_t L, vocab, shared;
  std::vector<bool> full; // layer_types: true = full_attention
};

/// The layer rule of gemma-synth --help for N layers.
Plan makePlan(const Variant &v, int64_t N, int64_t vocab);
Json textConfig(const Plan &p, bool hub);
Json modelConfig(const Plan &p, bool multimodal, bool hub, DType dt);
Json generationConfig();

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  float lo, hi; // values ~ U(lo, hi)
  int64_t numel = 1;
  uint64_t hash = 0, bytes = 0, offset = 0; // offset within its shard's data
  size_t shard = 0;
};

std::vector<Tensor> makeTensors(const Plan &p, const std::string &prefix);
/// Sorts ts in module order and assigns t.shard: exactly `shards` files by
/// size quantiles, or (shards 0) greedily up to maxBytes each; returns the
/// shard count.
size_t assignShards(std::vector<Tensor> &ts, int64_t shards, uint64_t maxBytes);

} // namespace gemma_synth

#endif
