//===- GemmaMoEOps.td - mixture-of-experts routing and experts -*- tablegen -*-===//
#ifndef GEMMA_MOE_OPS
#define GEMMA_MOE_OPS

include "dialects/GemmaDialect.td"

def Gemma_MoeRouteOp : Gemma_Op<"moe_route"> {
  let summary = "Gemma 4 router: norm, scale, project, softmax, top-k, renormalise";
  let description = [{
    Per token, in f32 (spec 2.7): r = rmsnorm_noweight(x) * scale * H^-1/2;
    z = r . proj^T ([E]); p = softmax(z) over all experts; the top-k of p
    (descending, lowest index first on ties) renormalised to sum 1, each times
    per_expert_scale[e]. Writes indices [T, k] (i32) and weights [T, k].
    gemma-fuse-moe-routing builds it from the unfused chain rms_norm . scale
    . linear . softmax . top_k . moe_weights.
  }];
  let arguments = (ins MemRefRankOf<[F32], [2]>:$x, MemRefRankOf<[F32], [1]>:$scale,
                       MemRefRankOf<[F32, BF16, F16], [2]>:$proj,
                       MemRefRankOf<[F32], [1]>:$perExpertScale,
                       MemRefRankOf<[I32], [2]>:$indices, MemRefRankOf<[F32], [2]>:$weights,
                       F32Attr:$eps);
  let assemblyFormat = [{
    $x `,` $scale `,` $proj `,` $perExpertScale `->` $indices `,` $weights attr-dict `:`
    type($x) `,` type($scale) `,` type($proj) `,` type($perExpertScale) `->`
    type($indices) `,` type($weights)
  }];
  let hasVerifier = 1;
}

def Gemma_SoftmaxOp : Gemma_Op<"softmax"> {
  let summary = "softmax over the last dimension, in f32";
  let arguments = (ins MemRefRankOf<[F32], [2]>:$x, MemRefRankOf<[F32], [2]>:$out);
  let assemblyFormat = [{ $x `->` $out attr-dict `:` type($x) `->` type($out) }];
  let hasVerifier = 1;
}

def Gemma_TopKOp : Gemma_Op<"top_k"> {
  let summary = "the k largest values of each row and their indices";
  let description = [{
    x [T, E] -> values [T, k], indices [T, k] (i32), descending, the lowest
    index first on ties (torch.topk's order for distinct values).
  }];
  let arguments = (ins MemRefRankOf<[F32], [2]>:$x, MemRefRankOf<[F32], [2]>:$values,
                       MemRefRankOf<[I32], [2]>:$indices);
  let assemblyFormat = [{
    $x `->` $values `,` $indices attr-dict `:` type($x) `->` type($values) `,` type($indices)
  }];
  let hasVerifier = 1;
}

def Gemma_MoeWeightsOp : Gemma_Op<"moe_weights"> {
  let summary = "expert weights: renormalise the top-k probabilities, times per-expert scale";
  let description = [{
    weights[t, j] = values[t, j] / sum_j values[t, j] * per_expert_scale[indices[t, j]].
  }];
  let arguments = (ins MemRefRankOf<[F32], [2]>:$values, MemRefRankOf<[I32], [2]>:$indices,
                       MemRefRankOf<[F32], [1]>:$perExpertScale,
                       MemRefRankOf<[F32], [2]>:$weights);
  let assemblyFormat = [{
    $values `,` $indices `,` $perExpertScale `->` $weights attr-dict `:`
    type($values) `,` type($indices) `,` type($perExpertScale) `->` type($weights)
  }];
  let hasVerifier = 1;
}

def Gemma_ExpertLinearOp : Gemma_Op<"expert_linear"> {
  let summary = "y[t, k] = x[t] (or x[t, k]) * W[indices[t, k]]^T: selected experts only";
  let description = [{
    W [E, out, in]; indices [T, K]; x [T, in] (the same input for every
    selected expert) or [T, K, in]; y [T, K, out]. Only the K selected experts
    of each token are evaluated. With `scales` W is block-quantised as for
    gemma.linear: i8 [E, out, in] or [E, out, in/2], scales [E, out, in/32].
  }];
  let arguments = (ins MemRefOf<[F32]>:$x, MemRefRankOf<[F32, BF16, F16, I8], [3]>:$weight,
                       Optional<MemRefRankOf<[F16, F32], [3]>>:$scales,
                       MemRefRankOf<[I32], [2]>:$indices, MemRefRankOf<[F32], [3]>:$out);
  let assemblyFormat = [{
    $x `,` $weight (`scales` $scales^)? `,` $indices `->` $out attr-dict `:`
    type($x) `,` type($weight) (`scales` type($scales)^)? `,` type($indices) `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_MoeCombineOp : Gemma_Op<"moe_combine"> {
  let summary = "out[t] = sum_k weights[t, k] * y[t, k]";
  let arguments = (ins MemRefRankOf<[F32], [3]>:$y, MemRefRankOf<[F32], [2]>:$weights,
                       MemRefRankOf<[F32], [2]>:$out);
  let assemblyFormat = [{
    $y `,` $weights `->` $out attr-dict `:` type($y) `,` type($weights) `->` type($out)
  }];
  let hasVerifier = 1;
}

#endif
