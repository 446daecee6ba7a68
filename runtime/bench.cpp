//===- bench.cpp - ppN / tgN tests and their reporting -------------------===//
//
// pp: N random valid ids prefilled from position 0 in chunks of max_chunk,
// one logits row per call (as llama-bench). tg: N single-token decode steps
// from position -d (default 0; the cache below it is not prefilled, which
// leaves the work of each step unchanged). Each test runs once unmeasured (warm-up: page in the
// weights), then `-r` measured times.
//
// In the same run, before the tests, the machine's memory bandwidth is
// measured STREAM-style with the same OpenMP threads (a read kernel and
// triad over three arrays much larger than the last-level cache, best of 5
// passes before and 5 after the tests, so a disturbance at either end, e.g.
// the page cache still writing back a freshly written pack, does not decide
// it), and each tg row is set against it: weight bytes read per
// decoded token (GEMMA_INFO_DECODE_BYTES, from gemmac) times t/s, as a
// fraction of the read and triad bandwidths. This is measurement, not model
// math. GEMMA_BENCH_BW_MIB sets each array's size (default 512; 0 skips).
//
//===----------------------------------------------------------------------===//
#include "runtime/bench.h"

#include "runtime/atomic_file.h"
#include "runtime/cli.h"
#include "runtime/driver.h"
#include "runtime/page_memory.h"
#include "runtime/gemma_abi.h"
#include "runtime/profile.h"
#include "runtime/weights_pack.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
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

/// STREAM-like bandwidth, in bytes per second (STREAM's counting: triad
/// moves 3 x 8 bytes per element, read 8 bytes per element; write-allocate
/// traffic is not counted).
struct Bandwidth {
  bool measured = false;
  double read = 0, triad = 0;
  uint64_t arrayBytes = 0;
  int passes = 0;
  int64_t hugePageBytes = -1; // of the arrays, on huge pages (-1: unknown)
};

constexpr int kBandwidthPasses = 5;
constexpr int64_t kDefaultArrayMiB = 512;

/// GEMMA_BENCH_BW_MIB: MiB per array (default 512; 0 skips the measurement).
Status bandwidthArrayMiB(int64_t &mib) {
  mib = kDefaultArrayMiB;
  const char *env = std::getenv("GEMMA_BENCH_BW_MIB");
  if (!env || !*env)
    return Status::ok();
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(env, &end, 10);
  if (errno || *end || v < 0 || v > (1 << 20))
    return Status::error(format(
        "GEMMA_BENCH_BW_MIB=%s: expected MiB per array, 0 to 1048576", env));
  mib = v;
  return Status::ok();
}

/// Volatile sink so the read kernel's result is not optimised away.
volatile uint64_t bandwidthSink;

/// The arrays sit on the same kind of pages as the weights (huge pages
/// when the pack was read into memory, else 4 KiB), so decode's fraction of
/// the bandwidth compares like with like.
Bandwidth measureBandwidth(int64_t arrayMiB, int threads, bool hugePages) {
  Bandwidth bw;
  if (arrayMiB <= 0)
    return bw;
  const size_t n = static_cast<size_t>(arrayMiB) << 17; // doubles per array
  std::unique_ptr<double[]> plain[3];
  HugePageBuffer huge[3];
  double *arrays[3];
  const int64_t hugeBefore = anonHugePageBytes();
  for (int i = 0; i < 3; ++i) {
    if (hugePages) {
      if (!huge[i].allocate(n * sizeof(double), "bandwidth array").isOk())
        return bw;
      arrays[i] = reinterpret_cast<double *>(huge[i].data());
    } else {
      plain[i].reset(new (std::nothrow) double[n]);
      if (!plain[i])
        return bw;
      arrays[i] = plain[i].get();
    }
  }
  double *pa = arrays[0], *pb = arrays[1], *pc = arrays[2];
  const long long count = static_cast<long long>(n);
  // First touch by the threads that later stream the same ranges.
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long long i = 0; i < count; ++i) {
    pa[i] = 1.0;
    pb[i] = 2.0;
    pc[i] = 0.5;
  }
  const int64_t hugeAfter = anonHugePageBytes();
  if (hugeBefore >= 0 && hugeAfter >= 0)
    bw.hugePageBytes = std::max<int64_t>(0, hugeAfter - hugeBefore);
  double bestRead = 0, bestTriad = 0;
  for (int pass = 0; pass < kBandwidthPasses; ++pass) {
    // Read: the three arrays (3 x n x 8 bytes), integer xor so the loop is
    // load-bound at baseline x86-64 (no FP reduction latency chain).
    uint64_t acc = 0;
    double t0 = nowSeconds();
#pragma omp parallel for schedule(static) reduction(^ : acc) num_threads(threads)
    for (long long i = 0; i < count; ++i) {
      uint64_t x, y, z;
      std::memcpy(&x, &pa[i], 8);
      std::memcpy(&y, &pb[i], 8);
      std::memcpy(&z, &pc[i], 8);
      acc ^= x ^ y ^ z;
    }
    double dt = nowSeconds() - t0;
    bandwidthSink = acc;
    if (dt > 0)
      bestRead = std::max(bestRead, 3.0 * 8.0 * static_cast<double>(n) / dt);
    // Triad: a = b + s c.
    const double scalar = 3.0;
    t0 = nowSeconds();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long long i = 0; i < count; ++i)
      pa[i] = pb[i] + scalar * pc[i];
    dt = nowSeconds() - t0;
    if (dt > 0)
      bestTriad = std::max(bestTriad, 3.0 * 8.0 * static_cast<double>(n) / dt);
  }
  bandwidthSink = static_cast<uint64_t>(pa[n / 2]);
  bw.measured = true;
  bw.read = bestRead;
  bw.triad = bestTriad;
  bw.arrayBytes = static_cast<uint64_t>(n) * 8;
  bw.passes = kBandwidthPasses;
  return bw;
}

/// How memory of `total` bytes is paged, for the report.
std::string pageKind(bool hugePages, int64_t hugeBytes, uint64_t total) {
  if (!hugePages)
    return "on 4 KiB pages";
  if (hugeBytes < 0)
    return "on huge pages where the kernel gave them";
  return format("on 2 MiB pages: %.2f of %.2f GiB", static_cast<double>(hugeBytes) / (1 << 30),
                static_cast<double>(total) / (1 << 30));
}

std::string jsonNumber(double v, bool known) {
  return known ? format("%.6f", v) : std::string("null");
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
  int64_t mib = 0;
  return bandwidthArrayMiB(mib);
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
  const int64_t decodeBytes = gemma_model_info[GEMMA_INFO_DECODE_BYTES];

  // The machine's bandwidth, in this run, with the tests' threads.
  int64_t arrayMiB = 0;
  GEMMA_RT_TRY(bandwidthArrayMiB(arrayMiB));
  // Measured now, before the bandwidth arrays add their own.
  const int64_t weightsHugeBytes = pack.inMemory() ? anonHugePageBytes() : 0;
  Bandwidth bw = measureBandwidth(arrayMiB, threads, pack.inMemory());

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

  // Again after the tests; the best of both counts.
  if (bw.measured) {
    const Bandwidth after = measureBandwidth(arrayMiB, threads, pack.inMemory());
    if (after.measured) {
      bw.read = std::max(bw.read, after.read);
      bw.triad = std::max(bw.triad, after.triad);
      bw.passes += after.passes;
    }
  }

  // After the table (llama-bench's table stays as it is): the bandwidth
  // measured above and, per tg test, the weight bytes streamed per second
  // against it.
  std::printf("\n");
  if (bw.measured)
    std::printf("memory bandwidth: read %.2f GB/s, triad %.2f GB/s (STREAM-style, "
                "%d threads, 3 x %lld MiB arrays %s, best of %d passes before and "
                "after the tests)\n",
                bw.read / 1e9, bw.triad / 1e9, threads,
                static_cast<long long>(bw.arrayBytes >> 20),
                pageKind(pack.inMemory(), bw.hugePageBytes, 3 * bw.arrayBytes).c_str(),
                bw.passes);
  else
    std::printf("memory bandwidth: not measured%s\n",
                arrayMiB == 0 ? " (GEMMA_BENCH_BW_MIB=0)" : " (allocation failed)");
  std::printf("weights: %s %s\n",
              pack.inMemory() ? "read into memory" : "mapped from the file",
              pageKind(pack.inMemory(), weightsHugeBytes, pack.fileSize()).c_str());
  if (decodeBytes > 0)
    std::printf("weights read per decoded token: %.4f GB (%.2f GiB; from gemmac; "
                "KV cache reads not counted)\n",
                static_cast<double>(decodeBytes) / 1e9,
                static_cast<double>(decodeBytes) / (1ull << 30));
  else
    std::printf("weights read per decoded token: unknown (model compiled "
                "without GEMMA_INFO_DECODE_BYTES)\n");
  bool anyTg = false;
  for (const TestResult &t : results)
    anyTg |= t.nGen > 0;
  if (anyTg && decodeBytes > 0) {
    auto pct = [&](double part, double whole) {
      return bw.measured && whole > 0 ? format("%.1f %%", 100.0 * part / whole)
                                      : std::string("-");
    };
    std::printf("\n| %15s | %13s | %10s | %10s | %8s | %8s | %15s |\n", "test",
                "GB/token", "t/s", "GB/s", "of read", "of triad", "triad roof t/s");
    std::printf("| --------------: | ------------: | ---------: | ---------: | "
                "-------: | -------: | --------------: |\n");
    for (const TestResult &t : results) {
      if (t.nGen == 0)
        continue;
      const double achieved = static_cast<double>(decodeBytes) * t.mean;
      const std::string roof =
          bw.measured ? format("%.2f", bw.triad / static_cast<double>(decodeBytes))
                      : std::string("-");
      std::printf("| %15s | %13.4f | %10.2f | %10.2f | %8s | %8s | %15s |\n",
                  t.name.c_str(), static_cast<double>(decodeBytes) / 1e9, t.mean,
                  achieved / 1e9, pct(achieved, bw.read).c_str(),
                  pct(achieved, bw.triad).c_str(), roof.c_str());
    }
  }
  std::fflush(stdout);

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
    j += decodeBytes > 0
             ? format("  \"decode_bytes_per_token\": %lld,\n",
                      static_cast<long long>(decodeBytes))
             : std::string("  \"decode_bytes_per_token\": null,\n");
    j += bw.measured
             ? format("  \"memory_bandwidth\": {\"read_bytes_per_s\": %.0f, "
                      "\"triad_bytes_per_s\": %.0f, \"array_bytes\": %llu, "
                      "\"arrays\": 3, \"passes\": %d, \"threads\": %d, "
                      "\"huge_pages\": %s, \"huge_page_bytes\": %s},\n",
                      bw.read, bw.triad,
                      static_cast<unsigned long long>(bw.arrayBytes), bw.passes,
                      threads, pack.inMemory() ? "true" : "false",
                      bw.hugePageBytes < 0 ? "null"
                                           : format("%lld", static_cast<long long>(
                                                                bw.hugePageBytes))
                                                 .c_str())
             : std::string("  \"memory_bandwidth\": null,\n");
    j += format("  \"weights_memory\": {\"load\": \"%s\", \"huge_page_bytes\": %s},\n",
                pack.inMemory() ? "read" : "mmap",
                weightsHugeBytes < 0
                    ? "null"
                    : format("%lld", static_cast<long long>(weightsHugeBytes)).c_str());
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
      j += "]";
      if (t.nGen > 0) {
        // Weight bytes streamed per second and their share of the measured
        // bandwidths (null when either is unknown).
        const bool known = decodeBytes > 0;
        const double achieved = static_cast<double>(decodeBytes) * t.mean;
        j += known ? format(", \"bytes_per_token\": %lld",
                            static_cast<long long>(decodeBytes))
                   : std::string(", \"bytes_per_token\": null");
        j += ", \"achieved_bytes_per_s\": " + jsonNumber(achieved, known);
        j += ", \"read_fraction\": " +
             jsonNumber(bw.read > 0 ? achieved / bw.read : 0, known && bw.measured);
        j += ", \"triad_fraction\": " +
             jsonNumber(bw.triad > 0 ? achieved / bw.triad : 0, known && bw.measured);
      }
      j += "}";
    }
    j += results.empty() ? "]\n}\n" : "\n  ]\n}\n";
    GEMMA_RT_TRY(json.write(j));
    GEMMA_RT_TRY(json.commit());
  }
  return Status::ok();
}

} // namespace gemma_rt
