//===- RaiseRmsNorm.cpp - RMSNorm with and without weight -----------------===//
//
// HF's Gemma4RMSNorm exports as
//   r = Pow(Add(ReduceMean(Pow(x, 2), axes=[-1], keepdims=1), eps), -0.5)
//   y = Mul(x, r)                      (weightless: v_norm, router norm)
//   y = Mul(Mul(x, r), w)              (weighted)
// The epsilon must sit inside the root, added to the mean (spec 2.2); a
// norm that adds it elsewhere is a different function and is left alone.
// `1 / Sqrt(...)` (Reciprocal or Div) is accepted for the root as well.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

/// If `r` is (mean(x^2) + eps)^-1/2 of `x`, returns eps and the matched ops.
std::optional<double> matchInvRms(Value r, Value x, SmallVectorImpl<Operation *> &ops) {
  Value sum;
  if (go::NodeOp pow = nodeOf(r, "Pow")) {
    if (!isConst(pow.getInputs()[1], -0.5))
      return std::nullopt;
    sum = pow.getInputs()[0];
    ops.push_back(pow);
  } else if (go::NodeOp rec = nodeOf(r, "Reciprocal")) {
    go::NodeOp sq = nodeOf(rec.getInputs()[0], "Sqrt");
    if (!sq)
      return std::nullopt;
    sum = sq.getInputs()[0];
    ops.append({rec, sq});
  } else if (go::NodeOp div = nodeOf(r, "Div")) {
    go::NodeOp sq = nodeOf(div.getInputs()[1], "Sqrt");
    if (!sq || !isConst(div.getInputs()[0], 1.0))
      return std::nullopt;
    sum = sq.getInputs()[0];
    ops.append({div, sq});
  } else {
    return std::nullopt;
  }
  go::NodeOp add = nodeOf(sum, "Add");
  if (!add)
    return std::nullopt;
  go::NodeOp mean;
  std::optional<double> eps;
  for (int i = 0; i < 2 && !mean; ++i)
    if ((mean = nodeOf(add.getInputs()[i], "ReduceMean")))
      eps = constScalar(add.getInputs()[1 - i]);
  if (!mean || !eps || *eps < 0 || mean.getInputs().size() != 2 ||
      intAttr(mean, "keepdims", 1) != 1 || !isLastAxis(mean.getInputs()[1], rankOf(x)))
    return std::nullopt;
  go::NodeOp sq = nodeOf(mean.getInputs()[0], "Pow");
  Value squared = mean.getInputs()[0];
  if (sq) {
    if (sq.getInputs()[0] != x || !isConst(sq.getInputs()[1], 2.0))
      return std::nullopt;
  } else if (go::NodeOp mul = nodeOf(squared, "Mul")) {
    if (mul.getInputs()[0] != x || mul.getInputs()[1] != x)
      return std::nullopt;
    sq = mul;
  } else {
    return std::nullopt;
  }
  ops.append({add, mean, sq});
  return shortestDouble(float(*eps));
}

/// Mul(x, invrms(x)) -> rms_norm(x).
struct RmsNorm : NodePattern {
  RmsNorm(MLIRContext *ctx) : NodePattern(ctx, "Mul") {}
  LogicalResult rewrite(go::NodeOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      Value x = mul.getInputs()[i], r = mul.getInputs()[1 - i];
      SmallVector<Operation *> ops = {mul};
      std::optional<double> eps = matchInvRms(r, x, ops);
      if (!eps)
        continue;
      auto norm = rewriter.create<go::RmsNormOp>(fusedLoc(rewriter, ops), mul.getType(0), x,
                                                 Value(), rewriter.getF64FloatAttr(*eps));
      rewriter.replaceOp(mul, norm->getResults());
      return success();
    }
    return failure();
  }
};

/// Mul(rms_norm(x), w) -> rms_norm(x, w) for a weight initializer. The
/// weightless norm stays if something else reads it (k_eq_v layers share
/// it between k_norm and v_norm, MoE layers between router and experts).
struct RmsNormWeight : NodePattern {
  RmsNormWeight(MLIRContext *ctx) : NodePattern(ctx, "Mul") {}
  LogicalResult rewrite(go::NodeOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      auto norm = mul.getInputs()[i].getDefiningOp<go::RmsNormOp>();
      Value w = mul.getInputs()[1 - i];
      if (!norm || norm.getWeight() || !initOf(w))
        continue;
      // A one-element initializer is a scale, not a norm weight.
      auto wt = dyn_cast<RankedTensorType>(w.getType());
      if (!wt || wt.getNumElements() <= 1)
        continue;
      auto raised = rewriter.create<go::RmsNormOp>(fusedLoc(rewriter, {mul, norm}),
                                                   mul.getType(0), norm.getX(), w,
                                                   norm.getEpsAttr());
      rewriter.replaceOp(mul, raised->getResults());
      return success();
    }
    return failure();
  }
};

} // namespace

void populateRmsNormPatterns(RewritePatternSet &p, int phase) {
  if (phase == 0)
    p.add<RmsNorm>(p.getContext());
  if (phase == 1)
    p.add<RmsNormWeight>(p.getContext());
}

} // namespace gemma::onnxfe
