//===- sampler.cpp - token selection strategies --------------------------===//
//
// Greedy argmax. Plain scalar code: it touches one row per token.
//
//===----------------------------------------------------------------------===//
#include "runtime/sampler.h"

#include "runtime/cli.h"

namespace gemma_rt {

int32_t GreedySampler::sample(const float *logits, int64_t vocab) {
  int64_t best = 0;
  float bestValue = logits[0];
  for (int64_t i = 1; i < vocab; ++i) {
    float v = logits[i];
    // `!(bestValue >= v)` would let NaN win; `v > bestValue` keeps ties and
    // NaNs from displacing the current best, except a NaN first element.
    if (v > bestValue || (bestValue != bestValue && v == v)) {
      best = i;
      bestValue = v;
    }
  }
  return static_cast<int32_t>(best);
}

std::unique_ptr<Sampler> makeSampler(const Options &) {
  return std::unique_ptr<Sampler>(new GreedySampler());
}

} // namespace gemma_rt
