//===- RaisePle.cpp - per-layer embeddings (E2B/E4B) ----------------------===//
//
// Spec 2.9. Before layer 0:
//   tok = Reshape(embed(ids, E_ple){sqrt(P)}, [B, T, L, P])
//   ctx = rms_norm(Reshape(Mul(linear(h0, proj), H^-1/2), [B, T, L, P]), norm_w)
//   p   = Mul(Add(ctx, tok), 2^-1/2)                  -> ple_inputs
// In layer l, after the FFN residual h:
//   linear(Mul(Gelu_tanh(linear(h, gate)), Gather(p, l, axis=2)), proj)
//                                                     -> ple_layer{layer = l}
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

Value skipReshape(Value v, SmallVectorImpl<Operation *> &ops) {
  if (go::NodeOp r = nodeOf(v, "Reshape")) {
    ops.push_back(r);
    return r.getInputs()[0];
  }
  return v;
}

struct PleInputs : NodePattern {
  PleInputs(MLIRContext *ctx) : NodePattern(ctx, "Mul") {}
  LogicalResult rewrite(go::NodeOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      go::NodeOp add = nodeOf(mul.getInputs()[i], "Add");
      std::optional<double> outScale = constScalar(mul.getInputs()[1 - i]);
      if (!add || !outScale)
        continue;
      for (int j = 0; j < 2; ++j) {
        SmallVector<Operation *> ops = {mul, add};
        auto norm = add.getInputs()[j].getDefiningOp<go::RmsNormOp>();
        auto tok = skipReshape(add.getInputs()[1 - j], ops).getDefiningOp<go::EmbedOp>();
        if (!norm || !norm.getWeight() || !tok)
          continue;
        go::NodeOp scaled = nodeOf(skipReshape(norm.getX(), ops), "Mul");
        if (!scaled)
          continue;
        for (int k = 0; k < 2; ++k) {
          auto proj = scaled.getInputs()[k].getDefiningOp<go::LinearOp>();
          std::optional<double> ctxScale = constScalar(scaled.getInputs()[1 - k]);
          if (!proj || !ctxScale || !proj.getInOut())
            continue;
          ops.append({norm, tok, scaled, proj});
          auto op = rewriter.create<go::PleInputsOp>(
              fusedLoc(rewriter, ops), mul.getType(0), tok.getIds(), proj.getX(), tok.getTable(),
              proj.getWeight(), norm.getWeight(), tok.getScaleAttr(),
              rewriter.getF64FloatAttr(shortestDouble(float(*ctxScale))),
              rewriter.getF64FloatAttr(shortestDouble(float(*outScale))), norm.getEpsAttr());
          rewriter.replaceOp(mul, op->getResults());
          return success();
        }
      }
    }
    return failure();
  }
};

struct PleLayer : OpRewritePattern<go::LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(go::LinearOp proj, PatternRewriter &rewriter) const override {
    go::NodeOp mul = nodeOf(proj.getX(), "Mul");
    if (!mul || !proj.getInOut())
      return failure();
    for (int i = 0; i < 2; ++i) {
      go::NodeOp gelu = nodeOf(mul.getInputs()[i], "Gelu");
      go::NodeOp select = nodeOf(mul.getInputs()[1 - i], "Gather");
      auto gate = gelu ? gelu.getInputs()[0].getDefiningOp<go::LinearOp>() : go::LinearOp();
      if (!gate || !select || !gate.getInOut() || strAttr(gelu, "approximate") != "tanh" ||
          intAttr(select, "axis", 0) != 2)
        continue;
      // A scalar index drops the layer axis; a one-element vector would keep
      // it ([B, T, 1, P]) and the Mul would broadcast, another function.
      std::optional<double> layer = constScalar(select.getInputs()[1]);
      auto inputs = select.getInputs()[0].getDefiningOp<go::PleInputsOp>();
      if (!layer || !inputs || rankOf(select.getInputs()[1]) != 0)
        continue;
      auto op = rewriter.create<go::PleLayerOp>(
          fusedLoc(rewriter, {proj, mul, gelu, select, gate}), proj.getType(), gate.getX(),
          inputs, gate.getWeight(), proj.getWeight(), rewriter.getI64IntegerAttr(int64_t(*layer)));
      rewriter.replaceOp(proj, op->getResults());
      return success();
    }
    return failure();
  }
};

} // namespace

void populatePlePatterns(RewritePatternSet &p, int phase) {
  if (phase == 2)
    p.add<PleInputs>(p.getContext());
  if (phase == 3)
    p.add<PleLayer>(p.getContext());
}

} // namespace gemma::onnxfe
