//===- sampler_driver.cpp - gemma-sampler-test: the Sampler on fixed logits -===//
//
// Test driver (built only for tests): runs gemma_rt::Sampler on a logits
// vector given on the command line, so the lit tests can check truncation
// exactness and draw frequencies without a model.
//
//   gemma-sampler-test --logits 1,0.5,-2 [--temp T] [--top-k K] [--top-p P]
//       [--min-p M] [--repeat-penalty R] [--repeat-last-n N]
//       [--history ID,ID,...] [--seed S] [--draws N] [--sequence N]
//
// Prints "p ID PROB" for the distribution sample() draws from (most likely
// first), then "n ID COUNT" for each id drawn in --draws draws (ascending
// id), or "seq ID,ID,..." for the first --sequence draws.
//
//===----------------------------------------------------------------------===//
#include "runtime/sampler.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace gemma_rt;

namespace {

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr, "gemma-sampler-test: %s\n", msg);
  std::exit(2);
}

std::vector<double> numbers(const char *text) {
  std::vector<double> out;
  const char *p = text;
  while (*p) {
    char *end = nullptr;
    double v = std::strtod(p, &end);
    if (end == p)
      usage("bad number list");
    out.push_back(v);
    p = end;
    if (*p == ',')
      ++p;
    else if (*p)
      usage("bad number list");
  }
  return out;
}

} // namespace

int main(int argc, char **argv) {
  SamplingParams params;
  params.temperature = 1.0f;
  std::vector<float> logits;
  std::vector<int32_t> history;
  long draws = 0, sequence = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc)
      usage(("missing value for " + a).c_str());
    const char *v = argv[++i];
    if (a == "--logits") {
      for (double d : numbers(v))
        logits.push_back(static_cast<float>(d));
    } else if (a == "--history") {
      for (double d : numbers(v))
        history.push_back(static_cast<int32_t>(d));
    } else if (a == "--temp") {
      params.temperature = std::strtof(v, nullptr);
    } else if (a == "--top-k") {
      params.topK = std::strtoll(v, nullptr, 10);
    } else if (a == "--top-p") {
      params.topP = std::strtof(v, nullptr);
    } else if (a == "--min-p") {
      params.minP = std::strtof(v, nullptr);
    } else if (a == "--repeat-penalty") {
      params.repeatPenalty = std::strtof(v, nullptr);
    } else if (a == "--repeat-last-n") {
      params.repeatLastN = std::strtoll(v, nullptr, 10);
    } else if (a == "--seed") {
      params.seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--draws") {
      draws = std::strtol(v, nullptr, 10);
    } else if (a == "--sequence") {
      sequence = std::strtol(v, nullptr, 10);
    } else {
      usage(("unknown flag " + a).c_str());
    }
  }
  if (logits.empty())
    usage("--logits is required");
  const int64_t vocab = static_cast<int64_t>(logits.size());

  Sampler sampler(params);
  for (int32_t id : history)
    sampler.accept(id);
  std::vector<std::pair<int32_t, double>> dist;
  sampler.distribution(logits.data(), vocab, dist);
  for (const auto &d : dist)
    std::printf("p %d %.12f\n", d.first, d.second);

  // Draws keep the history fixed (accept() is not called) so every draw
  // comes from the distribution printed above.
  std::map<int32_t, long> counts;
  for (long i = 0; i < draws; ++i)
    ++counts[sampler.sample(logits.data(), vocab)];
  for (const auto &c : counts)
    std::printf("n %d %ld\n", c.first, c.second);
  if (sequence > 0) {
    std::printf("seq ");
    for (long i = 0; i < sequence; ++i)
      std::printf(i ? ",%d" : "%d", sampler.sample(logits.data(), vocab));
    std::printf("\n");
  }
  return 0;
}
