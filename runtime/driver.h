//===- driver.h - schedules calls into the generated forward function ----===//
//
// Owns the arenas the generated code works in (KV cache, scratch, logits)
// and turns "prefill this prompt, then decode N tokens" into
// _mlir_ciface_gemma_forward calls: chunking, positions and memref
// descriptors. No model math here beyond the Sampler. Generation can
// continue from a position (chat turns reuse the KV cache), stop on ids and
// report each token through a callback (streaming, the C API).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_DRIVER_H
#define GEMMA_RUNTIME_DRIVER_H

#include "runtime/status.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace gemma_rt {

class LogitsSink;
class Sampler;
class WeightsPack;

/// The facts gemma_model_info exports, named.
struct ModelInfo {
  int64_t abiVersion, modelHash, vocab, context, maxChunk, kvBytes,
      scratchBytes, weightsBytes, cpuFeatures, bos, eos, numLayers, hidden;
  static ModelInfo fromGenerated();
  /// Sanity of the generated constants (positive sizes, ...).
  Status validate() const;
};

class Engine {
public:
  Engine() = default;
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;
  ~Engine();

  /// Allocates the zeroed KV arena, the scratch arena and a logits buffer
  /// for up to `maxRows` rows per call.
  Status init(const ModelInfo &info, const WeightsPack &pack, int64_t maxRows);

  /// One gemma_forward over `count` ids at positions pos0.. (count <=
  /// maxChunk). allRows: a logits row per token, else only the last one.
  /// flags: GEMMA_FORWARD_* (ARGMAX_ONLY lets the code skip the soft-cap).
  void forward(const int32_t *ids, int64_t count, int64_t pos0, bool allRows,
               int64_t flags = 0);

  /// Row `i` of the last forward's logits.
  const float *row(int64_t i) const {
    return logits + static_cast<size_t>(i) * static_cast<size_t>(info.vocab);
  }
  /// Largest chunk for calls that want every row (logits buffer bound).
  int64_t maxRowsChunk() const { return rowsCapacity; }
  const ModelInfo &model() const { return info; }
  /// Caps the tokens per forward call (-ub); 0 or larger values change nothing.
  void capChunk(int64_t n) {
    if (n > 0 && n < info.maxChunk)
      info.maxChunk = n;
    if (n > 0 && n < rowsCapacity)
      rowsCapacity = n;
  }

private:
  ModelInfo info{};
  const uint8_t *weights = nullptr;
  uint64_t weightsBytes = 0;
  uint8_t *kv = nullptr, *scratch = nullptr;
  float *logits = nullptr;
  size_t kvMapped = 0, scratchMapped = 0, logitsMapped = 0;
  int64_t rowsCapacity = 1;
};

struct GenerationResult {
  std::vector<int32_t> generated; // sampled ids, stop id excluded
  int32_t stopId = -1;            // the stop id that ended generation, or -1
  /// The last generated id when it was not fed back (the loop ended on the
  /// token limit, the context or the callback), else -1. A continuation
  /// (the next chat turn) must feed it first.
  int32_t unfed = -1;
  bool stoppedByCallback = false;
  double promptSeconds = 0, evalSeconds = 0;
  int64_t promptTokens = 0, evalRuns = 0;
};

struct GenerateOptions {
  /// Tokens to generate; < 0: until a stop id or the context is full.
  int64_t nPredict = 16;
  /// Sampling one of these ends generation (the id is neither returned nor
  /// fed). Empty: exactly nPredict tokens.
  std::vector<int32_t> stopIds;
  /// Receives every logits row (prompt rows, then one per decode step).
  LogitsSink *sink = nullptr;
  /// Called with each generated id as soon as it is sampled; returning
  /// false stops (that id stays in `generated` but is not fed).
  std::function<bool(int32_t)> onToken;
};

/// Feeds `prompt` at positions pos.. (advancing `pos`; the KV cache must
/// hold positions < pos), then samples. Every fed or generated id is
/// passed to sampler.accept. On return `pos` counts the positions in the
/// cache. Errors: pos + prompt beyond the context.
Status generate(Engine &engine, Sampler &sampler, int64_t &pos,
                const std::vector<int32_t> &prompt, const GenerateOptions &options,
                GenerationResult &result);

/// Prefills `prompt` from position 0 in chunks, then generates `nPredict`
/// tokens with `sampler` (no stop ids). When `sink` is set it receives
/// every logits row (prompt rows, then one per decode step), in order.
Status generate(Engine &engine, Sampler &sampler,
                const std::vector<int32_t> &prompt, int64_t nPredict,
                LogitsSink *sink, GenerationResult &result);

/// Seconds on a monotonic clock.
double nowSeconds();

} // namespace gemma_rt

#endif
