//===- sampler.h - picks the next token from a logits row ----------------===//
//
// The one piece of "model math" the runtime owns. One Sampler covers greedy
// decoding and stochastic sampling with the Hugging Face warper order:
//
//   repetition penalty -> temperature -> top-k -> top-p -> min-p -> draw
//
// Everything is deterministic for a given seed and platform-independent: the
// random numbers come from our own xoshiro256** generator (no std::
// distributions, whose output differs between standard libraries), ties are
// broken by the smaller id, and probabilities are computed in double.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_SAMPLER_H
#define GEMMA_RUNTIME_SAMPLER_H

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace gemma_rt {

struct SamplingParams {
  float temperature = 0.0f; // <= 0: greedy (argmax after the penalty)
  int64_t topK = 0;         // 0: off; 1 is greedy
  float topP = 1.0f;        // >= 1: off
  float minP = 0.0f;        // <= 0: off
  float repeatPenalty = 1.0f; // 1: off (llama.cpp / CTRL formula)
  int64_t repeatLastN = 64;   // penalty window; 0: off, -1: whole history
  uint64_t seed = 0;

  bool greedy() const { return temperature <= 0.0f || topK == 1; }
  /// "greedy" or "temp 1.00, top-k 64, top-p 0.95, min-p 0.00, seed 7" (plus
  /// the penalty when it is on), for the log line.
  std::string describe() const;
};

/// xoshiro256** seeded through splitmix64: the same stream on every platform.
class Rng {
public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
  uint64_t s[4];
};

class Sampler {
public:
  explicit Sampler(const SamplingParams &params = SamplingParams());

  /// Records a token of the context (prompt or generated) for the
  /// repetition penalty.
  void accept(int32_t id);
  /// Forgets the recorded context (a new, unrelated sequence).
  void resetHistory() { history.clear(); }

  /// Returns the next token id in [0, vocab) given one row of final logits.
  /// Greedy: argmax, the first index wins ties, NaNs never win.
  int32_t sample(const float *logits, int64_t vocab);

  /// The distribution sample() draws from for this row: (id, probability)
  /// pairs, most probable first (ties: smaller id first), probabilities
  /// summing to 1. Greedy gives the argmax with probability 1. For tests.
  void distribution(const float *logits, int64_t vocab,
                    std::vector<std::pair<int32_t, double>> &out) const;

  const SamplingParams &params() const { return p; }
  /// True if sample() is the plain argmax of the row (greedy, no repetition
  /// penalty): the generated code may then skip the monotone soft-cap.
  bool onlyArgmax() const {
    return p.greedy() && (p.repeatPenalty == 1.0f || p.repeatLastN == 0);
  }

private:
  /// Penalised logits of the ids in the history window, applied to `row`.
  void penalize(std::vector<float> &row) const;
  /// Fills `cand` with the kept (id, probability) pairs, sorted.
  void truncate(const float *logits, int64_t vocab,
                std::vector<std::pair<int32_t, double>> &cand) const;

  SamplingParams p;
  Rng rng;
  std::deque<int32_t> history;
  mutable std::vector<float> scratch;
  std::vector<std::pair<int32_t, double>> candidates;
};

/// argmax over `vocab` logits: the first index wins ties, NaNs never win
/// (unless every value is NaN: then 0).
int32_t argmax(const float *logits, int64_t vocab);

} // namespace gemma_rt

#endif
