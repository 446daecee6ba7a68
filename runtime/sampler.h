//===- sampler.h - picks the next token from a logits row ----------------===//
//
// The one piece of "model math" the runtime owns. Greedy only for now; a
// temperature/top-k/top-p sampler plugs in by implementing Sampler and
// being returned from makeSampler.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_SAMPLER_H
#define GEMMA_RUNTIME_SAMPLER_H

#include <cstdint>
#include <memory>

namespace gemma_rt {

struct Options;

class Sampler {
public:
  virtual ~Sampler() = default;
  /// Returns the next token id in [0, vocab) given one row of final logits.
  virtual int32_t sample(const float *logits, int64_t vocab) = 0;
};

/// argmax; the first index wins ties (NaNs never win).
class GreedySampler : public Sampler {
public:
  int32_t sample(const float *logits, int64_t vocab) override;
};

/// The sampler the command line asks for (greedy until sampling flags exist).
std::unique_ptr<Sampler> makeSampler(const Options &opts);

} // namespace gemma_rt

#endif
