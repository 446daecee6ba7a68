//===- GemmaAttentionOps.td - attention and the KV cache -------*- tablegen -*-===//
#ifndef GEMMA_ATTENTION_OPS
#define GEMMA_ATTENTION_OPS

include "dialects/GemmaDialect.td"

def Gemma_AttentionOp : Gemma_Op<"attention"> {
  let summary = "causal (optionally sliding-window) GQA attention, scale 1.0";
  let description = [{
    q [T, n_q, d] at positions pos0 + t; the step's own keys/values k, v
    [T, n_kv, d]; the cache k_cache, v_cache [n_kv, S, d] holding positions
    < pos0 at slot (position mod S). Query head h reads KV head h / (n_q/n_kv).
    Key position p is visible from query position q iff p <= q and, when
    `window` > 0, q - p < window. Scores are q.k * `scale` (Gemma 4: 1.0),
    softmax in f32. The cache is not written here (see gemma.kv_write), so
    KV-shared layers can read a source layer's step K/V and its cache.
  }];
  let arguments = (ins MemRefRankOf<[F32], [3]>:$q, MemRefRankOf<[F32], [3]>:$k,
                       MemRefRankOf<[F32], [3]>:$v, MemRefRankOf<[F32], [3]>:$kCache,
                       MemRefRankOf<[F32], [3]>:$vCache, Index:$pos0,
                       MemRefRankOf<[F32], [3]>:$out,
                       I64Attr:$window, F32Attr:$scale);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` `cache` `(` $kCache `,` $vCache `)` `at` $pos0 `->` $out attr-dict `:`
    type($q) `,` type($k) `,` type($v) `,` type($kCache) `,` type($vCache) `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_KvWriteOp : Gemma_Op<"kv_write"> {
  let summary = "append a step's K/V rows to a layer's cache";
  let description = [{
    Row t of k, v [T, n_kv, d] goes to slot (pos0 + t) mod S of the caches
    [n_kv, S, d]. On a ring (S = sliding window) only the last S rows land.
  }];
  let arguments = (ins MemRefRankOf<[F32], [3]>:$k, MemRefRankOf<[F32], [3]>:$v, Index:$pos0,
                       MemRefRankOf<[F32], [3]>:$kCache, MemRefRankOf<[F32], [3]>:$vCache);
  let assemblyFormat = [{
    $k `,` $v `at` $pos0 `->` $kCache `,` $vCache attr-dict `:`
    type($k) `,` type($v) `->` type($kCache) `,` type($vCache)
  }];
  let hasVerifier = 1;
}

#endif
