//===- RaiseLinear.cpp - projections by a weight initializer --------------===//
//
// torch.onnx folds nn.Linear's transpose into the initializer: MatMul(x, W)
// with W stored [in, out]. The tied LM head keeps the table and transposes it
// in the graph: MatMul(x, Transpose(E, perm=[1, 0])). The MoE router is a
// Gemm with transB=1. All three become `linear`; which layout the weight
// has is recorded (in_out) so the binding can transpose it when packing.
// A MatMul of two activations (attention scores) is not a linear.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

bool isMatrixInit(Value v) { return initOf(v) && rankOf(v) == 2; }

struct MatMulLinear : NodePattern {
  MatMulLinear(MLIRContext *ctx) : NodePattern(ctx, "MatMul") {}
  LogicalResult rewrite(go::NodeOp mm, PatternRewriter &rewriter) const override {
    Value x = mm.getInputs()[0], w = mm.getInputs()[1];
    if (isMatrixInit(w)) {
      auto lin = rewriter.create<go::LinearOp>(mm.getLoc(), mm.getType(0), x, w, true);
      rewriter.replaceOp(mm, lin->getResults());
      return success();
    }
    go::NodeOp tr = nodeOf(w, "Transpose");
    if (tr && isMatrixInit(tr.getInputs()[0])) {
      auto perm = tr->getAttrOfType<DenseI64ArrayAttr>("perm");
      if (perm && (perm.asArrayRef() != ArrayRef<int64_t>{1, 0}))
        return failure();
      auto lin = rewriter.create<go::LinearOp>(fusedLoc(rewriter, {mm, tr}), mm.getType(0), x,
                                               tr.getInputs()[0], false);
      rewriter.replaceOp(mm, lin->getResults());
      return success();
    }
    return failure();
  }
};

struct GemmLinear : NodePattern {
  GemmLinear(MLIRContext *ctx) : NodePattern(ctx, "Gemm") {}
  LogicalResult rewrite(go::NodeOp g, PatternRewriter &rewriter) const override {
    auto fattr = [&](StringRef n) {
      auto a = g->getAttrOfType<FloatAttr>(n);
      return a ? a.getValueAsDouble() : 1.0;
    };
    bool hasC = g.getInputs().size() > 2 && !isa<NoneType>(g.getInputs()[2].getType());
    Value w = g.getInputs()[1];
    if (hasC || intAttr(g, "transA", 0) != 0 || fattr("alpha") != 1.0 || !isMatrixInit(w))
      return failure();
    bool inOut = intAttr(g, "transB", 0) == 0;
    auto lin = rewriter.create<go::LinearOp>(g.getLoc(), g.getType(0), g.getInputs()[0], w, inOut);
    rewriter.replaceOp(g, lin->getResults());
    return success();
  }
};

} // namespace

void populateLinearPatterns(RewritePatternSet &p, int phase) {
  if (phase == 0)
    p.add<MatMulLinear, GemmLinear>(p.getContext());
}

} // namespace gemma::onnxfe
