//===- GemmaAttentionOps.td - attention and the KV cache -------*- tablegen -*-===//
#ifndef GEMMA_ATTENTION_OPS
#define GEMMA_ATTENTION_OPS

include "dialects/GemmaDialect.td"

def Gemma_AttentionOp : Gemma_Op<"attention"> {
  let summary = "causal (optionally sliding-window) GQA attention over the KV cache, scale 1.0";
  let description = [{
    q [T, n_q, d] at positions pos0 + t; the caches k_cache, v_cache
    [n_kv, S, d] hold position p at slot (p mod S) and must already hold the
    step's own positions (gemma.kv_write or gemma.qk_norm_rope run first).
    Query head h reads KV head h / (n_q/n_kv) in place: K/V are never copied
    per query head. Key position p is visible from query position q iff
    p <= q and, when `window` > 0, q - p < window. A sliding layer's ring
    therefore needs S >= min(context, window - 1 + T) slots (the importer
    sizes it so for its max chunk). Scores are q.k * `scale` (Gemma 4: 1.0), softmax
    in f32.
  }];
  let arguments = (ins MemRefRankOf<[F32], [3]>:$q, MemRefRankOf<[F32], [3]>:$kCache,
                       MemRefRankOf<[F32], [3]>:$vCache, Index:$pos0,
                       MemRefRankOf<[F32], [3]>:$out,
                       I64Attr:$window, F32Attr:$scale);
  let assemblyFormat = [{
    $q `,` `cache` `(` $kCache `,` $vCache `)` `at` $pos0 `->` $out attr-dict `:`
    type($q) `,` type($kCache) `,` type($vCache) `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_QkNormRopeOp : Gemma_Op<"qk_norm_rope", [AttrSizedOperandSegments]> {
  let summary = "fused per-head Q/K RMSNorm + RoPE + K/V cache write";
  let description = [{
    What gemma-fuse-qk-norm-rope makes of an attention block's
    rms_norm(q) . rope(q) . rms_norm(k) . rope(k) . rms_norm(v) . kv_write:
    q [T, n_q, d] is normalised with q_norm and rotated in place; when the
    `kv` group is present, row t of the raw k [T, n_kv, d] is normalised with
    k_norm, rotated and stored at slot (pos0 + t) mod S of k_cache, and
    v_norm(v) (RMSNorm without weight) at the same slot of v_cache. On k_eq_v
    layers v is the raw k buffer itself (V = v_norm(raw K)). k and v are only
    read. KV-shared layers have no `kv` group (they read another layer's
    cache).
  }];
  let arguments = (ins MemRefRankOf<[F32], [3]>:$q, MemRefRankOf<[F32], [1]>:$qNorm,
                       Optional<MemRefRankOf<[F32], [3]>>:$k,
                       Optional<MemRefRankOf<[F32], [1]>>:$kNorm,
                       Optional<MemRefRankOf<[F32], [3]>>:$v, Index:$pos0,
                       Optional<MemRefRankOf<[F32], [3]>>:$kCache,
                       Optional<MemRefRankOf<[F32], [3]>>:$vCache,
                       F32Attr:$eps, F64Attr:$theta, I64Attr:$pairs);
  let assemblyFormat = [{
    $q `,` $qNorm (`kv` `(` $k^ `,` $kNorm `,` $v `)` `->` `cache` `(` $kCache `,` $vCache `)`)?
    `at` $pos0 attr-dict `:` type($q) `,` type($qNorm)
    (`kv` `(` type($k)^ `,` type($kNorm) `,` type($v) `)` `->` `cache` `(` type($kCache) `,` type($vCache) `)`)?
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
