//===- bench.cpp - ppN / tgN tests and their reporting -------------------===//
//
// pp: N random valid ids prefilled from position 0 in chunks of max_chunk,
// one logits row per call (as llama-bench). tg: N single-token decode steps
// from position -d (default 0; the cache below it is not prefilled, which
// leaves the work of each step unchanged). Each test runs once unmeasured (warm-up: page in the
// weights), then `-r` measured times.
//
//===----------------------------------------------------------------------===//
#include "runtime/bench.h"

#include "runtime/atomic_file.h"
#include "runtime/cli.h"
#include "runtime/driver.h"
#include "runtime/profile.h"
#include "runtime/weights_pack.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace gemma_rt {

namespace {

struct TestResult {
  std::string name;
  int64_t nPrompt = 0, nGen = 0;
  std::vector<double> seconds;
  double mean = 0, stddev = 0;
  std::vector<double> rates; // tokens per second per repetition
};

/// xorshift64*: deterministic ids, no libc rand state.
struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
};

void runPrompt(Engine &e, const std::vector<int32_t> &ids) {
  const int64_t n = static_cast<int64_t>(ids.size());
  const int64_t chunk = e.model().maxChunk;
  for (int64_t pos = 0; pos < n; pos += chunk)
    e.forward(ids.data() + pos, std::min(chunk, n - pos), pos, false);
}

void runGen(Engine &e, const std::vector<int32_t> &ids, int64_t depth) {
  for (size_t i = 0; i < ids.size(); ++i)
    e.forward(&ids[i], 1, depth + static_cast<int64_t>(i), false);
}

void summarize(TestResult &t, int64_t tokens) {
  for (double s : t.seconds)
    t.rates.push_back(s > 0 ? static_cast<double>(tokens) / s : 0.0);
  double sum = 0;
  for (double r : t.rates)
    sum += r;
  t.mean = sum / static_cast<double>(t.rates.size());
  double sq = 0;
  for (double r : t.rates)
    sq += (r - t.mean) * (r - t.mean);
  t.stddev = t.rates.size() > 1
                 ? std::sqrt(sq / static_cast<double>(t.rates.size() - 1))
                 : 0.0;
}

std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string formatParams(int64_t params) {
  if (params < 0)
    return "-";
  double p = static_cast<double>(params);
  if (p >= 1e9)
    return format("%.2f B", p / 1e9);
  if (p >= 1e6)
    return format("%.2f M", p / 1e6);
  if (p >= 1e3)
    return format("%.2f K", p / 1e3);
  return format("%lld", static_cast<long long>(params));
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += format("\\u%04x", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

} // namespace

Status validateBench(const Options &opts, const ModelInfo &m) {
  if (opts.benchPrompt > m.context)
    return Status::error(format(
        "--bench: -p %lld exceeds the context of %lld tokens (recompile with "
        "gemmac --ctx)",
        static_cast<long long>(opts.benchPrompt),
        static_cast<long long>(m.context)));
  if (opts.benchGen > m.context - opts.benchDepth)
    return Status::error(format(
        "--bench: -d %lld + -n %lld exceeds the context of %lld tokens "
        "(recompile with gemmac --ctx)",
        static_cast<long long>(opts.benchDepth), static_cast<long long>(opts.benchGen),
        static_cast<long long>(m.context)));
  return Status::ok();
}

Status runBench(Engine &engine, const WeightsPack &pack, const Options &opts,
                int threads) {
  const ModelInfo &m = engine.model();
  AtomicFile json;
  if (!opts.benchJson.empty())
    GEMMA_RT_TRY(json.open(opts.benchJson, "--bench-json"));

  const std::string model = baseName(pack.path());
  const std::string size =
      format("%.2f GiB", static_cast<double>(pack.fileSize()) / (1ull << 30));
  const std::string params = formatParams(pack.paramCount());

  std::printf("| %-30s | %10s | %10s | %-10s | %7s | %15s | %20s |\n", "model",
              "size", "params", "backend", "threads", "test", "t/s");
  std::printf("| %s | %s | %s | %s | %s | %s | %s |\n",
              std::string(30, '-').c_str(), "---------:", "---------:",
              "----------", "------:", "--------------:",
              "-------------------:");
  std::fflush(stdout);

  Rng rng;
  auto randomIds = [&](int64_t n) {
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (int32_t &id : ids)
      id = static_cast<int32_t>(rng.next() % static_cast<uint64_t>(m.vocab));
    return ids;
  };

  std::vector<TestResult> results;
  for (int kind = 0; kind < 2; ++kind) {
    const int64_t n = kind == 0 ? opts.benchPrompt : opts.benchGen;
    if (n == 0)
      continue;
    TestResult t;
    t.name = format("%s%lld", kind == 0 ? "pp" : "tg", static_cast<long long>(n));
    if (kind == 1 && opts.benchDepth > 0)
      t.name += format(" @ d%lld", static_cast<long long>(opts.benchDepth));
    (kind == 0 ? t.nPrompt : t.nGen) = n;
    std::vector<int32_t> ids = randomIds(n);
    // Warm-up run, not measured.
    if (kind == 0)
      runPrompt(engine, ids);
    else
      runGen(engine, ids, opts.benchDepth);
    profileReset();
    for (int64_t r = 0; r < opts.benchReps; ++r) {
      double t0 = nowSeconds();
      if (kind == 0)
        runPrompt(engine, ids);
      else
        runGen(engine, ids, opts.benchDepth);
      t.seconds.push_back(nowSeconds() - t0);
    }
    if (opts.profile && profileHasData())
      profilePrint(stderr, format("per-op time, %s (stderr)", t.name.c_str()).c_str(),
                   static_cast<double>(n * opts.benchReps));
    summarize(t, n);
    std::string ts = format("%.2f ± %.2f", t.mean, t.stddev);
    // "±" is two bytes in UTF-8; pad the column by display width.
    std::printf("| %-30s | %10s | %10s | %-10s | %7d | %15s | %21s |\n",
                model.c_str(), size.c_str(), params.c_str(), "CPU", threads,
                t.name.c_str(), ts.c_str());
    std::fflush(stdout);
    results.push_back(t);
  }

  if (json.isOpen()) {
    std::string j = "{\n";
    j += "  \"model\": " + jsonString(model) + ",\n";
    j += "  \"weights\": " + jsonString(pack.path()) + ",\n";
    j += format("  \"size_bytes\": %llu,\n",
                static_cast<unsigned long long>(pack.fileSize()));
    j += pack.paramCount() < 0
             ? std::string("  \"params\": null,\n")
             : format("  \"params\": %lld,\n",
                      static_cast<long long>(pack.paramCount()));
    j += "  \"backend\": \"CPU\",\n";
    j += format("  \"threads\": %d,\n", threads);
    j += "  \"tests\": [";
    for (size_t i = 0; i < results.size(); ++i) {
      const TestResult &t = results[i];
      j += i ? ",\n" : "\n";
      j += format("    {\"test\": \"%s\", \"n_prompt\": %lld, \"n_gen\": %lld, "
                  "\"reps\": %zu, \"avg_ts\": %.6f, \"stddev_ts\": %.6f, "
                  "\"samples_ts\": [",
                  t.name.c_str(), static_cast<long long>(t.nPrompt),
                  static_cast<long long>(t.nGen), t.rates.size(), t.mean,
                  t.stddev);
      for (size_t k = 0; k < t.rates.size(); ++k)
        j += format("%s%.6f", k ? ", " : "", t.rates[k]);
      j += "], \"samples_ns\": [";
      for (size_t k = 0; k < t.seconds.size(); ++k)
        j += format("%s%lld", k ? ", " : "",
                    static_cast<long long>(std::llround(t.seconds[k] * 1e9)));
      j += "]}";
    }
    j += results.empty() ? "]\n}\n" : "\n  ]\n}\n";
    GEMMA_RT_TRY(json.write(j));
    GEMMA_RT_TRY(json.commit());
  }
  return Status::ok();
}

} // namespace gemma_rt
