//===- GemmaBufferOps.td - views of the three arenas ---------*- tablegen -*-===//
//
// A deployable owns three byte arenas: the packed weights (read-only, mmapped),
// the KV caches, and the activation scratch. These ops name a typed view at a
// byte offset planned by the compiler; gemma-materialize-buffers turns them
// into memref.view of the forward function's arena arguments. Weights are
// never inlined as constants.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_BUFFER_OPS
#define GEMMA_BUFFER_OPS

include "dialects/GemmaDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Gemma_ArenaViewOp<string mnemonic> : Gemma_Op<mnemonic, [Pure]> {
  let arguments = (ins StrAttr:$name, I64Attr:$offset, Variadic<Index>:$dynamicSizes);
  let results = (outs AnyStaticShapeMemRef:$view);
  let assemblyFormat = [{
    $name `at` $offset (`[` $dynamicSizes^ `]`)? attr-dict `:` type($view)
  }];
  let hasVerifier = 1;
}

def Gemma_WeightOp : Gemma_ArenaViewOp<"weight"> {
  let summary = "a tensor of the weights pack";
  let description = [{
    `name` is the packed tensor's name; `offset` its byte offset in the pack's
    data section. The view is read-only.
  }];
  let results = (outs AnyMemRef:$view);
}

def Gemma_ScratchOp : Gemma_ArenaViewOp<"scratch"> {
  let summary = "an activation buffer in the scratch arena";
  let description = [{
    Dynamic sizes (the token count of the step) are bound to the `?` dims.
    Several views may alias one offset (e.g. [T, heads*d] and [T, heads, d]).
  }];
  let results = (outs AnyMemRef:$view);
}

def Gemma_KvCacheOp : Gemma_ArenaViewOp<"kv_cache"> {
  let summary = "one layer's K or V cache in the KV arena";
  let description = [{
    Shape [n_kv, slots, head_dim]. Sliding layers hold a ring of
    `sliding_window` slots (slot = position mod slots); full layers hold one
    slot per position of the context.
  }];
  let results = (outs AnyMemRef:$view);
}

#endif
