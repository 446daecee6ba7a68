//===- RaiseSoftcap.cpp - final logit soft-cap ----------------------------===//
//
// cap * tanh(x / cap): Mul(Tanh(Div(x, c)), c), or with Mul(x, 1/c) inside.
// Both constants must be the same cap; anything else is not a soft-cap.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

#include <cmath>

using namespace mlir;

namespace gemma::onnxfe {
namespace {

struct Softcap : NodePattern {
  Softcap(MLIRContext *ctx) : NodePattern(ctx, "Mul") {}
  LogicalResult rewrite(go::NodeOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      go::NodeOp tanh = nodeOf(mul.getInputs()[i], "Tanh");
      std::optional<double> cap = constScalar(mul.getInputs()[1 - i]);
      if (!tanh || !cap || *cap <= 0)
        continue;
      Value inner = tanh.getInputs()[0];
      Value x;
      Operation *scale = inner.getDefiningOp();
      if (go::NodeOp div = nodeOf(inner, "Div")) {
        if (isConst(div.getInputs()[1], *cap))
          x = div.getInputs()[0];
      } else if (go::NodeOp m = nodeOf(inner, "Mul")) {
        for (int j = 0; j < 2 && !x; ++j)
          if (isConst(m.getInputs()[1 - j], 1.0 / *cap))
            x = m.getInputs()[j];
      }
      if (!x)
        continue;
      auto op = rewriter.create<go::SoftcapOp>(fusedLoc(rewriter, {mul, tanh, scale}),
                                               mul.getType(0), x,
                                               rewriter.getF64FloatAttr(shortestDouble(float(*cap))));
      rewriter.replaceOp(mul, op->getResults());
      return success();
    }
    return failure();
  }
};

} // namespace

void populateSoftcapPatterns(RewritePatternSet &p, int phase) {
  if (phase == 0)
    p.add<Softcap>(p.getContext());
}

} // namespace gemma::onnxfe
