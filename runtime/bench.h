//===- bench.h - llama-bench style throughput measurement ----------------===//
//
// `gemma-run --bench`: prompt processing (ppN) and text generation (tgN)
// throughput, printed as llama-bench's markdown table so numbers can be put
// side by side with llama.cpp's.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_BENCH_H
#define GEMMA_RUNTIME_BENCH_H

#include "runtime/status.h"

namespace gemma_rt {

class Engine;
struct ModelInfo;
class WeightsPack;
struct Options;

/// Checks the bench sizes against the model (before any compute).
Status validateBench(const Options &opts, const ModelInfo &m);

/// Runs the tests, prints the table to stdout and writes --bench-json.
Status runBench(Engine &engine, const WeightsPack &pack, const Options &opts,
                int threads);

} // namespace gemma_rt

#endif
