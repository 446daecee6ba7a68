/* example.c - generate text with a gemmac deployable through its C API.
 *
 *   cc example.c -I OUT/include -L OUT -lgemma -Wl,-rpath,OUT -o example
 *   ./example OUT "Why is the sky blue?" 32
 *
 * Applies the chat template when the tokenizer has the Gemma 4 control
 * tokens (else tokenizes the raw text), then streams up to N tokens
 * (default 32) to stdout; the seed is fixed so runs repeat. */
#include <gemma.h>

#include <stdio.h>
#include <stdlib.h>

static int on_token(int32_t token, const char *text, void *user_data) {
  int *count = (int *)user_data;
  ++*count;
  if (text)
    fputs(text, stdout);
  else
    printf("%d ", token);
  fflush(stdout);
  return 0; /* nonzero would stop generation */
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DEPLOYABLE_DIR [PROMPT] [N]\n", argv[0]);
    return 2;
  }
  const char *text = argc > 2 ? argv[2] : "Hello";
  int n = argc > 3 ? atoi(argv[3]) : 32;

  gemma_model *model = gemma_load(argv[1], 0);
  if (!model) {
    fprintf(stderr, "example: %s\n", gemma_last_error());
    return 1;
  }
  int32_t ids[4096];
  int n_ids = gemma_chat_prompt(model, NULL, text, 0, ids, 4096);
  if (n_ids < 0) /* no Gemma 4 chat tokens: plain <bos> + text */
    n_ids = gemma_tokenize(model, text, 1, ids, 4096);
  if (n_ids < 0 || n_ids > 4096) {
    fprintf(stderr, "example: %s\n", n_ids < 0 ? gemma_last_error() : "prompt too long");
    gemma_free(model);
    return 1;
  }

  gemma_sampling sampling;
  gemma_default_sampling(model, &sampling);
  sampling.seed = 42;
  int count = 0;
  int generated = gemma_generate(model, ids, n_ids, n, &sampling, on_token, &count);
  if (generated < 0) {
    fprintf(stderr, "example: %s\n", gemma_last_error());
    gemma_free(model);
    return 1;
  }
  printf("\n[%d prompt tokens, %d generated]\n", n_ids, generated);
  gemma_free(model);
  return 0;
}
