/* capi_check.c DEPLOYABLE: exercises every function of gemma.h (capi.test).
 * Prints one line per check; the test compares them with gemma-run. */
#include <gemma.h>

#include <stdio.h>
#include <string.h>

struct collect {
  int32_t ids[256];
  int n;
  int stop_after; /* 0: never stop */
  char text[4096];
};

static int collect_token(int32_t token, const char *text, void *user_data) {
  struct collect *c = (struct collect *)user_data;
  c->ids[c->n++] = token;
  if (text)
    strncat(c->text, text, sizeof(c->text) - strlen(c->text) - 1);
  return c->stop_after && c->n >= c->stop_after;
}

static void print_ids(const char *what, const int32_t *ids, int n) {
  printf("%s:", what);
  for (int i = 0; i < n; ++i)
    printf("%s%d", i ? "," : " ", ids[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  if (gemma_load("/nonexistent-deployable", 1) == NULL)
    printf("load error: %s\n", gemma_last_error());

  gemma_model *m = gemma_load(argv[1], 2);
  if (!m) {
    printf("load failed: %s\n", gemma_last_error());
    return 1;
  }
  printf("api %d vocab %d context %d tokenizer %d\n", GEMMA_API_VERSION,
         gemma_vocab_size(m), gemma_context_size(m), gemma_has_tokenizer(m));

  int32_t ids[256];
  int n = gemma_tokenize(m, "Hello there", 1, ids, 256);
  print_ids("tokenize", ids, n);
  printf("tokenize small buffer: %d\n", gemma_tokenize(m, "Hello there", 1, ids, 2));
  n = gemma_tokenize(m, "Hello there", 1, ids, 256);
  char buf[256];
  int len = gemma_detokenize(m, ids, n, buf, sizeof buf);
  printf("detokenize: %d '%s'\n", len, buf);
  len = gemma_detokenize(m, ids, n, buf, 4);
  printf("detokenize truncated: %d '%s'\n", len, buf);
  if (gemma_tokenize(m, "a\xff", 0, ids, 256) < 0)
    printf("tokenize error: %s\n", gemma_last_error());

  int np = gemma_chat_prompt(m, NULL, "Hello there", 0, ids, 256);
  print_ids("chat prompt", ids, np);

  gemma_sampling s;
  gemma_default_sampling(m, &s);
  printf("defaults: temp %.2f top_k %d top_p %.2f min_p %.2f\n", s.temperature,
         s.top_k, s.top_p, s.min_p);

  /* Greedy, 6 tokens at most (stops on the eos ids and <turn|>). */
  struct collect c;
  memset(&c, 0, sizeof c);
  s.temperature = 0;
  int g = gemma_generate(m, ids, np, 6, &s, collect_token, &c);
  printf("greedy returned %d\n", g);
  print_ids("greedy", c.ids, c.n);

  /* Sampling: the same seed repeats, and the callback can stop early. */
  struct collect a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  s.temperature = 1.0f;
  s.top_k = 64;
  s.top_p = 0.95f;
  s.seed = 7;
  gemma_generate(m, ids, np, 8, &s, collect_token, &a);
  gemma_generate(m, ids, np, 8, &s, collect_token, &b);
  printf("same seed same ids: %s\n",
         a.n == b.n && memcmp(a.ids, b.ids, sizeof(int32_t) * a.n) == 0 ? "yes" : "no");
  memset(&a, 0, sizeof a);
  a.stop_after = 2;
  printf("stopped by callback: %d\n", gemma_generate(m, ids, np, 8, &s, collect_token, &a));

  /* Errors. */
  if (gemma_generate(m, ids, 0, 4, NULL, NULL, NULL) < 0)
    printf("generate error: %s\n", gemma_last_error());
  int32_t bad[2] = {2, 99999};
  if (gemma_generate(m, bad, 2, 4, NULL, NULL, NULL) < 0)
    printf("generate error: %s\n", gemma_last_error());
  gemma_free(m);
  gemma_free(NULL);
  printf("done\n");
  return 0;
}
