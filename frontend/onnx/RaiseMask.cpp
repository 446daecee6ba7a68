//===- RaiseMask.cpp - causal and sliding-window masks --------------------===//
//
// transformers builds the attention mask as a boolean predicate over query
// index q (axis -2) and key index k (axis -1), both Unsqueezes of
// Range(0, T, 1), AND-ed together:
//   LessOrEqual(k, q)                 causal
//   Greater(k, Sub(q, W))             sliding window: k > q - W (spec 2.6)
//   Equal(GatherND(c, .), GatherND(c, .)) with c = CumSum(...)
//                                     "same packed sequence": always true for
//                                     one sequence at positions 0..T-1
//   constant true                     (padding mask of an all-ones input)
// and turns it into an additive mask with Where(pred, 0, -inf). A predicate
// with any other leaf (bidirectional, strict <, a window of another form) is
// not raised; neither is one without the causal leaf.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

/// If `v` is Range(0, T, 1) after Unsqueezes: the axis it lies on, counted
/// from the end (-1: keys, -2: queries).
std::optional<int64_t> indexAxis(Value v, SmallVectorImpl<Operation *> &ops) {
  SmallVector<go::NodeOp> unsqueezes;
  while (go::NodeOp u = nodeOf(v, "Unsqueeze")) {
    unsqueezes.push_back(u);
    v = u.getInputs()[0];
  }
  go::NodeOp range = nodeOf(v, "Range");
  if (!range || !isConst(range.getInputs()[0], 0) || !isConst(range.getInputs()[2], 1))
    return std::nullopt;
  ops.push_back(range);
  // Replay the Unsqueezes forwards: rank and position of the index axis.
  int64_t rank = 1, axis = 0;
  for (auto it = unsqueezes.rbegin(); it != unsqueezes.rend(); ++it) {
    auto axes = constInts((*it).getInputs()[1]);
    if (!axes)
      return std::nullopt;
    int64_t newRank = rank + axes->size();
    SmallVector<int64_t> sorted;
    for (int64_t a : *axes)
      sorted.push_back(a < 0 ? a + newRank : a);
    llvm::sort(sorted);
    for (int64_t a : sorted)
      if (a <= axis)
        ++axis;
    rank = newRank;
    ops.push_back(*it);
  }
  return axis - rank;
}

bool isKeys(Value v, SmallVectorImpl<Operation *> &ops) { return indexAxis(v, ops) == -1; }
bool isQueries(Value v, SmallVectorImpl<Operation *> &ops) { return indexAxis(v, ops) == -2; }

struct Predicate {
  bool causal = false;
  int64_t window = 0;
};

/// Classifies one AND-ed leaf; false if it is not one of the known forms.
bool leaf(Value v, Predicate &p, SmallVectorImpl<Operation *> &ops) {
  if (auto vals = constValues(v)) {
    for (double d : *vals)
      if (d == 0)
        return false;
    ops.push_back(v.getDefiningOp());
    return true;
  }
  auto n = v.getDefiningOp<go::NodeOp>();
  if (!n)
    return false;
  ops.push_back(n);
  StringRef t = n.getOpType();
  if (t == "And")
    return leaf(n.getInputs()[0], p, ops) && leaf(n.getInputs()[1], p, ops);
  if (t == "LessOrEqual" && isKeys(n.getInputs()[0], ops) && isQueries(n.getInputs()[1], ops)) {
    p.causal = true;
    return true;
  }
  if (t == "GreaterOrEqual" && isQueries(n.getInputs()[0], ops) && isKeys(n.getInputs()[1], ops)) {
    p.causal = true;
    return true;
  }
  if (t == "Greater" && isKeys(n.getInputs()[0], ops)) {
    go::NodeOp sub = nodeOf(n.getInputs()[1], "Sub");
    std::optional<double> w = sub ? constScalar(sub.getInputs()[1]) : std::nullopt;
    if (!sub || !w || *w < 1 || !isQueries(sub.getInputs()[0], ops) || (p.window && p.window != *w))
      return false;
    ops.push_back(sub);
    p.window = int64_t(*w);
    return true;
  }
  if (t == "Equal") {
    go::NodeOp a = nodeOf(n.getInputs()[0], "GatherND"), b = nodeOf(n.getInputs()[1], "GatherND");
    if (!a || !b || a.getInputs()[0] != b.getInputs()[0] ||
        !nodeOf(a.getInputs()[0], "CumSum"))
      return false;
    // Everything feeding this test (the cumsum over position steps and the
    // gather indices) is part of the mask construction.
    SmallVector<Value> work = {n.getInputs()[0], n.getInputs()[1]};
    while (!work.empty()) {
      Operation *def = work.pop_back_val().getDefiningOp();
      if (!def || llvm::is_contained(ops, def) || !isa<go::NodeOp>(def))
        continue;
      ops.push_back(def);
      for (Value in : def->getOperands())
        work.push_back(in);
    }
    return true;
  }
  return false;
}

struct Mask : NodePattern {
  Mask(MLIRContext *ctx) : NodePattern(ctx, "Where") {}
  LogicalResult rewrite(go::NodeOp where, PatternRewriter &rewriter) const override {
    std::optional<double> allowed = constScalar(where.getInputs()[1]);
    std::optional<double> masked = constScalar(where.getInputs()[2]);
    if (!allowed || *allowed != 0 || !masked || *masked > -1e30)
      return failure();
    Predicate p;
    SmallVector<Operation *> ops = {where};
    if (!leaf(where.getInputs()[0], p, ops) || !p.causal)
      return failure();
    auto op = rewriter.create<go::MaskOp>(fusedLoc(rewriter, ops), where.getType(0),
                                          rewriter.getI64IntegerAttr(p.window));
    rewriter.replaceOp(where, op->getResults());
    return success();
  }
};

} // namespace

void populateMaskPatterns(RewritePatternSet &p, int phase) {
  if (phase == 0)
    p.add<Mask>(p.getContext());
}

} // namespace gemma::onnxfe
