/*===- gemma_abi.h - contract between gemmac-generated code and runtime ---===*
 *
 * The generated object (codegen/) exports exactly these symbols; the runtime
 * (runtime/) calls them and holds no model math. Memrefs follow MLIR's C
 * interface (`llvm.emit_c_interface`): a descriptor per argument.
 *
 *===----------------------------------------------------------------------===*/
#ifndef GEMMA_RUNTIME_GEMMA_ABI_H
#define GEMMA_RUNTIME_GEMMA_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} gemma_memref1d;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} gemma_memref2d;

/* One forward step over T = ids->sizes[0] tokens at absolute positions
 * pos0 .. pos0+T-1 (1 <= T <= GEMMA_INFO_MAX_CHUNK, pos0+T <= context).
 *  weights: the data section of weights.gpack (uint8, dataSize bytes)
 *  kv:      the KV-cache arena (uint8, GEMMA_INFO_KV_BYTES), zeroed once
 *  scratch: activation arena (uint8, GEMMA_INFO_SCRATCH_BYTES)
 *  ids:     int32 token ids, each < vocab (the runtime checks)
 *  logits:  float [R, vocab] with R == T (a row per token) or R == 1 (only
 *           the last token's row). Logits are final (soft-capped) unless
 *           flags has GEMMA_FORWARD_ARGMAX_ONLY.
 *  flags:   GEMMA_FORWARD_* bits.
 * Reads the cache for positions < pos0, appends positions pos0.. to it. */
void _mlir_ciface_gemma_forward(gemma_memref1d *weights, gemma_memref1d *kv,
                                gemma_memref1d *scratch, gemma_memref1d *ids,
                                int64_t pos0, gemma_memref2d *logits, int64_t flags);

/* The caller only takes the argmax of each logits row (greedy sampling, no
 * logits output): the monotone final soft-cap may be skipped. */
#define GEMMA_FORWARD_ARGMAX_ONLY 1

/* Model facts, a constant array of int64 exported by the generated object. */
extern const int64_t gemma_model_info[32];

enum {
  GEMMA_INFO_ABI_VERSION = 0,   /* == GEMMA_ABI_VERSION */
  GEMMA_INFO_MODEL_HASH = 1,    /* must equal the pack header's modelHash */
  GEMMA_INFO_VOCAB = 2,
  GEMMA_INFO_CONTEXT = 3,       /* max positions the KV cache holds */
  GEMMA_INFO_MAX_CHUNK = 4,     /* max T per gemma_forward call */
  GEMMA_INFO_KV_BYTES = 5,
  GEMMA_INFO_SCRATCH_BYTES = 6,
  GEMMA_INFO_WEIGHTS_BYTES = 7, /* pack dataSize */
  GEMMA_INFO_CPU_FEATURES = 8,  /* GEMMA_CPU_* bits the code needs */
  GEMMA_INFO_BOS = 9,
  GEMMA_INFO_EOS = 10,
  GEMMA_INFO_NUM_LAYERS = 11,
  GEMMA_INFO_HIDDEN = 12,
  GEMMA_INFO_DECODE_BYTES = 13, /* weight bytes one decode step (T = 1) reads:
                                   routed experts only, one embedding row,
                                   the LM head; KV cache not counted; 0 =
                                   unknown (models compiled before it) */
  GEMMA_INFO_COUNT = 32
};

#define GEMMA_ABI_VERSION 2

/* Op families timed by a model compiled with `gemmac --profile`: the
 * generated code calls gemma_prof_begin(f) / gemma_prof_end(f) around every
 * model-level op (the runtime defines both). */
enum {
  GEMMA_PROF_EMBED = 0,
  GEMMA_PROF_NORM = 1,
  GEMMA_PROF_LINEAR = 2,
  GEMMA_PROF_QK_ROPE_KV = 3,
  GEMMA_PROF_ATTN_SLIDING = 4,
  GEMMA_PROF_ATTN_FULL = 5,
  GEMMA_PROF_ROUTER = 6,
  GEMMA_PROF_EXPERTS = 7,
  GEMMA_PROF_ELEMENTWISE = 8,
  GEMMA_PROF_LM_HEAD = 9,
  GEMMA_PROF_COUNT = 10
};
void gemma_prof_begin(int64_t family);
void gemma_prof_end(int64_t family);

/* CPU features (GEMMA_INFO_CPU_FEATURES bits). */
enum {
  GEMMA_CPU_AVX2 = 1 << 0,
  GEMMA_CPU_FMA = 1 << 1,
  GEMMA_CPU_F16C = 1 << 2,
  GEMMA_CPU_AVX512F = 1 << 3,
  GEMMA_CPU_AVX512BW = 1 << 4,
  GEMMA_CPU_AVX512VL = 1 << 5,
  GEMMA_CPU_AVX512DQ = 1 << 6,
  GEMMA_CPU_AVX512BF16 = 1 << 7,
  GEMMA_CPU_AVX512VNNI = 1 << 8,
  /* AMX-TILE + AMX-BF16, and Linux lets the process use the tile state */
  GEMMA_CPU_AMXBF16 = 1 << 9
};

#ifdef __cplusplus
}
#endif

#endif
