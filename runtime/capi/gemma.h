/*===- gemma.h - C API of a gemmac deployable ------------------------------===*
 *
 * Every deployable folder written by `gemmac MODEL_DIR -o OUT` carries
 *   OUT/include/gemma.h   this header
 *   OUT/libgemma.so       the compiled model + runtime as a shared library
 * Build against it with
 *   cc app.c -I OUT/include -L OUT -lgemma -Wl,-rpath,OUT
 * The library holds the model it was compiled for; gemma_load() maps that
 * model's weights.gpack (and reads tokenizer.json / generation_config.json
 * when present) from the deployable folder.
 *
 * Errors: functions returning a pointer return NULL, those returning int
 * return -1; gemma_last_error() then describes the failure (per thread).
 * A gemma_model is not thread-safe: use one per thread, or lock.
 *
 *===----------------------------------------------------------------------===*/
#ifndef GEMMA_H
#define GEMMA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GEMMA_API_VERSION 1

typedef struct gemma_model gemma_model;

/* Sampling: repetition penalty, temperature, top-k, top-p, min-p, in that
 * order (Hugging Face's). gemma_default_sampling() fills it from the
 * deployable's generation_config.json. */
typedef struct gemma_sampling {
  float temperature;     /* <= 0: greedy (argmax) */
  int32_t top_k;         /* 0: off */
  float top_p;           /* >= 1: off */
  float min_p;           /* <= 0: off */
  float repeat_penalty;  /* 1: off */
  int32_t repeat_last_n; /* tokens the penalty looks back; 0: off, -1: all */
  uint64_t seed;         /* same seed + same inputs = same tokens */
} gemma_sampling;

/* Called for every generated token with its id and its text (UTF-8; may be
 * "" while a multi-byte character is incomplete; NULL when the deployable
 * has no tokenizer; a character still incomplete when generation ends is
 * dropped). Return nonzero to stop generating. */
typedef int (*gemma_token_callback)(int32_t token, const char *text,
                                    void *user_data);

/* Loads the deployable in `deployable_dir` (the folder holding
 * weights.gpack). n_threads <= 0: all cores (or OMP_NUM_THREADS). Checks the
 * CPU, the weights' model hash and the tokenizer. NULL on failure. */
gemma_model *gemma_load(const char *deployable_dir, int n_threads);

/* Frees the model (NULL is fine). */
void gemma_free(gemma_model *model);

/* The error of the last failed call on this thread ("" if none). */
const char *gemma_last_error(void);

int32_t gemma_vocab_size(const gemma_model *model);
int32_t gemma_context_size(const gemma_model *model);
/* 1 when the deployable has a tokenizer (tokenize/detokenize work). */
int gemma_has_tokenizer(const gemma_model *model);

/* The sampling defaults of generation_config.json (greedy without one). */
void gemma_default_sampling(const gemma_model *model, gemma_sampling *out);

/* Text -> token ids. add_bos: start with <bos> (what the model expects at
 * position 0). Writes at most max_ids ids and returns the total count, which
 * may exceed max_ids (call again with a larger buffer). -1 on error
 * (no tokenizer, invalid UTF-8). */
int gemma_tokenize(gemma_model *model, const char *text, int add_bos,
                   int32_t *ids, int max_ids);

/* Token ids -> text (UTF-8, special tokens skipped). Writes at most
 * buf_size bytes including a terminating NUL and returns the text's length
 * without the NUL, which may be >= buf_size (truncated). -1 on error. */
int gemma_detokenize(gemma_model *model, const int32_t *ids, int n_ids,
                     char *buf, int buf_size);

/* Renders one user turn with the Gemma 4 chat template
 * (<bos><|turn>system\n...<turn|>\n<|turn>user\n...<turn|>\n<|turn>model\n)
 * into ids; system may be NULL, think != 0 enables thinking mode. Same
 * return convention as gemma_tokenize. -1 when the tokenizer lacks the
 * Gemma 4 control tokens. */
int gemma_chat_prompt(gemma_model *model, const char *system, const char *user,
                      int think, int32_t *ids, int max_ids);

/* Generates from `prompt` (n_prompt ids, a fresh context each call) up to
 * max_tokens tokens (< 0: until the context is full), calling `callback`
 * (may be NULL) for each. Stops early on every eos_token_id of
 * generation_config.json and on <turn|>, or when the callback returns
 * nonzero. sampling NULL: gemma_default_sampling(). Returns the number of
 * generated tokens (stop ids not counted), -1 on error. */
int gemma_generate(gemma_model *model, const int32_t *prompt, int n_prompt,
                   int max_tokens, const gemma_sampling *sampling,
                   gemma_token_callback callback, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* GEMMA_H */
