//===- driver.cpp - arenas, memref descriptors and the generation loop ---===//
//
// See driver.h. Arenas come from anonymous mmap: zero-filled, page (hence
// 64-byte) aligned, and lazily backed, so a large KV cache costs only what
// the prompt touches.
//
//===----------------------------------------------------------------------===//
#include "runtime/driver.h"

#include "runtime/gemma_abi.h"
#include "runtime/safetensors_writer.h"
#include "runtime/sampler.h"
#include "runtime/weights_pack.h"

#include <algorithm>
#include <cerrno>
#include <sys/mman.h>
#include <time.h>

namespace gemma_rt {

namespace {

/// Logits rows per call are capped so the buffer stays below this.
constexpr uint64_t kLogitsBufferCap = 256ull << 20;

Status mapArena(uint64_t bytes, const char *what, uint8_t *&ptr, size_t &mapped) {
  mapped = static_cast<size_t>(std::max<uint64_t>(bytes, 64));
  void *m = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    mapped = 0;
    return Status::error(format("cannot allocate the %s (%llu bytes): %s", what,
                                static_cast<unsigned long long>(bytes),
                                osError(errno).c_str()));
  }
  ptr = static_cast<uint8_t *>(m);
  return Status::ok();
}

gemma_memref1d memref1d(const void *p, int64_t n) {
  gemma_memref1d d;
  d.allocated = const_cast<void *>(p);
  d.aligned = const_cast<void *>(p);
  d.offset = 0;
  d.sizes[0] = n;
  d.strides[0] = 1;
  return d;
}

} // namespace

double nowSeconds() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

ModelInfo ModelInfo::fromGenerated() {
  const int64_t *g = gemma_model_info;
  ModelInfo m;
  m.abiVersion = g[GEMMA_INFO_ABI_VERSION];
  m.modelHash = g[GEMMA_INFO_MODEL_HASH];
  m.vocab = g[GEMMA_INFO_VOCAB];
  m.context = g[GEMMA_INFO_CONTEXT];
  m.maxChunk = g[GEMMA_INFO_MAX_CHUNK];
  m.kvBytes = g[GEMMA_INFO_KV_BYTES];
  m.scratchBytes = g[GEMMA_INFO_SCRATCH_BYTES];
  m.weightsBytes = g[GEMMA_INFO_WEIGHTS_BYTES];
  m.cpuFeatures = g[GEMMA_INFO_CPU_FEATURES];
  m.bos = g[GEMMA_INFO_BOS];
  m.eos = g[GEMMA_INFO_EOS];
  m.numLayers = g[GEMMA_INFO_NUM_LAYERS];
  m.hidden = g[GEMMA_INFO_HIDDEN];
  return m;
}

Status ModelInfo::validate() const {
  if (abiVersion != GEMMA_ABI_VERSION)
    return Status::error(format(
        "the compiled model uses runtime ABI version %lld but this gemma-run "
        "runtime implements version %d (rebuild with matching gemmac and "
        "runtime)",
        static_cast<long long>(abiVersion), GEMMA_ABI_VERSION));
  if (vocab <= 0 || vocab > INT32_MAX || context <= 0 || maxChunk <= 0 ||
      kvBytes < 0 || scratchBytes < 0 || weightsBytes < 0)
    return Status::error(format(
        "the compiled model info is inconsistent (vocab %lld, context %lld, "
        "max chunk %lld, kv %lld, scratch %lld, weights %lld bytes)",
        static_cast<long long>(vocab), static_cast<long long>(context),
        static_cast<long long>(maxChunk), static_cast<long long>(kvBytes),
        static_cast<long long>(scratchBytes),
        static_cast<long long>(weightsBytes)));
  return Status::ok();
}

Engine::~Engine() {
  if (kv)
    ::munmap(kv, kvMapped);
  if (scratch)
    ::munmap(scratch, scratchMapped);
  if (logits)
    ::munmap(logits, logitsMapped);
}

Status Engine::init(const ModelInfo &m, const WeightsPack &pack, int64_t maxRows) {
  info = m;
  weights = pack.data();
  weightsBytes = pack.dataSize();
  uint64_t rowBytes = static_cast<uint64_t>(m.vocab) * sizeof(float);
  rowsCapacity = std::max<int64_t>(
      1, std::min<int64_t>({maxRows, m.maxChunk,
                            static_cast<int64_t>(kLogitsBufferCap / rowBytes)}));
  GEMMA_RT_TRY(mapArena(static_cast<uint64_t>(m.kvBytes), "KV cache", kv, kvMapped));
  GEMMA_RT_TRY(mapArena(static_cast<uint64_t>(m.scratchBytes), "scratch arena",
                        scratch, scratchMapped));
  uint8_t *l = nullptr;
  GEMMA_RT_TRY(mapArena(rowBytes * static_cast<uint64_t>(rowsCapacity),
                        "logits buffer", l, logitsMapped));
  logits = reinterpret_cast<float *>(l);
  return Status::ok();
}

void Engine::forward(const int32_t *ids, int64_t count, int64_t pos0,
                     bool allRows, int64_t flags) {
  gemma_memref1d w = memref1d(weights, static_cast<int64_t>(weightsBytes));
  gemma_memref1d k = memref1d(kv, info.kvBytes);
  gemma_memref1d s = memref1d(scratch, info.scratchBytes);
  gemma_memref1d t = memref1d(ids, count);
  gemma_memref2d l;
  l.allocated = logits;
  l.aligned = logits;
  l.offset = 0;
  l.sizes[0] = allRows ? count : 1;
  l.sizes[1] = info.vocab;
  l.strides[0] = info.vocab;
  l.strides[1] = 1;
  _mlir_ciface_gemma_forward(&w, &k, &s, &t, pos0, &l, flags);
}

Status generate(Engine &engine, Sampler &sampler, int64_t &pos,
                const std::vector<int32_t> &prompt, const GenerateOptions &options,
                GenerationResult &result) {
  const ModelInfo &m = engine.model();
  LogitsSink *sink = options.sink;
  const bool allRows = sink != nullptr;
  // Greedy sampling with no logits output only needs each row's argmax,
  // which the monotone soft-cap does not change: let the code skip it.
  const int64_t flags = !sink && sampler.onlyArgmax() ? GEMMA_FORWARD_ARGMAX_ONLY : 0;
  const int64_t chunk = allRows ? engine.maxRowsChunk() : m.maxChunk;
  const int64_t n = static_cast<int64_t>(prompt.size());
  result = GenerationResult();
  if (n == 0)
    return Status::error("nothing to prefill (empty prompt)");
  if (pos < 0 || pos > m.context || n > m.context - pos)
    return Status::error(format(
        "%lld prompt tokens at position %lld exceed the context of %lld tokens",
        static_cast<long long>(n), static_cast<long long>(pos),
        static_cast<long long>(m.context)));
  for (size_t i = 0; i < prompt.size(); ++i)
    if (prompt[i] < 0 || prompt[i] >= m.vocab)
      return Status::error(format(
          "token id %d at index %zu is out of range (vocab size %lld)", prompt[i],
          i, static_cast<long long>(m.vocab)));

  // Prefill. The driver is the one place that enforces the call contract.
  const int64_t end = pos + n;
  int64_t lastRow = 0;
  double t0 = nowSeconds();
  for (int64_t done = 0; done < n;) {
    int64_t count = std::min(chunk, n - done);
    engine.forward(prompt.data() + done, count, pos, allRows, flags);
    lastRow = allRows ? count - 1 : 0;
    pos += count;
    done += count;
    if (sink) {
      double w0 = nowSeconds();
      GEMMA_RT_TRY(sink->writeRows(engine.row(0), count));
      t0 += nowSeconds() - w0; // file I/O is not model time
    }
  }
  for (int32_t id : prompt)
    sampler.accept(id);
  // At most as many tokens as leave the last one a free position.
  int64_t limit = m.context - end;
  if (options.nPredict >= 0 && options.nPredict < limit)
    limit = options.nPredict;
  const float *last = engine.row(lastRow);
  int32_t next = limit > 0 ? sampler.sample(last, m.vocab) : 0;
  result.promptSeconds = nowSeconds() - t0;
  result.promptTokens = n;

  // Decode: each generated token but the last is fed back one at a time.
  t0 = nowSeconds();
  double ioSeconds = 0;
  for (int64_t i = 0; i < limit; ++i) {
    if (std::find(options.stopIds.begin(), options.stopIds.end(), next) !=
        options.stopIds.end()) {
      result.stopId = next;
      break;
    }
    result.generated.push_back(next);
    sampler.accept(next);
    if (options.onToken) {
      double w0 = nowSeconds();
      bool more = options.onToken(next);
      ioSeconds += nowSeconds() - w0;
      if (!more) {
        result.stoppedByCallback = true;
        result.unfed = next;
        break;
      }
    }
    if (i + 1 == limit) {
      result.unfed = next;
      break;
    }
    engine.forward(&next, 1, pos, allRows, flags);
    ++pos;
    ++result.evalRuns;
    if (sink) {
      double w0 = nowSeconds();
      GEMMA_RT_TRY(sink->writeRows(engine.row(0), 1));
      ioSeconds += nowSeconds() - w0;
    }
    next = sampler.sample(engine.row(0), m.vocab);
  }
  result.evalSeconds = nowSeconds() - t0 - ioSeconds;
  return Status::ok();
}

Status generate(Engine &engine, Sampler &sampler,
                const std::vector<int32_t> &prompt, int64_t nPredict,
                LogitsSink *sink, GenerationResult &result) {
  int64_t pos = 0;
  GenerateOptions options;
  options.nPredict = nPredict;
  options.sink = sink;
  return generate(engine, sampler, pos, prompt, options, result);
}

} // namespace gemma_rt
