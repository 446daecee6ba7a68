//===- Assemble.cpp - raised ONNX graph -> ModelConfig + weights ----------===//
//
// See Assemble.h. The decoder is read backwards (logits -> final norm ->
// layer L-1 -> ... -> embedding) because every layer has a single output,
// the residual stream, while its input fans out to many readers. Each step
// names what it expected and what it found, so an unsupported graph fails
// at the first node that does not fit.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Assemble.h"
#include "frontend/onnx/Match.h"

#include "frontend/TensorManifest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <set>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::formatv;

namespace gemma::onnxfe {
namespace {

/// The first ONNX node name recorded in a (fused) location.
std::string firstName(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations()) {
      std::string s = firstName(l);
      if (!s.empty())
        return s;
    }
  return "";
}

struct Bound {
  std::string suffix; // below "model." or "model.layers.N."
  Value weight;
  bool transpose;
  Operation *user;
};

struct LayerRec {
  LayerGeometry g;
  std::vector<Bound> weights;
  Value k, v;           // attention's K and V operands (identity = KV sharing)
  go::RmsNormOp input;  // input_layernorm: K/V of an owning layer read it
  int64_t pleLayer = -1;
  Operation *pleInputs = nullptr;
  go::MoeRouteOp route;
};

class Assembler {
public:
  Assembler(const OnnxModel &model, int64_t opset) : model(model), opset(opset) {}
  Error run(ModuleOp module);
  AssembledModel out;

private:
  // --- diagnostics -----------------------------------------------------
  std::string describe(Operation *op) {
    if (auto n = dyn_cast<go::NodeOp>(op))
      return formatv("node '{0}' (op {1}, opset {2})", strAttr(n, "name"), n.getOpType(), opset);
    return formatv("{0} (raised from node '{1}')", op->getName().getStringRef(),
                   firstName(op->getLoc()));
  }
  Error fail(const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), model.path + ": " + msg.str());
  }
  /// "expected WHAT, found <node>": the generic unsupported-graph error.
  Error unexpected(Value v, llvm::StringRef what) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return fail(formatv("expected {0}, found the graph input", what));
    if (auto n = dyn_cast<go::NodeOp>(def))
      return fail(formatv("{0} was not raised to a gemma op and has no generic lowering here "
                          "(expected {1})",
                          describe(def), what));
    return fail(formatv("expected {0}, found {1}", what, describe(def)));
  }

  // --- generic lowerings ------------------------------------------------
  void generic(Operation *op, llvm::StringRef kind) {
    if (auto n = dyn_cast<go::NodeOp>(op))
      out.generic.emplace(strAttr(n, "name").str(), kind.str());
  }
  /// Layout-only nodes are views of the same arena rows; so is the shape
  /// arithmetic that feeds their shape operand.
  Value view(Value v) {
    while (auto n = v.getDefiningOp<go::NodeOp>()) {
      StringRef t = n.getOpType();
      if (t != "Reshape" && t != "Squeeze" && t != "Unsqueeze" && t != "Identity" &&
          t != "Flatten")
        break;
      generic(n, "view");
      for (Value s : n.getInputs().drop_front())
        shapeArithmetic(s);
      v = n.getInputs()[0];
    }
    return v;
  }
  void shapeArithmetic(Value v) {
    auto n = v.getDefiningOp<go::NodeOp>();
    if (!n || out.generic.count(strAttr(n, "name").str()))
      return;
    generic(n, "view");
    for (Value in : n.getInputs())
      shapeArithmetic(in);
  }
  template <typename T> Expected<T> expect(Value v, llvm::StringRef what) {
    v = view(v);
    if (auto op = v.getDefiningOp<T>())
      return op;
    return unexpected(v, what);
  }
  Expected<go::RmsNormOp> norm(Value v, bool weighted, llvm::StringRef what) {
    auto n = expect<go::RmsNormOp>(v, what);
    if (!n)
      return n.takeError();
    if (bool(n->getWeight()) != weighted)
      return fail(formatv("{0}: expected {1} {2} weight", describe(*n), what,
                          weighted ? "with a" : "without"));
    eps.insert(n->getEps().convertToDouble());
    return *n;
  }

  // --- weights ------------------------------------------------------------
  std::vector<int64_t> dims(Value w) {
    auto t = cast<RankedTensorType>(w.getType());
    return std::vector<int64_t>(t.getShape().begin(), t.getShape().end());
  }
  /// Output features of a projection weight.
  int64_t outDim(Value w, bool inOut) {
    std::vector<int64_t> d = dims(w);
    return d.size() == 2 ? d[inOut ? 1 : 0] : -1;
  }
  Error bindTo(std::vector<Bound> &list, std::string suffix, Value w, bool transpose,
               Operation *user) {
    if (!initOf(w))
      return unexpected(w, "an initializer holding '" + suffix + "'");
    list.push_back({std::move(suffix), w, transpose, user});
    return Error::success();
  }

  Expected<Value> layer(Value out, LayerRec &r);
  Error attention(go::AttentionOp attn, LayerRec &r);
  Error keysValues(LayerRec &r);
  Error ffn(Value f, Value hmid, LayerRec &r);

  enum class Branch { None, Ple, Ffn, Attention };
  Branch classify(Value v);

  const OnnxModel &model;
  int64_t opset;
  std::set<double> eps;
  std::set<int64_t> windows, topKs, experts_, moeWidths;
  std::vector<int64_t> headsTimesDim; // q_proj widths, last layer first
  std::vector<Bound> globals;
  std::vector<double> moeInputScales;
};

Assembler::Branch Assembler::classify(Value v) {
  auto n = view(v).getDefiningOp<go::RmsNormOp>();
  if (!n || !n.getWeight())
    return Branch::None;
  Value x = view(n.getX());
  if (x.getDefiningOp<go::PleLayerOp>())
    return Branch::Ple;
  if (x.getDefiningOp<go::GeluMlpOp>() || nodeOf(x, "Add"))
    return Branch::Ffn;
  if (auto lin = x.getDefiningOp<go::LinearOp>())
    if (view(lin.getX()).getDefiningOp<go::AttentionOp>())
      return Branch::Attention;
  return Branch::None;
}

/// Reads one decoder layer backwards from its output; returns its input.
Expected<Value> Assembler::layer(Value h, LayerRec &r) {
  go::NodeOp mul = nodeOf(h, "Mul");
  if (!mul)
    return unexpected(h, "the end of a decoder layer (Mul by layer_scalar) or the embedding");
  Value stream;
  for (int i = 0; i < 2 && !stream; ++i) {
    auto t = dyn_cast<RankedTensorType>(mul.getInputs()[i].getType());
    if (initOf(mul.getInputs()[i]) && t && t.getNumElements() == 1) {
      if (Error e = bindTo(r.weights, "layer_scalar", mul.getInputs()[i], false, mul))
        return std::move(e);
      stream = mul.getInputs()[1 - i];
    }
  }
  if (!stream)
    return fail(describe(mul) + ": expected the layer_scalar Mul (one operand a one-element "
                                "initializer)");
  generic(mul, "layer scale");

  // Residual adds, outermost first: [PLE], FFN, attention.
  auto residual = [&](Value v, Branch want, const char *what) -> Expected<std::pair<Value, Value>> {
    v = view(v);
    go::NodeOp add = nodeOf(v, "Add");
    if (!add)
      return unexpected(v, formatv("the {0} residual Add", what).str());
    for (int i = 0; i < 2; ++i)
      if (classify(add.getInputs()[i]) == want) {
        generic(add, "residual add");
        return std::make_pair(view(add.getInputs()[1 - i]), view(add.getInputs()[i]));
      }
    return fail(formatv("{0}: expected the {1} residual (stream + post-norm of the {1} branch)",
                        describe(add), what));
  };

  Value hv = view(stream);
  if (go::NodeOp add = nodeOf(hv, "Add"))
    if (classify(add.getInputs()[0]) == Branch::Ple || classify(add.getInputs()[1]) == Branch::Ple) {
      auto parts = residual(hv, Branch::Ple, "per-layer-input");
      if (!parts)
        return parts.takeError();
      auto post = norm(parts->second, true, "post_per_layer_input_norm");
      if (!post)
        return post.takeError();
      auto ple = expect<go::PleLayerOp>(post->getX(), "the per-layer input block");
      if (!ple)
        return ple.takeError();
      if (view(ple->getH()) != parts->first)
        return fail(describe(*ple) + ": the per-layer input gate must read the residual stream");
      if (Error e = bindTo(r.weights, "post_per_layer_input_norm.weight", post->getWeight(), false,
                           *post))
        return std::move(e);
      if (Error e = bindTo(r.weights, "per_layer_input_gate.weight", ple->getGate(), true, *ple))
        return std::move(e);
      if (Error e = bindTo(r.weights, "per_layer_projection.weight", ple->getProj(), true, *ple))
        return std::move(e);
      r.pleLayer = ple->getLayer();
      r.pleInputs = ple->getInputs().getDefiningOp();
      hv = parts->first;
    }

  auto ffnParts = residual(hv, Branch::Ffn, "feed-forward");
  if (!ffnParts)
    return ffnParts.takeError();
  Value hmid = ffnParts->first;
  auto post = norm(ffnParts->second, true, "post_feedforward_layernorm");
  if (!post)
    return post.takeError();
  if (Error e = bindTo(r.weights, "post_feedforward_layernorm.weight", post->getWeight(), false,
                       *post))
    return std::move(e);
  if (Error e = ffn(post->getX(), hmid, r))
    return std::move(e);

  auto attnParts = residual(hmid, Branch::Attention, "attention");
  if (!attnParts)
    return attnParts.takeError();
  auto postAttn = norm(attnParts->second, true, "post_attention_layernorm");
  if (!postAttn)
    return postAttn.takeError();
  if (Error e = bindTo(r.weights, "post_attention_layernorm.weight", postAttn->getWeight(), false,
                       *postAttn))
    return std::move(e);
  auto o = expect<go::LinearOp>(postAttn->getX(), "o_proj");
  if (!o)
    return o.takeError();
  if (Error e = bindTo(r.weights, "self_attn.o_proj.weight", o->getWeight(), o->getInOut(), *o))
    return std::move(e);
  auto attn = expect<go::AttentionOp>(o->getX(), "the attention");
  if (!attn)
    return attn.takeError();
  if (Error e = attention(*attn, r))
    return std::move(e);
  if (view(r.input.getX()) != attnParts->first)
    return fail(describe(r.input) + ": input_layernorm must read the layer's input stream");
  return attnParts->first;
}

Error Assembler::attention(go::AttentionOp attn, LayerRec &r) {
  if (attn.getScale().convertToDouble() != 1.0)
    return fail(formatv("{0}: attention scale {1}; Gemma 4 attends with scale 1.0 (spec 2.4) "
                        "and gemmac supports no other",
                        describe(attn), attn.getScale().convertToDouble()));
  r.g.sliding = attn.getWindow() > 0;
  auto rope = expect<go::RopeOp>(attn.getQ(), "RoPE of the queries");
  if (!rope)
    return rope.takeError();
  auto qn = norm(rope->getX(), true, "q_norm");
  if (!qn)
    return qn.takeError();
  auto q = expect<go::LinearOp>(qn->getX(), "q_proj");
  if (!q)
    return q.takeError();
  auto in = norm(q->getX(), true, "input_layernorm");
  if (!in)
    return in.takeError();
  r.input = *in;
  r.g.headDim = lastDim(qn->getX());
  if (r.g.headDim <= 0)
    r.g.headDim = dims(qn->getWeight()).empty() ? 0 : dims(qn->getWeight()).back();
  r.g.ropeTheta = rope->getTheta().convertToDouble();
  r.g.ropePairs = rope->getPairs();
  if (Error e = bindTo(r.weights, "input_layernorm.weight", in->getWeight(), false, *in))
    return e;
  if (Error e = bindTo(r.weights, "self_attn.q_proj.weight", q->getWeight(), q->getInOut(), *q))
    return e;
  if (Error e = bindTo(r.weights, "self_attn.q_norm.weight", qn->getWeight(), false, *qn))
    return e;
  r.k = attn.getK();
  r.v = attn.getV();
  if (attn.getWindow() > 0)
    windows.insert(attn.getWindow());
  headsTimesDim.push_back(outDim(q->getWeight(), q->getInOut()));
  return Error::success();
}

/// K and V of a cache-owning layer: rope(k_norm(k_proj(a))) and
/// v_norm(v_proj(a)), or v_norm(k_proj(a)) when K = V (spec 2.4).
Error Assembler::keysValues(LayerRec &r) {
  auto rope = expect<go::RopeOp>(r.k, "RoPE of the keys");
  if (!rope)
    return rope.takeError();
  auto kn = norm(rope->getX(), true, "k_norm");
  if (!kn)
    return kn.takeError();
  auto k = expect<go::LinearOp>(kn->getX(), "k_proj");
  if (!k)
    return k.takeError();
  auto vn = norm(r.v, false, "v_norm");
  if (!vn)
    return vn.takeError();
  auto v = expect<go::LinearOp>(vn->getX(), "v_proj or k_proj");
  if (!v)
    return v.takeError();
  if (k->getX() != r.input.getResult() || v->getX() != r.input.getResult())
    return fail(describe(*k) + ": K and V must project the layer's input_layernorm output");
  if (rope->getTheta().convertToDouble() != r.g.ropeTheta || rope->getPairs() != r.g.ropePairs)
    return fail(describe(*rope) + ": keys and queries use different RoPE");
  r.g.kEqV = *v == *k;
  r.g.numKvHeads = r.g.headDim ? outDim(k->getWeight(), k->getInOut()) / r.g.headDim : 0;
  if (Error e = bindTo(r.weights, "self_attn.k_proj.weight", k->getWeight(), k->getInOut(), *k))
    return e;
  if (Error e = bindTo(r.weights, "self_attn.k_norm.weight", kn->getWeight(), false, *kn))
    return e;
  if (!r.g.kEqV)
    if (Error e = bindTo(r.weights, "self_attn.v_proj.weight", v->getWeight(), v->getInOut(), *v))
      return e;
  return Error::success();
}

Error Assembler::ffn(Value f, Value hmid, LayerRec &r) {
  auto denseMlp = [&](Value v) -> Error {
    auto mlp = expect<go::GeluMlpOp>(v, "the gated GELU MLP");
    if (!mlp)
      return mlp.takeError();
    auto pre = norm(mlp->getX(), true, "pre_feedforward_layernorm");
    if (!pre)
      return pre.takeError();
    if (view(pre->getX()) != hmid)
      return fail(describe(*pre) + ": the MLP's pre-norm must read the attention residual");
    bool t = mlp->getInOut();
    r.g.intermediateSize = outDim(mlp->getGate(), t);
    if (Error e = bindTo(r.weights, "pre_feedforward_layernorm.weight", pre->getWeight(), false,
                         *pre))
      return e;
    if (Error e = bindTo(r.weights, "mlp.gate_proj.weight", mlp->getGate(), t, *mlp))
      return e;
    if (Error e = bindTo(r.weights, "mlp.up_proj.weight", mlp->getUp(), t, *mlp))
      return e;
    return bindTo(r.weights, "mlp.down_proj.weight", mlp->getDown(), t, *mlp);
  };
  f = view(f);
  if (f.getDefiningOp<go::GeluMlpOp>())
    return denseMlp(f);
  go::NodeOp add = nodeOf(f, "Add");
  if (!add)
    return unexpected(f, "the feed-forward block (gated GELU MLP, or MLP + experts)");
  generic(add, "residual add");
  // MoE (spec 2.7): post_1(dense MLP) + post_2(experts).
  for (int i = 0; i < 2; ++i) {
    auto n1 = view(add.getInputs()[i]).getDefiningOp<go::RmsNormOp>();
    auto n2 = view(add.getInputs()[1 - i]).getDefiningOp<go::RmsNormOp>();
    if (!n1 || !n2 || !view(n1.getX()).getDefiningOp<go::GeluMlpOp>())
      continue;
    auto p1 = norm(n1, true, "post_feedforward_layernorm_1");
    auto p2 = norm(n2, true, "post_feedforward_layernorm_2");
    if (!p1 || !p2)
      return p1 ? p2.takeError() : p1.takeError();
    if (Error e = denseMlp(n1.getX()))
      return e;
    auto experts = expect<go::MoeExpertsOp>(n2.getX(), "the routed experts");
    if (!experts)
      return experts.takeError();
    auto route = experts->getIds().getDefiningOp<go::MoeRouteOp>();
    if (!route || experts->getWeights().getDefiningOp() != route)
      return unexpected(experts->getIds(), "the MoE routing");
    auto x2 = norm(experts->getX(), true, "pre_feedforward_layernorm_2");
    auto rn = norm(route.getX(), true, "the router norm (times router.scale)");
    if (!x2 || !rn)
      return x2 ? rn.takeError() : x2.takeError();
    if (view(x2->getX()) != hmid || view(rn->getX()) != hmid)
      return fail(describe(route) + ": router and experts must read the attention residual");
    std::vector<int64_t> gu = dims(experts->getGateUp());
    r.route = route;
    moeInputScales.push_back(route.getInputScale().convertToDouble());
    topKs.insert(route.getTopK());
    experts_.insert(dims(route.getPerExpertScale()).empty() ? 0 : dims(route.getPerExpertScale())[0]);
    moeWidths.insert(gu.size() == 3 ? gu[1] / 2 : 0);
    Operation *ex = *experts;
    using Entry = std::tuple<const char *, Value, bool, Operation *>;
    const Entry entries[] = {
        {"post_feedforward_layernorm_1.weight", p1->getWeight(), false, *p1},
        {"post_feedforward_layernorm_2.weight", p2->getWeight(), false, *p2},
        {"pre_feedforward_layernorm_2.weight", x2->getWeight(), false, *x2},
        {"router.scale", rn->getWeight(), false, *rn},
        {"router.proj.weight", route.getProj(), route.getInOut(), route},
        {"router.per_expert_scale", route.getPerExpertScale(), false, route},
        {"experts.gate_up_proj", experts->getGateUp(), false, ex},
        {"experts.down_proj", experts->getDown(), false, ex}};
    for (const Entry &en : entries)
      if (Error e = bindTo(r.weights, std::get<0>(en), std::get<1>(en), std::get<2>(en),
                           std::get<3>(en)))
        return e;
    return Error::success();
  }
  return fail(describe(add) + ": expected the MoE sum of post_feedforward_layernorm_1 (dense "
                              "MLP) and post_feedforward_layernorm_2 (experts)");
}

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

} // namespace

Expected<AssembledModel> assembleGemma(ModuleOp raised, const OnnxModel &model) {
  int64_t opset = 0;
  if (auto a = raised->getAttrOfType<IntegerAttr>("gemma_onnx.opset"))
    opset = a.getInt();
  Assembler a(model, opset);
  if (Error e = a.run(raised))
    return std::move(e);
  return std::move(a.out);
}

static DType dtypeOf(int32_t onnxType) {
  switch (onnxType) {
  case kFloat16: return DType::F16;
  case kBFloat16: return DType::BF16;
  default: return DType::F32;
  }
}

static std::string shapeStr(llvm::ArrayRef<int64_t> d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

Expected<std::unique_ptr<Checkpoint>> bindWeights(const AssembledModel &assembled,
                                                  std::shared_ptr<const OnnxModel> model) {
  auto fail = [&](const llvm::Twine &msg) -> Error {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), model->path + ": " + msg.str());
  };
  std::map<std::string, std::vector<int64_t>> want;
  for (const ExpectedTensor &t : expectedTensors(assembled.cfg))
    want[t.name] = t.shape;
  // Transposed copies live as long as the checkpoint (with the model).
  struct Owner {
    std::shared_ptr<const OnnxModel> model;
    std::vector<std::unique_ptr<std::vector<uint8_t>>> copies;
  };
  auto owner = std::make_shared<Owner>();
  owner->model = model;
  std::vector<TensorInfo> tensors;
  std::set<std::string> seen;
  for (const WeightBinding &w : assembled.weights) {
    const OnnxTensor *t = model->initializer(w.initializer);
    if (!t)
      return fail("no initializer '" + w.initializer + "'");
    if (t->type != kFloat && t->type != kFloat16 && t->type != kBFloat16)
      return fail(formatv("initializer '{0}' ({1}), read by {2}, has type {3}; gemmac needs "
                          "FLOAT, FLOAT16 or BFLOAT16 weights",
                          w.initializer, w.name, w.user, onnxTypeName(t->type)));
    TensorInfo info;
    info.name = w.name;
    info.dtype = dtypeOf(t->type);
    info.file = t->file;
    info.shape = t->dims;
    info.data = t->data;
    info.nbytes = t->nbytes;
    // torch.onnx upcasts a bf16 model's weights to FLOAT. When every value
    // is exactly a bf16 (low 16 bits zero) the tensor is packed as bf16:
    // lossless, half the bytes, and the same pack as the safetensors path.
    if (t->type == kFloat && t->nbytes >= 4) {
      bool bf16 = true;
      for (uint64_t i = 0; i < t->nbytes && bf16; i += 4)
        bf16 = t->data[i] == 0 && t->data[i + 1] == 0;
      if (bf16) {
        auto copy = std::make_unique<std::vector<uint8_t>>(t->nbytes / 2);
        for (uint64_t i = 0; i < t->nbytes / 4; ++i) {
          (*copy)[2 * i] = t->data[4 * i + 2];
          (*copy)[2 * i + 1] = t->data[4 * i + 3];
        }
        info.dtype = DType::BF16;
        info.data = copy->data();
        info.nbytes = copy->size();
        owner->copies.push_back(std::move(copy));
      }
    }
    if (w.transpose) {
      if (t->dims.size() != 2)
        return fail(formatv("initializer '{0}' read by {1} as a matrix has shape {2}",
                            w.initializer, w.user, shapeStr(t->dims)));
      // Stored [in, out] (MatMul); the checkpoint layout is [out, in].
      int64_t rows = t->dims[0], cols = t->dims[1];
      size_t es = dtypeSize(info.dtype);
      const uint8_t *src = info.data;
      auto copy = std::make_unique<std::vector<uint8_t>>(info.nbytes);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          std::memcpy(copy->data() + (c * rows + r) * es, src + (r * cols + c) * es, es);
      info.shape = {cols, rows};
      info.data = copy->data();
      owner->copies.push_back(std::move(copy));
    }
    auto it = want.find(w.name);
    if (it != want.end() && it->second != info.shape)
      return fail(formatv("initializer '{0}' has shape {1}{2} but {3} uses it as {4}, which "
                          "needs {5}",
                          w.initializer, shapeStr(t->dims),
                          w.transpose ? " (used transposed)" : "", w.user, w.name,
                          shapeStr(it->second)));
    if (!seen.insert(w.name).second)
      return fail("tensor '" + w.name + "' is bound twice");
    tensors.push_back(std::move(info));
  }
  return Checkpoint::fromTensors(model->path, std::move(tensors), owner);
}

} // namespace gemma::onnxfe
