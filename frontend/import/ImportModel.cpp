//===- ImportModel.cpp - the Gemma 4 decoder as gemma ops -----------------===//
//
// Follows gemma4-spec.md section 2 step by step; the comments name the spec
// section each block implements.
//
//===----------------------------------------------------------------------===//
#include "frontend/import/ImportModel.h"
#include "frontend/TensorManifest.h"

#include "dialects/GemmaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <map>

// The pack writer and the kernels agree on which matrices are tiled.
static_assert(::gemma::kQuantTileRows == mlir::gemma::kQuantTileRows);
static_assert(::gemma::kQuantBlockSize == mlir::gemma::kQuantBlock);

using namespace mlir;
namespace gd = mlir::gemma;
using ::gemma::Checkpoint;
using ::gemma::DType;
using ::gemma::ImportedModel;
using ::gemma::ImportOptions;
using ::gemma::LayerGeometry;
using ::gemma::ModelConfig;
using ::gemma::TensorInfo;
using ::gemma::WeightFormat;

namespace {

constexpr uint64_t kAlign = 64;
uint64_t alignUp(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

Type elementType(OpBuilder &b, DType t) {
  switch (t) {
  case DType::F32: return b.getF32Type();
  case DType::BF16: return b.getBF16Type();
  case DType::F16: return b.getF16Type();
  case DType::I32: return b.getI32Type();
  }
  return b.getF32Type();
}

/// A matrix operand: float, or block-quantised values plus their scales.
struct Matrix {
  Value w, scales;
};

class Importer {
public:
  Importer(MLIRContext &ctx, const ModelConfig &cfg, const Checkpoint &ckpt,
           ImportedModel &out, WeightFormat format)
      : b(&ctx), loc(b.getUnknownLoc()), cfg(cfg), ckpt(ckpt), out(out), format(format) {}

  llvm::Error run();

private:
  // --- weights ---------------------------------------------------------
  std::string ckptName(const std::string &suffix) const { return cfg.tensorPrefix + suffix; }
  std::string layerName(int64_t l, const std::string &suffix) const {
    return ckptName("layers." + std::to_string(l) + "." + suffix);
  }
  /// A matrix keeps its checkpoint dtype (kernels widen on load); several
  /// sources are concatenated along dim 0 (gate|up). With --weights int8 or
  /// int4 a `quantisable` matrix whose input dim (the last) is a multiple of
  /// 32 is block-quantised instead (docs/weights.md); the router and the
  /// per-layer-input matrices pass quantisable = false.
  Matrix matrix(const std::string &packed, std::vector<std::string> sources,
                bool quantisable = true) {
    std::vector<const TensorInfo *> infos;
    for (auto &s : sources)
      infos.push_back(ckpt.find(s));
    DType dtype = infos[0]->dtype;
    for (auto *t : infos)
      if (t->dtype != dtype)
        dtype = DType::F32;
    std::vector<int64_t> shape = infos[0]->shape;
    for (size_t i = 1; i < infos.size(); ++i)
      shape[0] += infos[i]->shape[0];
    int64_t in = shape.back();
    if (!quantisable || format == WeightFormat::Checkpoint || in % ::gemma::kQuantBlockSize)
      return {weight(packed, dtype, shape, infos), Value()};
    auto offsets = out.pack.addQuantized(packed, format, shape, infos);
    std::vector<int64_t> stored = shape, blocks = shape;
    if (format == WeightFormat::Int4)
      stored.back() /= 2;
    blocks.back() /= ::gemma::kQuantBlockSize;
    Value w = b.create<gd::WeightOp>(loc, MemRefType::get(stored, b.getI8Type()), packed,
                                     offsets.values, ValueRange{});
    Value s = b.create<gd::WeightOp>(loc, MemRefType::get(blocks, b.getF16Type()),
                                     packed + ".scales", offsets.scales, ValueRange{});
    return {w, s};
  }
  /// Norm weights, scales and scalars are tiny: stored as f32.
  Value vector(const std::string &packed, const std::string &source) {
    const TensorInfo *t = ckpt.find(source);
    return weight(packed, DType::F32, t->shape, {t});
  }
  Value weight(const std::string &packed, DType dtype, std::vector<int64_t> shape,
               std::vector<const TensorInfo *> sources) {
    uint64_t offset = out.pack.add(packed, dtype, shape, sources);
    auto type = MemRefType::get(shape, elementType(b, dtype));
    return b.create<gd::WeightOp>(loc, type, packed, offset, ValueRange{});
  }

  // --- arenas ----------------------------------------------------------
  /// Reserves a scratch region of `perToken` elements for every token of a
  /// chunk (regions are reused by every layer under the same name).
  void reserve(const std::string &name, int64_t perToken, int64_t elemBytes = 4) {
    uint64_t bytes = alignUp(uint64_t(perToken) * elemBytes * out.maxChunk);
    scratchOffset[name] = out.scratchBytes;
    out.scratchBytes += bytes;
    scratchCapacity[name] = uint64_t(perToken) * elemBytes;
  }
  /// A [T, dims...] view of a reserved region.
  Value act(const std::string &name, ArrayRef<int64_t> dims, Type elem = {}) {
    if (!elem)
      elem = b.getF32Type();
    SmallVector<int64_t> shape = {ShapedType::kDynamic};
    int64_t perToken = 1;
    for (int64_t d : dims) {
      shape.push_back(d);
      perToken *= d;
    }
    assert(scratchOffset.count(name) && "scratch region not reserved");
    assert(uint64_t(perToken) * 4 <= scratchCapacity[name] && "scratch region too small");
    auto type = MemRefType::get(shape, elem);
    return b.create<gd::ScratchOp>(loc, type, name, scratchOffset[name], ValueRange{tokens});
  }
  /// Cache rows per KV head: the context on full layers; on sliding layers a
  /// ring of window - 1 + max chunk slots, so a chunk's rows can be written
  /// before attention without evicting keys its first query still sees.
  int64_t kvSlots(const LayerGeometry &g) const {
    if (!g.sliding)
      return out.context;
    return std::min(out.context, cfg.slidingWindow - 1 + out.maxChunk);
  }
  Value kvCache(const std::string &name, int64_t heads, int64_t slots, int64_t dim) {
    uint64_t offset = out.kvBytes;
    out.kvBytes += alignUp(uint64_t(heads) * slots * dim * 4);
    auto type = MemRefType::get({heads, slots, dim}, b.getF32Type());
    return b.create<gd::KvCacheOp>(loc, type, name, offset, ValueRange{});
  }

  // --- ops -------------------------------------------------------------
  FloatAttr f32(double v) { return b.getF32FloatAttr(static_cast<float>(v)); }
  void norm(Value x, Value w, Value y) {
    b.create<gd::RmsNormOp>(loc, x, w, y, f32(cfg.rmsNormEps));
  }
  void linear(Value x, Matrix w, Value y) {
    b.create<gd::LinearOp>(loc, x, w.w, w.scales, y, /*argmaxOnly=*/Value(),
                           /*softcap=*/FloatAttr());
  }
  void add(Value a, Value c, Value y) { b.create<gd::AddOp>(loc, a, c, y); }
  void scale(Value x, Value scalar, double factor, Value y) {
    b.create<gd::ScaleOp>(loc, x, scalar, y, f32(factor));
  }
  Value columns(Value buffer, int64_t first, int64_t count) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(first)};
    SmallVector<OpFoldResult> sizes = {tokens, b.getIndexAttr(count)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    return b.create<memref::SubViewOp>(loc, buffer, offsets, sizes, strides);
  }

  void reserveScratch();
  void buildLayer(int64_t l);
  void buildPerLayerInputs();
  void buildFinal();

  OpBuilder b;
  Location loc;
  const ModelConfig &cfg;
  const Checkpoint &ckpt;
  ImportedModel &out;
  WeightFormat format;
  std::map<std::string, uint64_t> scratchOffset, scratchCapacity;
  std::map<int64_t, std::pair<Value, Value>> caches;
  Value tokens, pos0, ids, logits, hidden, perLayerInputs, argmaxOnly;
  Matrix embedTable;
};

void Importer::reserveScratch() {
  int64_t h = cfg.hiddenSize, maxQ = 0, maxKv = 0, maxMlp = 0;
  for (const LayerGeometry &g : cfg.layers) {
    maxQ = std::max(maxQ, cfg.numHeads * g.headDim);
    maxKv = std::max(maxKv, g.numKvHeads * g.headDim);
    maxMlp = std::max(maxMlp, g.intermediateSize);
  }
  for (const char *n : {"h", "x", "attn", "f", "final"})
    reserve(n, h);
  reserve("q", maxQ);
  reserve("o", maxQ);
  reserve("k", maxKv);
  reserve("v", maxKv);
  reserve("gate_up", 2 * maxMlp);
  reserve("mlp_act", maxMlp);
  if (cfg.moe) {
    int64_t k = cfg.topK, im = cfg.moeIntermediateSize;
    reserve("router_in", h);
    reserve("router_logits", cfg.numExperts);
    reserve("route_probs", k);
    reserve("route_ids", k);
    reserve("route_weights", k);
    reserve("x2", h);
    reserve("experts_gate_up", k * 2 * im);
    reserve("experts_act", k * im);
    reserve("experts_out", k * h);
    reserve("moe", h);
  }
  if (cfg.pleDim > 0) {
    int64_t all = cfg.numLayers * cfg.pleDim;
    reserve("ple_tokens", all);
    reserve("ple", all);
    reserve("ple_gate", cfg.pleDim);
    reserve("ple_out", h);
  }
}

// Spec 2.9: per-layer inputs, computed once before layer 0.
void Importer::buildPerLayerInputs() {
  int64_t all = cfg.numLayers * cfg.pleDim, p = cfg.pleDim;
  Value tok = act("ple_tokens", {all});
  b.create<gd::EmbedOp>(loc, ids,
                        matrix("embed_tokens_per_layer",
                               {ckptName("embed_tokens_per_layer.weight")}, false).w,
                        Value(), tok, f32(std::sqrt(float(p))));
  Value ctx = act("ple", {all});
  linear(hidden, matrix("per_layer_model_projection",
                        {ckptName("per_layer_model_projection.weight")}, false), ctx);
  scale(ctx, Value(), 1.0 / std::sqrt(double(cfg.hiddenSize)), ctx);
  Value ctx3 = act("ple", {cfg.numLayers, p});
  norm(ctx3, vector("per_layer_projection_norm", ckptName("per_layer_projection_norm.weight")),
       ctx3);
  add(ctx, tok, ctx);
  scale(ctx, Value(), 1.0 / std::sqrt(2.0), ctx);
  perLayerInputs = ctx;
}

void Importer::buildLayer(int64_t l) {
  const LayerGeometry &g = cfg.layers[l];
  int64_t h = cfg.hiddenSize, nq = cfg.numHeads, d = g.headDim, nkv = g.numKvHeads;
  auto W = [&](const std::string &s) { return layerName(l, s); };
  auto packed = [&](const std::string &s) { return llvm::formatv("layers.{0}.{1}", l, s).str(); };
  bool shared = g.kvSourceLayer >= 0;

  // Spec 2.4: attention.
  Value x = act("x", {h});
  norm(hidden, vector(packed("input_layernorm"), W("input_layernorm.weight")), x);
  Value q2 = act("q", {nq * d}), q3 = act("q", {nq, d});
  linear(x, matrix(packed("q_proj"), {W("self_attn.q_proj.weight")}), q2);
  norm(q3, vector(packed("q_norm"), W("self_attn.q_norm.weight")), q3);
  b.create<gd::RopeOp>(loc, q3, pos0, q3, b.getF64FloatAttr(g.ropeTheta),
                          b.getI64IntegerAttr(g.ropePairs));

  // K and V go into the cache before attention reads it (the ring has room
  // for a whole chunk, see kvSlots); KV-shared layers read their source's.
  Value kc, vc;
  if (!shared) {
    Value k2 = act("k", {nkv * d}), k3 = act("k", {nkv, d}), v3 = act("v", {nkv, d});
    linear(x, matrix(packed("k_proj"), {W("self_attn.k_proj.weight")}), k2);
    if (g.kEqV) {
      norm(k3, Value(), v3); // V = v_norm(raw K), before k_norm and RoPE
    } else {
      linear(x, matrix(packed("v_proj"), {W("self_attn.v_proj.weight")}), act("v", {nkv * d}));
      norm(v3, Value(), v3);
    }
    norm(k3, vector(packed("k_norm"), W("self_attn.k_norm.weight")), k3);
    b.create<gd::RopeOp>(loc, k3, pos0, k3, b.getF64FloatAttr(g.ropeTheta),
                          b.getI64IntegerAttr(g.ropePairs));
    kc = kvCache(llvm::formatv("layer{0}.k", l).str(), nkv, kvSlots(g), d);
    vc = kvCache(llvm::formatv("layer{0}.v", l).str(), nkv, kvSlots(g), d);
    b.create<gd::KvWriteOp>(loc, k3, v3, pos0, kc, vc);
    caches[l] = {kc, vc};
  } else {
    std::tie(kc, vc) = caches[g.kvSourceLayer];
  }
  Value o3 = act("o", {nq, d});
  b.create<gd::AttentionOp>(loc, q3, kc, vc, pos0, o3,
                            b.getI64IntegerAttr(g.sliding ? cfg.slidingWindow : 0), f32(1.0));
  Value attn = act("attn", {h});
  linear(act("o", {nq * d}), matrix(packed("o_proj"), {W("self_attn.o_proj.weight")}), attn);
  norm(attn, vector(packed("post_attention_layernorm"), W("post_attention_layernorm.weight")),
       attn);
  add(hidden, attn, hidden);

  // Spec 2.7 / 2.8: feed-forward (dense MLP, plus routed experts on MoE).
  int64_t im = g.intermediateSize;
  Value f = act("f", {h});
  norm(hidden, vector(packed("pre_feedforward_layernorm"), W("pre_feedforward_layernorm.weight")),
       x);
  Value gu = act("gate_up", {2 * im}), a = act("mlp_act", {im});
  linear(x, matrix(packed("mlp.gate_up"), {W("mlp.gate_proj.weight"), W("mlp.up_proj.weight")}),
         gu);
  b.create<gd::GeluGluOp>(loc, gu, a);
  linear(a, matrix(packed("mlp.down_proj"), {W("mlp.down_proj.weight")}), f);
  if (cfg.moe) {
    int64_t k = cfg.topK, e = cfg.moeIntermediateSize;
    norm(f, vector(packed("post_feedforward_layernorm_1"), W("post_feedforward_layernorm_1.weight")),
         f);
    // Spec 2.7's router, op by op (gemma-fuse-moe-routing makes it one op):
    // rmsnorm(x) * scale * H^-1/2 -> proj -> softmax -> top-k -> renormalise
    // * per_expert_scale.
    Value r = act("router_in", {h}), z = act("router_logits", {cfg.numExperts});
    norm(hidden, vector(packed("router.scale"), W("router.scale")), r);
    scale(r, Value(), 1.0 / std::sqrt(double(h)), r);
    linear(r, matrix(packed("router.proj"), {W("router.proj.weight")}, false), z); // never quantised
    b.create<gd::SoftmaxOp>(loc, z, z);
    Value ids32 = act("route_ids", {k}, b.getI32Type()), probs = act("route_probs", {k});
    Value weights = act("route_weights", {k});
    b.create<gd::TopKOp>(loc, z, probs, ids32);
    b.create<gd::MoeWeightsOp>(loc, probs, ids32,
                               vector(packed("router.per_expert_scale"),
                                      W("router.per_expert_scale")),
                               weights);
    Value x2 = act("x2", {h});
    norm(hidden,
         vector(packed("pre_feedforward_layernorm_2"), W("pre_feedforward_layernorm_2.weight")), x2);
    Value egu = act("experts_gate_up", {k, 2 * e}), eact = act("experts_act", {k, e});
    Value ey = act("experts_out", {k, h}), m = act("moe", {h});
    Matrix gateUp = matrix(packed("experts.gate_up_proj"), {W("experts.gate_up_proj")});
    b.create<gd::ExpertLinearOp>(loc, x2, gateUp.w, gateUp.scales, ids32, egu);
    b.create<gd::GeluGluOp>(loc, egu, eact);
    Matrix down = matrix(packed("experts.down_proj"), {W("experts.down_proj")});
    b.create<gd::ExpertLinearOp>(loc, eact, down.w, down.scales, ids32, ey);
    b.create<gd::MoeCombineOp>(loc, ey, weights, m);
    norm(m, vector(packed("post_feedforward_layernorm_2"), W("post_feedforward_layernorm_2.weight")),
         m);
    add(f, m, f);
  }
  norm(f, vector(packed("post_feedforward_layernorm"), W("post_feedforward_layernorm.weight")), f);
  add(hidden, f, hidden);

  // Spec 2.9: per-layer input.
  if (cfg.pleDim > 0) {
    int64_t p = cfg.pleDim;
    Value gate = act("ple_gate", {p});
    linear(hidden,
           matrix(packed("per_layer_input_gate"), {W("per_layer_input_gate.weight")}, false),
           gate);
    b.create<gd::GeluOp>(loc, gate, gate);
    b.create<gd::MulOp>(loc, gate, columns(perLayerInputs, l * p, p), gate);
    Value po = act("ple_out", {h});
    linear(gate,
           matrix(packed("per_layer_projection"), {W("per_layer_projection.weight")}, false),
           po);
    norm(po, vector(packed("post_per_layer_input_norm"), W("post_per_layer_input_norm.weight")),
         po);
    add(hidden, po, hidden);
  }
  // Spec 2.3: layer_scalar scales the whole residual stream.
  scale(hidden, vector(packed("layer_scalar"), W("layer_scalar")), 1.0, hidden);
}

// Spec 2.11: final norm, tied LM head, soft-cap; only the rows asked for.
void Importer::buildFinal() {
  int64_t h = cfg.hiddenSize;
  Value final = act("final", {h});
  norm(hidden, vector("norm", ckptName("norm.weight")), final);
  Value rows = b.create<memref::DimOp>(loc, logits, 0);
  Value first = b.create<arith::SubIOp>(loc, tokens, rows);
  SmallVector<OpFoldResult> offsets = {first, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {rows, b.getIndexAttr(h)};
  SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
  Value last = b.create<memref::SubViewOp>(loc, final, offsets, sizes, strides);
  std::string head = ::gemma::lmHeadTensorName(cfg, ckpt);
  Matrix table = head == ckptName("embed_tokens.weight") ? embedTable
                                                         : matrix("lm_head", {head});
  linear(last, table, logits);
  if (cfg.finalSoftcap > 0)
    b.create<gd::SoftcapOp>(loc, logits, logits, argmaxOnly, f32(cfg.finalSoftcap));
}

llvm::Error Importer::run() {
  if (llvm::Error err = ::gemma::checkTensors(cfg, ckpt))
    return err;
  if (cfg.pleDim > 0 && cfg.pleVocabSize < cfg.vocabSize)
    return llvm::createStringError(
        "%s: vocab_size_per_layer_input (%lld) is smaller than vocab_size (%lld)",
        cfg.configPath.c_str(), (long long)cfg.pleVocabSize, (long long)cfg.vocabSize);
  reserveScratch();

  ModuleOp module = ModuleOp::create(loc);
  out.module = module;
  b.setInsertionPointToEnd(module.getBody());
  auto bytes = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
  auto idsType = MemRefType::get({ShapedType::kDynamic}, b.getI32Type());
  auto logitsType = MemRefType::get({ShapedType::kDynamic, cfg.vocabSize}, b.getF32Type());
  auto fnType = b.getFunctionType(
      {bytes, bytes, bytes, idsType, b.getIndexType(), logitsType, b.getI64Type()}, {});
  auto fn = b.create<func::FuncOp>(loc, "gemma_forward", fnType);
  fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  const char *arenas[] = {"weights", "kv", "scratch"};
  for (unsigned i = 0; i < 3; ++i)
    fn.setArgAttr(i, "gemma.arena", b.getStringAttr(arenas[i]));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  ids = entry->getArgument(3);
  pos0 = entry->getArgument(4);
  logits = entry->getArgument(5);
  // GEMMA_FORWARD_ARGMAX_ONLY: the caller only takes the argmax of the logits.
  Value flagBit = b.create<arith::AndIOp>(loc, entry->getArgument(6),
                                          b.create<arith::ConstantIntOp>(loc, 1, 64));
  argmaxOnly = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, flagBit,
                                       b.create<arith::ConstantIntOp>(loc, 0, 64));
  tokens = b.create<memref::DimOp>(loc, ids, 0);

  // Spec 2.1: embedding times sqrt(H) (exact f32 sqrt, as the f32 reference).
  hidden = act("h", {cfg.hiddenSize});
  embedTable = matrix("embed_tokens", {ckptName("embed_tokens.weight")});
  b.create<gd::EmbedOp>(loc, ids, embedTable.w, embedTable.scales, hidden,
                        f32(std::sqrt(float(cfg.hiddenSize))));
  if (cfg.pleDim > 0)
    buildPerLayerInputs();
  for (int64_t l = 0; l < cfg.numLayers; ++l)
    buildLayer(l);
  buildFinal();
  b.create<func::ReturnOp>(loc);

  llvm::raw_string_ostream geo(out.geometry);
  geo << "vocab=" << cfg.vocabSize << " hidden=" << cfg.hiddenSize << " heads=" << cfg.numHeads
      << " window=" << cfg.slidingWindow << " eps=" << cfg.rmsNormEps
      << " softcap=" << cfg.finalSoftcap << " moe=" << cfg.moe << "/" << cfg.numExperts << "/"
      << cfg.topK << "/" << cfg.moeIntermediateSize << " ple=" << cfg.pleDim
      << " context=" << out.context << " chunk=" << out.maxChunk << " kv=" << out.kvBytes
      << " scratch=" << out.scratchBytes;
  for (const LayerGeometry &g : cfg.layers)
    geo << " [" << g.sliding << "," << g.headDim << "," << g.numKvHeads << "," << g.kEqV << ","
        << g.kvSourceLayer << "," << g.intermediateSize << "," << g.ropeTheta << ","
        << g.ropePairs << "]";
  return llvm::Error::success();
}

} // namespace

namespace gemma {
llvm::Expected<ImportedModel> importModel(MLIRContext &ctx, const ModelConfig &cfg,
                                                 const Checkpoint &ckpt,
                                                 const ImportOptions &opts) {
  ctx.loadDialect<gd::GemmaDialect, func::FuncDialect, memref::MemRefDialect,
                  arith::ArithDialect, LLVM::LLVMDialect>();
  ImportedModel out;
  out.context = opts.context > 0 ? opts.context : std::min<int64_t>(cfg.maxPositions, 4096);
  if (out.context > cfg.maxPositions)
    return llvm::createStringError("--ctx %lld exceeds max_position_embeddings %lld of %s",
                                   (long long)out.context, (long long)cfg.maxPositions,
                                   cfg.configPath.c_str());
  out.maxChunk = opts.maxChunk > 0 ? opts.maxChunk : 256;
  out.maxChunk = std::min(out.maxChunk, out.context);
  Importer importer(ctx, cfg, ckpt, out, opts.weights);
  if (llvm::Error err = importer.run())
    return std::move(err);
  return std::move(out);
}

void setModelInfo(ModuleOp module, const std::vector<int64_t> &info) {
  OpBuilder b(module.getContext());
  if (Operation *old = module.lookupSymbol("gemma_model_info"))
    old->erase();
  b.setInsertionPointToStart(module.getBody());
  auto arrayType = LLVM::LLVMArrayType::get(b.getI64Type(), info.size());
  auto value = DenseElementsAttr::get(
      RankedTensorType::get({int64_t(info.size())}, b.getI64Type()), ArrayRef<int64_t>(info));
  b.create<LLVM::GlobalOp>(module.getLoc(), arrayType, /*isConstant=*/true,
                           LLVM::Linkage::External, "gemma_model_info", value);
}
} // namespace gemma
