//===- RaiseEmbed.cpp - scaled embedding lookups --------------------------===//
//
// Gemma4TextScaledWordEmbedding: Mul(Gather(table, ids, axis=0), scale) with
// a one-element scale initializer (sqrt(H) for the token embedding, sqrt(P)
// for the per-layer embeddings).
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

struct Embed : NodePattern {
  Embed(MLIRContext *ctx) : NodePattern(ctx, "Mul") {}
  LogicalResult rewrite(go::NodeOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      go::NodeOp gather = nodeOf(mul.getInputs()[i], "Gather");
      std::optional<double> scale = constScalar(mul.getInputs()[1 - i]);
      if (!gather || !scale || intAttr(gather, "axis", 0) != 0 ||
          !initOf(gather.getInputs()[0]) || rankOf(gather.getInputs()[0]) != 2)
        continue;
      auto op = rewriter.create<go::EmbedOp>(
          fusedLoc(rewriter, {mul, gather, mul.getInputs()[1 - i].getDefiningOp()}),
          mul.getType(0), gather.getInputs()[1], gather.getInputs()[0],
          rewriter.getF64FloatAttr(*scale));
      rewriter.replaceOp(mul, op->getResults());
      return success();
    }
    return failure();
  }
};

} // namespace

void populateEmbedPatterns(RewritePatternSet &p, int phase) {
  if (phase == 0)
    p.add<Embed>(p.getContext());
}

} // namespace gemma::onnxfe
