//===- main.cpp - gemma-run entry point ----------------------------------===//
//
// The order of checks before any generated code runs: flags, the generated
// model's ABI version, the CPU, the prompt against vocab/context, the
// weights pack, the output files. Then generation or the benchmark. Any
// failure ends as one "gemma-run: error: ..." line and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "runtime/bench.h"
#include "runtime/cli.h"
#include "runtime/cpu_features.h"
#include "runtime/driver.h"
#include "runtime/profile.h"
#include "runtime/safetensors_writer.h"
#include "runtime/sampler.h"
#include "runtime/weights_pack.h"

#include <cstdio>
#include <cstdlib>
#include <omp.h>

using namespace gemma_rt;

namespace {

Status validatePrompt(const Options &opts, const ModelInfo &m) {
  if (opts.ids.empty())
    return Status::error("--ids: the prompt needs at least one token id");
  for (size_t i = 0; i < opts.ids.size(); ++i)
    if (opts.ids[i] >= m.vocab)
      return Status::error(format(
          "--ids: token id %lld at index %zu is out of range (vocab size %lld)",
          static_cast<long long>(opts.ids[i]), i,
          static_cast<long long>(m.vocab)));
  const int64_t n = static_cast<int64_t>(opts.ids.size());
  if (opts.nPredict > m.context || n > m.context - opts.nPredict)
    return Status::error(format(
        "prompt of %lld tokens + %lld to generate exceeds the context of %lld "
        "tokens (recompile with gemmac --ctx)",
        static_cast<long long>(n), static_cast<long long>(opts.nPredict),
        static_cast<long long>(m.context)));
  return Status::ok();
}

int setupThreads(const Options &opts) {
  if (opts.threads > 0)
    omp_set_num_threads(opts.threads);
  else if (!std::getenv("OMP_NUM_THREADS"))
    omp_set_num_threads(omp_get_num_procs());
  return omp_get_max_threads();
}

std::string joinIds(const std::vector<int32_t> &ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i)
      s += ',';
    s += std::to_string(ids[i]);
  }
  return s;
}

Status run(int argc, char **argv) {
  Options opts;
  GEMMA_RT_TRY(parseArgs(argc, argv, opts));
  if (opts.help) {
    printUsage(stdout);
    return Status::ok();
  }

  const ModelInfo m = ModelInfo::fromGenerated();
  GEMMA_RT_TRY(m.validate());
  GEMMA_RT_TRY(checkCpuFeatures(static_cast<uint64_t>(m.cpuFeatures)));
  if (opts.bench)
    GEMMA_RT_TRY(validateBench(opts, m));
  else
    GEMMA_RT_TRY(validatePrompt(opts, m));

  const int threads = setupThreads(opts);

  WeightsPack pack;
  GEMMA_RT_TRY(pack.open(opts.weights.empty() ? defaultWeightsPath() : opts.weights,
                         static_cast<uint64_t>(m.modelHash),
                         static_cast<uint64_t>(m.weightsBytes)));

  const bool wantRows = !opts.logitsOut.empty();
  Engine engine;
  GEMMA_RT_TRY(engine.init(m, pack, wantRows ? m.maxChunk : 1));
  engine.capChunk(opts.ubatch);

  if (opts.bench)
    return runBench(engine, pack, opts, threads);

  // Outputs are created (as FILE.tmp) before compute so a bad path fails fast.
  const int64_t n = static_cast<int64_t>(opts.ids.size());
  SafetensorsWriter logits;
  if (wantRows)
    GEMMA_RT_TRY(logits.open(opts.logitsOut, "--logits-out", "logits",
                             opts.nPredict > 0 ? n + opts.nPredict - 1 : n,
                             m.vocab));
  AtomicFile idsFile;
  if (!opts.idsOut.empty())
    GEMMA_RT_TRY(idsFile.open(opts.idsOut, "--ids-out"));

  std::vector<int32_t> prompt(opts.ids.begin(), opts.ids.end());
  std::unique_ptr<Sampler> sampler = makeSampler(opts);
  GenerationResult result;
  GEMMA_RT_TRY(generate(engine, *sampler, prompt, opts.nPredict,
                        wantRows ? &logits : nullptr, result));

  const std::string line = joinIds(result.generated) + "\n";
  if (idsFile.isOpen())
    GEMMA_RT_TRY(idsFile.write(line));
  if (wantRows)
    GEMMA_RT_TRY(logits.commit());
  if (idsFile.isOpen())
    GEMMA_RT_TRY(idsFile.commit());

  if (!opts.quiet) {
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
    auto rate = [](int64_t tokens, double s) {
      return s > 0 ? static_cast<double>(tokens) / s : 0.0;
    };
    std::fprintf(stderr,
                 "gemma-run: prompt eval: %lld tokens, %.2f t/s (%.2f ms); "
                 "eval: %lld tokens, %.2f t/s (%.2f ms); threads: %d\n",
                 static_cast<long long>(result.promptTokens),
                 rate(result.promptTokens, result.promptSeconds),
                 result.promptSeconds * 1e3,
                 static_cast<long long>(result.evalRuns),
                 rate(result.evalRuns, result.evalSeconds),
                 result.evalSeconds * 1e3, threads);
  }
  if (opts.profile) {
    if (!profileHasData())
      return Status::error("--profile: this model was compiled without gemmac --profile");
    profilePrint(stderr, "per-op time over prompt and generation (ms per processed token)",
                 static_cast<double>(result.promptTokens + result.evalRuns));
  }
  return Status::ok();
}

} // namespace

int main(int argc, char **argv) {
  Status st = run(argc, argv);
  if (!st.isOk()) {
    std::fflush(stdout);
    std::fprintf(stderr, "gemma-run: error: %s\n", st.message().c_str());
    return 1;
  }
  return 0;
}
