//===- Assemble.cpp - raised ONNX graph -> ModelConfig + weights ----------===//
//
// See Assemble.h and Assembler.h: the whole-graph walk (final norm, LM head,
// embedding, the layers via AssembleLayer.cpp) and the model-level checks.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Assembler.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace gemma::onnxfe {
namespace detail {

Error Assembler::run(ModuleOp module) {
  auto fn = module.lookupSymbol<func::FuncOp>("main");
  if (!fn || fn.getNumArguments() != 1 || fn.getNumResults() != 1)
    return fail("expected a graph with one input (input_ids) and one output (logits)");
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  // A node of a type with no generic lowering fails here, by name, before
  // the skeleton walk would trip over its consumers.
  static const char *const lowerable[] = {"Add", "Mul", "Reshape", "Squeeze", "Unsqueeze",
                                          "Identity", "Flatten", "Shape", "Concat", "Gather",
                                          "Slice", "Cast"};
  Error early = Error::success();
  fn.walk([&](go::NodeOp n) {
    if (!early && !llvm::is_contained(lowerable, n.getOpType()))
      early = fail(describe(n) + " was not raised to a gemma op and has no generic lowering");
  });
  if (early)
    return early;
  ModelConfig &cfg = out.cfg;
  cfg.configPath = model.path;
  cfg.tensorPrefix = "model.";

  Value v = view(ret.getOperand(0));
  if (auto cap = v.getDefiningOp<go::SoftcapOp>()) {
    cfg.finalSoftcap = cap.getCap().convertToDouble();
    v = cap.getX();
  }
  auto head = expect<go::LinearOp>(v, "the LM head (logits = final norm x table^T)");
  if (!head)
    return head.takeError();
  auto fin = norm(head->getX(), true, "the final norm");
  if (!fin)
    return fin.takeError();
  if (Error e = bindTo(globals, "norm.weight", fin->getWeight(), false, *fin))
    return e;

  std::vector<LayerRec> layers;
  Value h = view(fin->getX());
  go::EmbedOp embed;
  while (!(embed = h.getDefiningOp<go::EmbedOp>())) {
    LayerRec r;
    auto next = layer(h, r);
    if (!next)
      return next.takeError();
    layers.push_back(std::move(r));
    h = *next;
  }
  std::reverse(layers.begin(), layers.end());
  if (layers.empty())
    return fail("the graph has no decoder layer");
  if (embed.getIds() != fn.getArgument(0))
    return unexpected(embed.getIds(), "the graph input (token ids) as the embedding's index");

  // Globals: embedding, LM head (tied when it reads the same initializer).
  std::vector<int64_t> table = dims(embed.getTable());
  if (table.size() != 2)
    return fail(describe(embed) + ": the embedding table must be a matrix");
  cfg.vocabSize = table[0];
  cfg.hiddenSize = table[1];
  cfg.numLayers = int64_t(layers.size());
  float wantScale = std::sqrt(float(cfg.hiddenSize));
  if (std::fabs(embed.getScale().convertToDouble() - wantScale) > 1e-6 * wantScale)
    return fail(formatv("{0}: embedding scale {1}, expected sqrt(hidden_size) = {2} (spec 2.1)",
                        describe(embed), embed.getScale().convertToDouble(), wantScale));
  if (Error e = bindTo(globals, "embed_tokens.weight", embed.getTable(), false, embed))
    return e;
  cfg.tieWordEmbeddings = initOf(head->getWeight()).getName() == initOf(embed.getTable()).getName() &&
                          !head->getInOut();
  if (!cfg.tieWordEmbeddings)
    if (Error e = bindTo(globals, "lm_head.weight", head->getWeight(), head->getInOut(), *head))
      return e;

  // Layers: KV sharing from the identity of the K/V values (spec 2.10).
  llvm::DenseMap<Value, int64_t> kOwner;
  for (size_t l = 0; l < layers.size(); ++l) {
    LayerRec &r = layers[l];
    auto it = kOwner.find(r.k);
    if (it != kOwner.end()) {
      const LayerGeometry &src = layers[it->second].g;
      if (layers[it->second].v != r.v)
        return fail(formatv("layer {0} reads the keys of layer {1} but other values", l,
                            it->second));
      r.g.kvSourceLayer = it->second;
      r.g.numKvHeads = src.numKvHeads;
      r.g.kEqV = src.kEqV;
      ++cfg.numKvSharedLayers;
      continue;
    }
    if (Error e = keysValues(r))
      return e;
    kOwner[r.k] = int64_t(l);
  }
  int64_t qWidth = headsTimesDim.back(); // layer 0
  cfg.numHeads = layers[0].g.headDim ? qWidth / layers[0].g.headDim : 0;
  for (size_t l = 0; l < layers.size(); ++l)
    if (layers[l].g.headDim <= 0 || headsTimesDim[layers.size() - 1 - l] !=
                                        cfg.numHeads * layers[l].g.headDim)
      return fail(formatv("layer {0}: q_proj width {1} is not {2} heads of {3}", l,
                          headsTimesDim[layers.size() - 1 - l], cfg.numHeads, layers[l].g.headDim));
  if (windows.size() > 1)
    return fail("sliding layers use different windows; gemmac supports one sliding_window");
  cfg.slidingWindow = windows.empty() ? 0 : *windows.begin();
  if (eps.size() != 1)
    return fail("the norms use different epsilons; gemmac supports one rms_norm_eps");
  cfg.rmsNormEps = *eps.begin();

  // MoE (every layer or none).
  size_t moeLayers = llvm::count_if(layers, [](const LayerRec &r) { return bool(r.route); });
  if (moeLayers && moeLayers != layers.size())
    return fail("only some layers have routed experts; gemmac supports MoE on every layer");
  if (moeLayers) {
    if (topKs.size() != 1 || experts_.size() != 1 || moeWidths.size() != 1)
      return fail("the MoE layers differ in expert count, top-k or expert width");
    cfg.moe = true;
    cfg.topK = *topKs.begin();
    cfg.numExperts = *experts_.begin();
    cfg.moeIntermediateSize = *moeWidths.begin();
    float want = 1.0f / std::sqrt(float(cfg.hiddenSize));
    for (double s : moeInputScales)
      if (std::fabs(s - want) > 1e-6 * want)
        return fail(formatv("router input scale {0}, expected hidden_size^-1/2 = {1} (spec 2.7)",
                            s, want));
  }

  // Per-layer embeddings: one ple_inputs shared by every layer, layer l
  // reading its own slice.
  size_t pleLayers = llvm::count_if(layers, [](const LayerRec &r) { return r.pleLayer >= 0; });
  if (pleLayers && pleLayers != layers.size())
    return fail("only some layers read per-layer inputs");
  if (pleLayers) {
    auto ple = cast<go::PleInputsOp>(layers[0].pleInputs);
    for (size_t l = 0; l < layers.size(); ++l)
      if (layers[l].pleInputs != ple || layers[l].pleLayer != int64_t(l))
        return fail(formatv("layer {0} reads per-layer input slice {1} of {2}", l,
                            layers[l].pleLayer, describe(layers[l].pleInputs)));
    std::vector<int64_t> pn = dims(ple.getNorm()), pt = dims(ple.getTable());
    cfg.pleDim = pn.empty() ? 0 : pn[0];
    cfg.pleVocabSize = pt.empty() ? 0 : pt[0];
    if (ple.getH0() != embed.getResult() || ple.getIds() != embed.getIds())
      return fail(describe(ple) + ": per-layer inputs must read the token ids and the embedding");
    auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-6 * std::fabs(b); };
    if (!near(ple.getTokScale().convertToDouble(), std::sqrt(float(cfg.pleDim))) ||
        !near(ple.getCtxScale().convertToDouble(), 1.0f / std::sqrt(float(cfg.hiddenSize))) ||
        !near(ple.getOutScale().convertToDouble(), 1.0f / std::sqrt(2.0f)))
      return fail(describe(ple) + ": per-layer input scales differ from sqrt(P), H^-1/2 and "
                                  "2^-1/2 (spec 2.9)");
    if (Error e = bindTo(globals, "embed_tokens_per_layer.weight", ple.getTable(), false, ple))
      return e;
    if (Error e = bindTo(globals, "per_layer_model_projection.weight", ple.getProj(), true, ple))
      return e;
    if (Error e = bindTo(globals, "per_layer_projection_norm.weight", ple.getNorm(), false, ple))
      return e;
  }

  // Side facts ONNX does not carry: token ids from generation_config.json /
  // config.json next to the model if present (Gemma's defaults otherwise),
  // the context limit from metadata (RoPE has no table to run out of).
  cfg.bosTokenId = 2;
  cfg.padTokenId = 0;
  cfg.eosTokenIds = {1};
  cfg.maxPositions = 1 << 20;
  auto meta = model.metadata.find("max_position_embeddings");
  if (meta != model.metadata.end())
    llvm::StringRef(meta->second).getAsInteger(10, cfg.maxPositions);
  for (const char *side : {"config.json", "generation_config.json"}) {
    llvm::SmallString<256> p(model.directory);
    llvm::sys::path::append(p, side);
    auto buf = llvm::MemoryBuffer::getFile(p, /*IsText=*/true);
    if (!buf)
      continue;
    auto json = llvm::json::parse((*buf)->getBuffer());
    const llvm::json::Object *o = json ? json->getAsObject() : nullptr;
    if (!json)
      llvm::consumeError(json.takeError());
    if (!o)
      continue;
    if (auto bos = o->getInteger("bos_token_id"))
      cfg.bosTokenId = *bos;
    if (auto pad = o->getInteger("pad_token_id"))
      cfg.padTokenId = *pad;
    if (auto eos = o->getInteger("eos_token_id"))
      cfg.eosTokenIds = {*eos};
    else if (const llvm::json::Array *a = o->getArray("eos_token_id")) {
      cfg.eosTokenIds.clear();
      for (const llvm::json::Value &e : *a)
        if (auto i = e.getAsInteger())
          cfg.eosTokenIds.push_back(*i);
    }
  }

  for (size_t l = 0; l < layers.size(); ++l)
    cfg.layers.push_back(layers[l].g);
  for (const Bound &b : globals)
    out.weights.push_back({"model." + b.suffix, initOf(b.weight).getName().str(), b.transpose,
                           describe(b.user)});
  for (size_t l = 0; l < layers.size(); ++l)
    for (const Bound &b : layers[l].weights)
      out.weights.push_back({formatv("model.layers.{0}.{1}", l, b.suffix).str(),
                             initOf(b.weight).getName().str(), b.transpose, describe(b.user)});
  if (!cfg.tieWordEmbeddings)
    for (WeightBinding &w : out.weights)
      if (w.name == "model.lm_head.weight")
        w.name = "lm_head.weight";

  // Every ONNX node left must have been lowered generically on the way.
  Error leftover = Error::success();
  fn.walk([&](go::NodeOp n) {
    if (!leftover && !out.generic.count(strAttr(n, "name").str()))
      leftover = fail(describe(n) + " was not raised to a gemma op and has no generic lowering");
  });
  return leftover;
}

} // namespace detail

Expected<AssembledModel> assembleGemma(ModuleOp raised, const OnnxModel &model) {
  int64_t opset = 0;
  if (auto a = raised->getAttrOfType<IntegerAttr>("gemma_onnx.opset"))
    opset = a.getInt();
  detail::Assembler a(model, opset);
  if (Error e = a.run(raised))
    return std::move(e);
  return std::move(a.out);
}

} // namespace gemma::onnxfe
