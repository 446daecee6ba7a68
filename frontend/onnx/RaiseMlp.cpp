//===- RaiseMlp.cpp - gated GELU MLP --------------------------------------===//
//
// Gemma4TextMLP: down(gelu_tanh(gate(x)) * up(x)) on raised linears, all
// three weights in the same layout. Only the tanh approximation is Gemma's
// activation (spec 2.7: erf GELU is a known porting mistake), so a Gelu
// without approximate="tanh" is not raised.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

struct GeluMlp : OpRewritePattern<go::LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(go::LinearOp down, PatternRewriter &rewriter) const override {
    go::NodeOp mul = nodeOf(down.getX(), "Mul");
    if (!mul)
      return failure();
    for (int i = 0; i < 2; ++i) {
      go::NodeOp gelu = nodeOf(mul.getInputs()[i], "Gelu");
      auto up = mul.getInputs()[1 - i].getDefiningOp<go::LinearOp>();
      auto gate = gelu ? gelu.getInputs()[0].getDefiningOp<go::LinearOp>() : go::LinearOp();
      if (!gate || !up || strAttr(gelu, "approximate") != "tanh" || gate.getX() != up.getX() ||
          gate.getInOut() != down.getInOut() || up.getInOut() != down.getInOut())
        continue;
      auto op = rewriter.create<go::GeluMlpOp>(
          fusedLoc(rewriter, {down, mul, gelu, gate, up}), down.getType(), gate.getX(),
          gate.getWeight(), up.getWeight(), down.getWeight(), down.getInOut());
      rewriter.replaceOp(down, op->getResults());
      return success();
    }
    return failure();
  }
};

} // namespace

void populateMlpPatterns(RewritePatternSet &p, int phase) {
  if (phase == 1)
    p.add<GeluMlp>(p.getContext());
}

} // namespace gemma::onnxfe
