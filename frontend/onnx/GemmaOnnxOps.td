//===- GemmaOnnxOps.td - the ONNX import dialect ---------------*- tablegen -*-===//
//
// `gemma_onnx` holds an ONNX graph inside MLIR on tensors, and the "raised"
// ops the patterns of frontend/onnx/Raise*.cpp rewrite matched subgraphs
// into. It never reaches codegen: frontend/onnx/Assemble.cpp reads the raised
// graph back into a ModelConfig and a weight binding, and the gemma dialect
// is then built by the same importModel() as for a Hugging Face checkpoint.
//
// Weights stay in the ONNX file: an initializer op names its tensor; only
// small ones (<= 1024 elements: scalars, shape vectors, RoPE frequency tables)
// also carry their value, for the patterns to inspect.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_ONNX_OPS
#define GEMMA_ONNX_OPS

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def GemmaOnnx_Dialect : Dialect {
  let name = "gemma_onnx";
  let summary = "ONNX graphs on tensors, and their raised Gemma 4 building blocks";
  let cppNamespace = "::mlir::gemma_onnx";
}

class GO_Op<string mnemonic, list<Trait> traits = []>
    : Op<GemmaOnnx_Dialect, mnemonic, !listconcat([Pure], traits)>;

// A raised op: operands and results are tensors whose exact layout follows
// the ONNX graph it replaced (batch dimension included).
class GO_RaisedOp<string mnemonic> : GO_Op<mnemonic> {
  let results = (outs AnyType:$result);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Import level
//===----------------------------------------------------------------------===//

def GO_InitializerOp : GO_Op<"initializer"> {
  let summary = "an ONNX initializer (or Constant), by name";
  let arguments = (ins StrAttr:$name, OptionalAttr<ElementsAttr>:$value);
  let results = (outs AnyType:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def GO_NoneOp : GO_Op<"none"> {
  let summary = "an optional ONNX input left out (empty name)";
  let results = (outs NoneType:$result);
  let assemblyFormat = "attr-dict";
}

def GO_NodeOp : GO_Op<"node"> {
  let summary = "one ONNX node, not (yet) raised";
  let description = [{
    `op_type` is the ONNX operator (default domain); the node's ONNX
    attributes are the op's other attributes (`axis`, `perm`, ...), its ONNX
    name is `name`. Results are the node's outputs in order.
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, StrAttr:$op_type);
  let results = (outs Variadic<AnyType>:$outputs);
  let assemblyFormat = "$op_type `(` $inputs `)` attr-dict `:` functional-type($inputs, $outputs)";
}

//===----------------------------------------------------------------------===//
// Raised ops (one rewrite pattern each, see the Raise*.cpp files)
//===----------------------------------------------------------------------===//

def GO_RmsNormOp : GO_Op<"rms_norm"> {
  let summary = "x * (mean(x^2, last dim) + eps)^-1/2 [* weight]";
  let arguments = (ins AnyType:$x, Optional<AnyType>:$weight, F64Attr:$eps);
  let results = (outs AnyType:$result);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def GO_LinearOp : GO_RaisedOp<"linear"> {
  let summary = "x times a weight initializer";
  let description = [{
    `weight` is stored [in, out] (ONNX MatMul) when `in_out` is set, else
    [out, in] (Gemm transB=1, MatMul of a Transpose: the PyTorch layout).
  }];
  let arguments = (ins AnyType:$x, AnyType:$weight, UnitAttr:$in_out);
}

def GO_EmbedOp : GO_RaisedOp<"embed"> {
  let summary = "table[ids] * scale";
  let arguments = (ins AnyType:$ids, AnyType:$table, F64Attr:$scale);
}

def GO_RopeOp : GO_RaisedOp<"rope"> {
  let summary = "rotate-half RoPE at positions 0..T-1 over the last dim";
  let description = [{
    inv_freq[i] = theta^(-2i/d) for i < pairs, 0 for the rest (d = last dim).
  }];
  let arguments = (ins AnyType:$x, F64Attr:$theta, I64Attr:$pairs);
}

def GO_MaskOp : GO_RaisedOp<"mask"> {
  let summary = "additive attention mask: causal, or sliding window of `window` keys";
  let arguments = (ins I64Attr:$window);
}

def GO_RepeatKvOp : GO_RaisedOp<"repeat_kv"> {
  let summary = "[B, T, n_kv, d] -> [B, n_kv * groups, T, d], each KV head repeated in place";
  let arguments = (ins AnyType:$x, I64Attr:$groups);
}

def GO_AttentionOp : GO_RaisedOp<"attention"> {
  let summary = "softmax(q k^T * scale + mask) v, heads concatenated";
  let description = [{
    q [B, T, n_q, d], k and v [B, T, n_kv, d] (GQA: query head h reads KV head
    h / (n_q / n_kv)); result [B, T, n_q * d]. window 0: causal.
  }];
  let arguments = (ins AnyType:$q, AnyType:$k, AnyType:$v, I64Attr:$window, F64Attr:$scale);
}

def GO_GeluMlpOp : GO_RaisedOp<"gelu_mlp"> {
  let summary = "down(gelu_tanh(gate(x)) * up(x)); weights [in, out] if in_out, else [out, in]";
  let arguments = (ins AnyType:$x, AnyType:$gate, AnyType:$up, AnyType:$down, UnitAttr:$in_out);
}

def GO_MoeRouteOp : GO_Op<"moe_route"> {
  let summary = "softmax over experts, top-k, renormalise, times per-expert scale";
  let description = [{
    x is the router's normed input (times router.scale); logits =
    (x * input_scale) proj^T with proj [E, H] ([H, E] if in_out). Results: weights [T, K], expert ids [T, K].
  }];
  let arguments = (ins AnyType:$x, AnyType:$proj, AnyType:$per_expert_scale,
                       I64Attr:$top_k, F64Attr:$input_scale, UnitAttr:$in_out);
  let results = (outs AnyType:$weights, AnyType:$ids);
  let assemblyFormat = "`(` operands `)` attr-dict `:` functional-type(operands, results)";
}

def GO_MoeExpertsOp : GO_RaisedOp<"moe_experts"> {
  let summary = "sum_k weights[k] * down_e(gelu_tanh(g) * u), [g; u] = gate_up_e x";
  let arguments = (ins AnyType:$x, AnyType:$gate_up, AnyType:$down, AnyType:$ids,
                       AnyType:$weights);
}

def GO_PleInputsOp : GO_RaisedOp<"ple_inputs"> {
  let summary = "per-layer inputs [B, T, L, P] (spec 2.9)";
  let description = [{
    (norm(reshape(h0 proj * ctx_scale)) + reshape(table[ids] * tok_scale)) * out_scale,
    proj stored [in, out].
  }];
  let arguments = (ins AnyType:$ids, AnyType:$h0, AnyType:$table, AnyType:$proj,
                       AnyType:$norm, F64Attr:$tok_scale, F64Attr:$ctx_scale,
                       F64Attr:$out_scale, F64Attr:$eps);
}

def GO_PleLayerOp : GO_RaisedOp<"ple_layer"> {
  let summary = "proj(gelu_tanh(gate(h)) * inputs[:, :, layer]), weights stored [in, out]";
  let arguments = (ins AnyType:$h, AnyType:$inputs, AnyType:$gate, AnyType:$proj,
                       I64Attr:$layer);
}

def GO_SoftcapOp : GO_RaisedOp<"softcap"> {
  let summary = "cap * tanh(x / cap)";
  let arguments = (ins AnyType:$x, F64Attr:$cap);
}

#endif
