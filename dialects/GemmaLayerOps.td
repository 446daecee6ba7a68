//===- GemmaLayerOps.td - embedding, norms, projections --------*- tablegen -*-===//
#ifndef GEMMA_LAYER_OPS
#define GEMMA_LAYER_OPS

include "dialects/GemmaDialect.td"

def Gemma_EmbedOp : Gemma_Op<"embed"> {
  let summary = "token embedding lookup times a scale";
  let description = [{
    `out[t, :] = table[ids[t], :] * scale`. Used for the token embedding
    (scale sqrt(H)) and for the per-layer embeddings of E2B/E4B (scale sqrt(P)).
    With `scales` the table is block-quantised (docs/weights.md): i8 [V, H]
    (int8) or [V, H/2] (int4, two weights per byte) with f16/f32 scales
    [V, H/32]; the row is dequantised as it is read.
  }];
  let arguments = (ins MemRefRankOf<[I32], [1]>:$ids,
                       MemRefRankOf<[F32, BF16, F16, I8], [2]>:$table,
                       Optional<MemRefRankOf<[F16, F32], [2]>>:$scales,
                       MemRefRankOf<[F32], [2]>:$out, F32Attr:$scale);
  let assemblyFormat = [{
    $ids `,` $table (`scales` $scales^)? `->` $out attr-dict `:` type($ids) `,` type($table)
    (`,` type($scales)^)? `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_RmsNormOp : Gemma_Op<"rms_norm"> {
  let summary = "RMSNorm over the last dimension, weight used as x_hat * w";
  let description = [{
    `out = x * (mean(x^2) + eps)^-1/2 * w` over the last dim. Gemma 4 uses the
    weight directly (not 1 + w). Without `weight` (v_norm, router norm) the
    weight is 1. `out` may be `x` (in place). Any rank >= 1: per-head norms
    (q_norm, k_norm) normalise [T, heads, d] with a [d] weight.
  }];
  let arguments = (ins MemRefOf<[F32]>:$x, Optional<MemRefRankOf<[F32], [1]>>:$weight,
                       MemRefOf<[F32]>:$out, F32Attr:$eps);
  let assemblyFormat = [{
    $x (`,` $weight^)? `->` $out attr-dict `:` type($x) (`,` type($weight)^)? `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_LinearOp : Gemma_Op<"linear", [AttrSizedOperandSegments]> {
  let summary = "y = x * W^T with W stored [out, in], optional soft-cap epilogue";
  let description = [{
    x [T, in] f32; W [out, in] in f32/bf16/f16 (upcast on load, f32
    accumulation); y [T, out] f32. With `softcap` (set by
    gemma-fuse-final-softcap) each output is cap * tanh(y / cap) as it is
    stored, unless `argmax_only` is true at run time: then the caller only
    takes the argmax, which the monotone cap does not change, so it is skipped.

    With `scales` W is block-quantised (docs/weights.md): i8 [out, in] (int8)
    or [out, in/2] (int4, two weights per byte: byte j of each 32-weight
    block holds weight j in its low and weight j + 16 in its high nibble)
    with f16/f32 scales [out, in/32]; in = 32 * the scales' last dim, and
    each weight is dequantised in registers (q * scale) before the FMA.
  }];
  let arguments = (ins MemRefRankOf<[F32], [2]>:$x,
                       MemRefRankOf<[F32, BF16, F16, I8], [2]>:$weight,
                       Optional<MemRefRankOf<[F16, F32], [2]>>:$scales,
                       MemRefRankOf<[F32], [2]>:$out, Optional<I1>:$argmaxOnly,
                       OptionalAttr<F32Attr>:$softcap);
  let assemblyFormat = [{
    $x `,` $weight (`scales` $scales^)? `->` $out (`unless` $argmaxOnly^)? attr-dict `:`
    type($x) `,` type($weight) (`,` type($scales)^)? `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_RopeOp : Gemma_Op<"rope"> {
  let summary = "rotary position embedding, rotate-half (NeoX) layout";
  let description = [{
    x [T, heads, d] at positions pos0 + t. Dimension j < d/2 pairs with j + d/2;
    inv_freq[i] = theta^(-2i/d) for i < `pairs`, 0 (identity) for the rest.
    Default RoPE has pairs = d/2; Gemma 4's proportional RoPE on full layers
    has pairs = partial_rotary_factor * d / 2 with the denominator still d.
    `out` may be `x`.
  }];
  let arguments = (ins MemRefRankOf<[F32], [3]>:$x, Index:$pos0, MemRefRankOf<[F32], [3]>:$out,
                       F64Attr:$theta, I64Attr:$pairs);
  let assemblyFormat = [{
    $x `at` $pos0 `->` $out attr-dict `:` type($x) `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_GeluGluOp : Gemma_Op<"gelu_glu"> {
  let summary = "gated GELU (tanh approximation): gelu(gate) * up";
  let description = [{
    The last dim of x is [gate | up] (2I); out's last dim is I.
  }];
  let arguments = (ins MemRefOf<[F32]>:$x, MemRefOf<[F32]>:$out);
  let assemblyFormat = [{ $x `->` $out attr-dict `:` type($x) `->` type($out) }];
  let hasVerifier = 1;
}

def Gemma_GeluOp : Gemma_Op<"gelu"> {
  let summary = "GELU, tanh approximation (the per-layer-embedding gate)";
  let arguments = (ins MemRefOf<[F32]>:$x, MemRefOf<[F32]>:$out);
  let assemblyFormat = [{ $x `->` $out attr-dict `:` type($x) `->` type($out) }];
  let hasVerifier = 1;
}

def Gemma_AddOp : Gemma_Op<"add"> {
  let summary = "elementwise a + b (residual adds)";
  let arguments = (ins MemRefOf<[F32]>:$lhs, MemRefOf<[F32]>:$rhs, MemRefOf<[F32]>:$out);
  let assemblyFormat = [{
    $lhs `,` $rhs `->` $out attr-dict `:` type($lhs) `,` type($rhs) `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_MulOp : Gemma_Op<"mul"> {
  let summary = "elementwise a * b";
  let arguments = (ins MemRefOf<[F32]>:$lhs, MemRefOf<[F32]>:$rhs, MemRefOf<[F32]>:$out);
  let assemblyFormat = [{
    $lhs `,` $rhs `->` $out attr-dict `:` type($lhs) `,` type($rhs) `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_ScaleOp : Gemma_Op<"scale"> {
  let summary = "x * factor (* scalar[0]): the per-layer residual scale and constants";
  let description = [{
    `layer_scalar` multiplies the whole residual stream at the end of every
    layer; it is a [1] weight, so it is read from memory, not folded.
  }];
  let arguments = (ins MemRefOf<[F32]>:$x, Optional<MemRefRankOf<[F32], [1]>>:$scalar,
                       MemRefOf<[F32]>:$out, F32Attr:$factor);
  let assemblyFormat = [{
    $x (`,` $scalar^)? `->` $out attr-dict `:` type($x) (`,` type($scalar)^)? `->` type($out)
  }];
  let hasVerifier = 1;
}

def Gemma_SoftcapOp : Gemma_Op<"softcap"> {
  let summary = "final logit soft-cap: cap * tanh(x / cap)";
  let description = [{
    With `argmax_only` true at run time the op does nothing: the caller only
    takes the argmax of the logits, which the monotone cap preserves.
  }];
  let arguments = (ins MemRefOf<[F32]>:$x, MemRefOf<[F32]>:$out, Optional<I1>:$argmaxOnly,
                       F32Attr:$cap);
  let assemblyFormat = [{
    $x `->` $out (`unless` $argmaxOnly^)? attr-dict `:` type($x) `->` type($out)
  }];
  let hasVerifier = 1;
}

#endif
