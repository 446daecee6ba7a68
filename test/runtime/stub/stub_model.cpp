//===- stub_model.cpp - a fake "generated object" for runtime tests ------===//
//
// Stands in for gemmac's generated code so the runtime (chunking, positions,
// KV cache reuse, logits rows, pack checks) is tested without a real model.
// Model: vocab 64, context 32, max chunk 4, 64 bytes of weights whose byte i
// must equal i. forward() stores id+1 at kv[pos] (int32) and the logits row
// of position p is
//     logit[v] = 8 - 0.125 * ((v - peak(p)) mod 64),
//     peak(p)  = (sum of the ids at positions 0..p + p) mod 64,
// read back from the cache, so a wrong position, a skipped or repeated chunk
// or a cache reset changes the ids. Any ABI contract violation aborts.
// STUB_CPU_FEATURES / STUB_ABI_VERSION build variants that test the checks.
//
//===----------------------------------------------------------------------===//
#include "runtime/gemma_abi.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef STUB_CPU_FEATURES
#define STUB_CPU_FEATURES 0
#endif
#ifndef STUB_ABI_VERSION
#define STUB_ABI_VERSION GEMMA_ABI_VERSION
#endif

namespace {
constexpr int64_t kVocab = 64, kContext = 32, kMaxChunk = 4;
constexpr int64_t kKvBytes = kContext * 4, kScratchBytes = 256;
constexpr int64_t kWeightsBytes = 64;
constexpr int64_t kModelHash = 0x5eed0fa11c0ffee5LL;

[[noreturn]] void violation(const char *what, long long a = 0, long long b = 0) {
  std::fprintf(stderr, "stub: ABI contract violation: %s (%lld, %lld)\n", what,
               a, b);
  std::abort();
}

bool aligned64(const void *p) {
  return (reinterpret_cast<uintptr_t>(p) & 63) == 0;
}

void check1d(const gemma_memref1d *m, int64_t size, const char *what) {
  if (!m || !m->aligned || m->allocated != m->aligned || m->offset != 0 ||
      m->strides[0] != 1)
    violation(what);
  if (size >= 0 && m->sizes[0] != size)
    violation(what, m->sizes[0], size);
}
} // namespace

extern "C" const int64_t gemma_model_info[32] = {
    /*ABI_VERSION*/ STUB_ABI_VERSION,
    /*MODEL_HASH*/ kModelHash,
    /*VOCAB*/ kVocab,
    /*CONTEXT*/ kContext,
    /*MAX_CHUNK*/ kMaxChunk,
    /*KV_BYTES*/ kKvBytes,
    /*SCRATCH_BYTES*/ kScratchBytes,
    /*WEIGHTS_BYTES*/ kWeightsBytes,
    /*CPU_FEATURES*/ STUB_CPU_FEATURES,
    /*BOS*/ 2,
    /*EOS*/ 1,
    /*NUM_LAYERS*/ 1,
    /*HIDDEN*/ 8,
    /*DECODE_BYTES*/ kWeightsBytes,
};

extern "C" void _mlir_ciface_gemma_forward(gemma_memref1d *weights,
                                           gemma_memref1d *kv,
                                           gemma_memref1d *scratch,
                                           gemma_memref1d *ids, int64_t pos0,
                                           gemma_memref2d *logits,
                                           int64_t /*flags*/) {
  check1d(weights, kWeightsBytes, "weights memref");
  check1d(kv, kKvBytes, "kv memref");
  check1d(scratch, kScratchBytes, "scratch memref");
  check1d(ids, -1, "ids memref");
  if (!aligned64(weights->aligned) || !aligned64(kv->aligned) ||
      !aligned64(scratch->aligned))
    violation("arena not 64-byte aligned");
  const uint8_t *w = static_cast<const uint8_t *>(weights->aligned);
  for (int i = 0; i < kWeightsBytes; ++i)
    if (w[i] != i)
      violation("weights data section (byte i must be i)", i, w[i]);

  const int64_t t = ids->sizes[0];
  if (t < 1 || t > kMaxChunk)
    violation("T out of [1, max chunk]", t, kMaxChunk);
  if (pos0 < 0 || pos0 + t > kContext)
    violation("pos0 + T exceeds the context", pos0, t);
  const int64_t rows = logits->sizes[0];
  if (!logits->aligned || logits->allocated != logits->aligned ||
      logits->offset != 0 || (rows != t && rows != 1) ||
      logits->sizes[1] != kVocab || logits->strides[0] != kVocab ||
      logits->strides[1] != 1)
    violation("logits memref", rows, t);

  int32_t *cache = static_cast<int32_t *>(kv->aligned);
  for (int64_t q = 0; q < pos0; ++q)
    if (cache[q] == 0)
      violation("position below pos0 never filled", q, pos0);
  const int32_t *tok = static_cast<const int32_t *>(ids->aligned);
  for (int64_t i = 0; i < t; ++i) {
    if (tok[i] < 0 || tok[i] >= kVocab)
      violation("token id out of range", i, tok[i]);
    cache[pos0 + i] = tok[i] + 1;
  }
  std::memset(scratch->aligned, 0xAB, kScratchBytes); // clobber like real code

  float *out = static_cast<float *>(logits->aligned);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = pos0 + (rows == 1 ? t - 1 : r);
    int64_t sum = p;
    for (int64_t q = 0; q <= p; ++q)
      sum += cache[q] - 1;
    const int64_t peak = sum % kVocab;
    for (int64_t v = 0; v < kVocab; ++v)
      out[r * kVocab + v] =
          8.0f - 0.125f * static_cast<float>((v - peak + kVocab) % kVocab);
  }
}
