//===- Passes.td - gemma passes ------------------------------*- tablegen -*-===//
#ifndef GEMMA_PASSES
#define GEMMA_PASSES

include "mlir/Pass/PassBase.td"

class VectorWidthPass<string flag, string op> : Pass<flag, op> {
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes per vector register: 8 (AVX2) or 16 (AVX-512)">
  ];
}

def GemmaFuseFinalSoftcap : Pass<"gemma-fuse-final-softcap", "::mlir::func::FuncOp"> {
  let summary = "Fold the final logit soft-cap into the LM head's epilogue";
  let description = [{
    linear(x, W) -> y followed by softcap(y) in place becomes one linear with
    a `softcap` attribute (no second sweep over the vocab). The soft-cap's
    run-time `argmax_only` flag moves to the linear: under greedy sampling the
    lowered epilogue skips the tanh.
  }];
}

def GemmaFuseQkNormRope : Pass<"gemma-fuse-qk-norm-rope", "::mlir::func::FuncOp"> {
  let summary = "Fuse per-head Q/K RMSNorm, RoPE and the K/V cache write into one op";
  let description = [{
    rms_norm(q) . rope(q) . rms_norm(v) . rms_norm(k) . rope(k) . kv_write
    before an attention become one gemma.qk_norm_rope (one kernel), including
    V = v_norm(raw K) on k_eq_v layers. KV-shared layers get the q part.
  }];
}

def GemmaFuseMoeRouting : Pass<"gemma-fuse-moe-routing", "::mlir::func::FuncOp"> {
  let summary = "Fuse the router chain (norm, scale, proj, softmax, top-k, renorm) into moe_route";
}

def GemmaTileAttention : VectorWidthPass<"gemma-tile-attention", "::mlir::func::FuncOp"> {
  let summary = "Lower gemma.attention to tiled online-softmax loops with window-clipped tiles";
  let description = [{
    One parallel iteration per (KV head, block of query tokens) keeps the
    running max, sum and accumulator of every query head of the group and
    every token of the block, and walks KV tiles of `tile` positions read
    straight from the cache (no per-head copies). The tile loop starts at
    max(0, q_first - W + 1) on sliding layers and ends at q_last, so tiles
    wholly outside the window are never visited; only boundary tiles are
    masked.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes per vector register: 8 (AVX2) or 16 (AVX-512)">,
    Option<"tile", "tile", "int64_t", /*default=*/"32", "KV positions per tile">,
    Option<"queryBlock", "query-block", "int64_t", /*default=*/"4", "query tokens per block">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GemmaProfileOps : Pass<"gemma-profile-ops", "::mlir::ModuleOp"> {
  let summary = "Time each gemma op by family (gemmac --profile)";
  let description = [{
    Wraps every model-level op in calls to gemma_prof_begin/end(family), with
    the GEMMA_PROF_* families of runtime/gemma_abi.h; the runtime sums the
    time per family (gemma-run --profile).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::arith::ArithDialect"];
}

def GemmaLowerElementwise : VectorWidthPass<"gemma-lower-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Lower embed, norms, RoPE, GELU, adds and soft-cap to vector loops";
  let description = [{
    Row-wise kernels: the outer dims become one scf.parallel (OpenMP later),
    the innermost dim a vector loop of `vector-width` f32 lanes with a scalar
    tail. bf16/f16 weights are widened to f32 on load.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GemmaLowerLinear : Pass<"gemma-lower-linear", "::mlir::func::FuncOp"> {
  let summary = "Lower gemma.linear and gemma.expert_linear to register-tiled GEMM/GEMV";
  let description = [{
    y = x * W^T with W [out, in] row-major: a block of output rows per
    parallel iteration, a block of tokens sharing each weight load, vector
    FMA accumulators reduced once per output. Experts index W by the routed
    expert id, so only selected experts are read. With int8-activations, a
    linear with int8/int4 weights quantises x per block of 32 once and
    multiplies bytes (passes/QuantizedDot.cpp); `vnni` emits vpdpbusd for it.
    With bf16-activations (AVX512_BF16 targets), a linear with bf16 weights
    rounds x to bf16 once and multiplies bf16 pairs with vdpbf16ps
    (passes/Bf16Dot.cpp). With `amx` (AMX-BF16 targets), calls of 16 or
    more tokens of a bf16-weight linear run on AMX tiles instead, x rounded
    to bf16 (bf16-activations) or split into three bf16 terms
    (passes/AmxDot.cpp). Otherwise bf16 weights with f32 x run
    passes/PairedBf16Dot.cpp (x split into even and odd columns once per op);
    with 8 lanes (AVX2), calls of 4 or more tokens re-lay each parallel panel
    of rows once into tiles whose lanes are output rows and broadcast x
    (passes/Bf16PanelTiles.cpp; `panel-tiles=false` keeps the row-major
    kernel).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes per vector register: 8 (AVX2) or 16 (AVX-512)">,
    Option<"int8Activations", "int8-activations", "bool", /*default=*/"false",
           "Quantise x to int8 (blocks of 32) for int8/int4 weights and dot bytes">,
    Option<"vnni", "vnni", "bool", /*default=*/"false",
           "Use AVX-512 VNNI vpdpbusd for the byte dot (needs vector-width 16)">,
    Option<"bf16Activations", "bf16-activations", "bool", /*default=*/"false",
           "Round x to bf16 for bf16 weights and dot with vdpbf16ps (needs AVX512_BF16)">,
    Option<"amx", "amx", "bool", /*default=*/"false",
           "bf16-weight GEMMs of 16+ tokens on AMX tiles (needs AMX-BF16); x rounded to "
           "bf16 with bf16-activations, else split into three bf16 terms">,
    Option<"panelTiles", "panel-tiles", "bool", /*default=*/"true",
           "With 8 lanes, re-lay bf16 weight panels (f32 x) as row tiles for calls of 4+ "
           "tokens">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::amx::AMXDialect"];
}

def GemmaLowerAttention : VectorWidthPass<"gemma-lower-attention", "::mlir::func::FuncOp"> {
  let summary = "Lower gemma.attention (online softmax) and gemma.kv_write to loops";
  let description = [{
    One parallel iteration per (token, query head). Keys are visited in two
    loops, cached positions then the step's own, with bounds clipped to the
    causal window, so masked keys are never read.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GemmaLowerMoE : VectorWidthPass<"gemma-lower-moe", "::mlir::func::FuncOp"> {
  let summary = "Lower gemma.moe_route and gemma.moe_combine to loops";
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GemmaMaterializeBuffers : Pass<"gemma-materialize-buffers", "::mlir::func::FuncOp"> {
  let summary = "Turn gemma.weight/scratch/kv_cache into memref.view of the arena arguments";
  let description = [{
    The forward function's arguments carry `gemma.arena` = "weights", "kv" or
    "scratch"; each view op becomes a memref.view at its byte offset.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def GemmaApproximateMath : Pass<"gemma-approximate-math"> {
  let summary = "Polynomial approximations of exp and tanh (vectorisable, no libm calls)";
  let description = [{
    LLVM scalarises vector exp/tanh into libm calls. MLIR's polynomial
    approximations stay in registers and are accurate to a few ulp in f32.
    sin/cos/pow (RoPE tables, scalar) keep libm's exact versions.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def GemmaLowerAllocaScopes : Pass<"gemma-lower-alloca-scopes"> {
  let summary = "Replace memref.alloca_scope with LLVM stacksave/stackrestore";
  let description = [{
    Kernels allocate small per-iteration stack buffers inside parallel loops
    in an alloca_scope. The scope must go before SCF becomes a CFG (its
    region may hold only one block), so it is inlined here between a
    stacksave and a stackrestore.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif
