//===- RaiseGqa.cpp - grouped-query attention's repeat_kv -----------------===//
//
// HF's repeat_kv on K/V [B, T, n_kv, d] (after the heads-first Transpose):
//   Reshape(Expand(Unsqueeze(Transpose(x, [0, 2, 1, 3]), [2]),
//                  [B, n_kv, g, T, d]), [B, n_kv * g, T, d])
// The group count g is the Expand shape's third entry, which torch.onnx
// builds with Concat from constants and the dynamic T.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

/// Entry `i` of a shape built by Concat of one-element pieces (or an
/// initializer).
std::optional<int64_t> shapeEntry(Value shape, unsigned i, SmallVectorImpl<Operation *> &ops) {
  if (auto all = constInts(shape))
    return i < all->size() ? std::optional<int64_t>((*all)[i]) : std::nullopt;
  go::NodeOp cat = nodeOf(shape, "Concat");
  if (!cat || i >= cat.getInputs().size())
    return std::nullopt;
  auto piece = constInts(cat.getInputs()[i]);
  if (!piece || piece->size() != 1)
    return std::nullopt;
  ops.push_back(cat);
  return (*piece)[0];
}

struct RepeatKv : NodePattern {
  RepeatKv(MLIRContext *ctx) : NodePattern(ctx, "Reshape") {}
  LogicalResult rewrite(go::NodeOp reshape, PatternRewriter &rewriter) const override {
    go::NodeOp expand = nodeOf(reshape.getInputs()[0], "Expand");
    go::NodeOp unsq = expand ? nodeOf(expand.getInputs()[0], "Unsqueeze") : go::NodeOp();
    go::NodeOp tr = unsq ? nodeOf(unsq.getInputs()[0], "Transpose") : go::NodeOp();
    if (!tr)
      return failure();
    auto axes = constInts(unsq.getInputs()[1]);
    auto perm = tr->getAttrOfType<DenseI64ArrayAttr>("perm");
    if (!axes || *axes != SmallVector<int64_t>{2} || !perm ||
        perm.asArrayRef() != ArrayRef<int64_t>{0, 2, 1, 3})
      return failure();
    SmallVector<Operation *> ops = {reshape, expand, unsq, tr};
    std::optional<int64_t> groups = shapeEntry(expand.getInputs()[1], 2, ops);
    if (!groups || *groups < 1)
      return failure();
    auto op = rewriter.create<go::RepeatKvOp>(fusedLoc(rewriter, ops), reshape.getType(0),
                                              tr.getInputs()[0],
                                              rewriter.getI64IntegerAttr(*groups));
    rewriter.replaceOp(reshape, op->getResults());
    return success();
  }
};

} // namespace

void populateGqaPatterns(RewritePatternSet &p, int phase) {
  if (phase == 1)
    p.add<RepeatKv>(p.getContext());
}

} // namespace gemma::onnxfe
