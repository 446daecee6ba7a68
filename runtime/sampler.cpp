//===- sampler.cpp - token selection strategies --------------------------===//
//
// Plain scalar code: it touches one row per generated token. Truncation
// semantics follow Hugging Face's warpers (which llama.cpp matches):
//   top-k: the k largest logits (ties: smaller id);
//   top-p: the shortest prefix of the sorted candidates whose probability
//          mass reaches p, i.e. a candidate is kept while the mass strictly
//          before it is < p (at least one is kept);
//   min-p: candidates whose probability is >= min_p * the largest one.
//
//===----------------------------------------------------------------------===//
#include "runtime/sampler.h"

#include "runtime/status.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace gemma_rt {

namespace {

uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// Candidate order: larger value first, then smaller id.
struct ByValue {
  bool operator()(const std::pair<int32_t, double> &a,
                  const std::pair<int32_t, double> &b) const {
    if (a.second != b.second)
      return a.second > b.second;
    return a.first < b.first;
  }
};

} // namespace

std::string SamplingParams::describe() const {
  if (greedy()) {
    if (repeatPenalty != 1.0f && repeatLastN != 0)
      return format("greedy, repeat-penalty %.2f (last %lld)", repeatPenalty,
                    static_cast<long long>(repeatLastN));
    return "greedy";
  }
  std::string s = format("temp %.2f, top-k %lld, top-p %.2f, min-p %.2f",
                         temperature, static_cast<long long>(topK), topP, minP);
  if (repeatPenalty != 1.0f && repeatLastN != 0)
    s += format(", repeat-penalty %.2f (last %lld)", repeatPenalty,
                static_cast<long long>(repeatLastN));
  s += format(", seed %llu", static_cast<unsigned long long>(seed));
  return s;
}

void Rng::reseed(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t &w : s)
    w = splitmix64(x);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

int32_t argmax(const float *logits, int64_t vocab) {
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

Sampler::Sampler(const SamplingParams &params) : p(params), rng(params.seed) {}

void Sampler::accept(int32_t id) {
  if (p.repeatPenalty == 1.0f || p.repeatLastN == 0)
    return;
  history.push_back(id);
  if (p.repeatLastN > 0)
    while (static_cast<int64_t>(history.size()) > p.repeatLastN)
      history.pop_front();
}

void Sampler::penalize(std::vector<float> &row) const {
  std::unordered_set<int32_t> seen;
  const int64_t vocab = static_cast<int64_t>(row.size());
  for (int32_t id : history) {
    if (id < 0 || id >= vocab || !seen.insert(id).second)
      continue;
    float &v = row[static_cast<size_t>(id)];
    v = v > 0 ? v / p.repeatPenalty : v * p.repeatPenalty;
  }
}

void Sampler::truncate(const float *logits, int64_t vocab,
                       std::vector<std::pair<int32_t, double>> &cand) const {
  const double invT = 1.0 / static_cast<double>(p.temperature);
  cand.clear();
  cand.reserve(static_cast<size_t>(vocab));
  for (int64_t i = 0; i < vocab; ++i) {
    float v = logits[i];
    if (v != v || v == -INFINITY)
      continue; // NaN and -inf can never be drawn
    cand.emplace_back(static_cast<int32_t>(i), static_cast<double>(v) * invT);
  }
  if (cand.empty()) {
    cand.emplace_back(argmax(logits, vocab), 1.0);
    return;
  }

  // Top-k, then sort what is left (largest first).
  if (p.topK > 0 && p.topK < static_cast<int64_t>(cand.size())) {
    std::nth_element(cand.begin(), cand.begin() + (p.topK - 1), cand.end(),
                     ByValue());
    cand.resize(static_cast<size_t>(p.topK));
  }
  std::sort(cand.begin(), cand.end(), ByValue());

  // Softmax over the kept candidates. +inf logits: those alone, uniformly.
  const double maxV = cand.front().second;
  if (maxV == INFINITY) {
    size_t n = 0;
    while (n < cand.size() && cand[n].second == INFINITY)
      ++n;
    cand.resize(n);
    for (auto &c : cand)
      c.second = 1.0 / static_cast<double>(n);
    return;
  }
  double sum = 0;
  for (auto &c : cand) {
    c.second = std::exp(c.second - maxV); // relative to the largest: (0, 1]
    sum += c.second;
  }

  // Top-p: keep while the mass before the candidate is < p.
  if (p.topP < 1.0f) {
    const double target = static_cast<double>(p.topP) * sum;
    double before = 0;
    size_t keep = 0;
    while (keep < cand.size() && (keep == 0 || before < target)) {
      before += cand[keep].second;
      ++keep;
    }
    cand.resize(keep);
  }
  // Min-p: p_i / p_max = weight_i (the largest weight is exactly 1).
  if (p.minP > 0.0f) {
    const double threshold = static_cast<double>(p.minP);
    size_t keep = 1;
    while (keep < cand.size() && cand[keep].second >= threshold)
      ++keep;
    cand.resize(keep);
  }

  double total = 0;
  for (auto &c : cand)
    total += c.second;
  for (auto &c : cand)
    c.second /= total;
}

void Sampler::distribution(const float *logits, int64_t vocab,
                           std::vector<std::pair<int32_t, double>> &out) const {
  const float *row = logits;
  if (p.repeatPenalty != 1.0f && !history.empty()) {
    scratch.assign(logits, logits + vocab);
    penalize(scratch);
    row = scratch.data();
  }
  out.clear();
  if (p.greedy()) {
    out.emplace_back(argmax(row, vocab), 1.0);
    return;
  }
  truncate(row, vocab, out);
}

int32_t Sampler::sample(const float *logits, int64_t vocab) {
  const float *row = logits;
  if (p.repeatPenalty != 1.0f && !history.empty()) {
    scratch.assign(logits, logits + vocab);
    penalize(scratch);
    row = scratch.data();
  }
  if (p.greedy())
    return argmax(row, vocab);
  std::vector<std::pair<int32_t, double>> &cand = candidates;
  truncate(row, vocab, cand);
  const double u = rng.uniform();
  double cum = 0;
  for (const auto &c : cand) {
    cum += c.second;
    if (u < cum)
      return c.first;
  }
  return cand.back().first; // u within rounding of 1
}

} // namespace gemma_rt
