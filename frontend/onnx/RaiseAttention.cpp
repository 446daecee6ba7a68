//===- RaiseAttention.cpp - scaled dot-product attention ------------------===//
//
// torch.onnx's SDPA decomposition, heads-first:
//   S  = MatMul(Transpose(q, [0,2,1,3]), K^T)     [* scale]
//   P  = Softmax(Add(S, mask), axis=-1)
//   P  = Where(IsNaN(P), 0, P)                    (rows with every key masked)
//   O  = Reshape(Transpose(MatMul(P, V), [0,2,1,3]), [B, T, n_q * d])
// with K, V = repeat_kv(k), repeat_kv(v) (GQA) or plain heads-first
// Transposes (one KV head per query head), K^T either a Transpose or
// torch's Reshape/Transpose/Reshape over the flattened batch of heads, and
// mask a raised `mask` (causal or sliding window). The attention scale is
// whatever multiplies the scores (Gemma 4: none, scale 1.0).
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

bool hasPerm(go::NodeOp n, ArrayRef<int64_t> perm) {
  auto p = n ? n->getAttrOfType<DenseI64ArrayAttr>("perm") : DenseI64ArrayAttr();
  return p && p.asArrayRef() == perm;
}

/// Adds the ONNX nodes computing a shape operand (up to `stop`) to `ops`.
void shapeOps(Value shape, Value stop, SmallVectorImpl<Operation *> &ops) {
  SmallVector<Value> work = {shape};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    auto n = v.getDefiningOp<go::NodeOp>();
    if (v == stop || !n || llvm::is_contained(ops, n.getOperation()))
      continue;
    ops.push_back(n);
    for (Value in : n.getInputs())
      work.push_back(in);
  }
}

/// Heads-first K or V: repeat_kv(x) or Transpose(x, [0,2,1,3]); returns x
/// and the group count.
std::optional<std::pair<Value, int64_t>> headsFirst(Value v, SmallVectorImpl<Operation *> &ops) {
  if (auto rep = v.getDefiningOp<go::RepeatKvOp>()) {
    ops.push_back(rep);
    return std::make_pair(rep.getX(), rep.getGroups());
  }
  go::NodeOp tr = nodeOf(v, "Transpose");
  if (!hasPerm(tr, {0, 2, 1, 3}))
    return std::nullopt;
  ops.push_back(tr);
  return std::make_pair(tr.getInputs()[0], int64_t(1));
}

/// K^T [B, H, d, T] from heads-first K [B, H, T, d].
std::optional<Value> keysTransposed(Value kt, SmallVectorImpl<Operation *> &ops) {
  go::NodeOp tr = nodeOf(kt, "Transpose");
  if (hasPerm(tr, {0, 1, 3, 2})) {
    ops.push_back(tr);
    return tr.getInputs()[0];
  }
  go::NodeOp outer = nodeOf(kt, "Reshape");
  go::NodeOp mid = outer ? nodeOf(outer.getInputs()[0], "Transpose") : go::NodeOp();
  go::NodeOp inner = mid ? nodeOf(mid.getInputs()[0], "Reshape") : go::NodeOp();
  if (!inner || !hasPerm(mid, {0, 2, 1}))
    return std::nullopt;
  Value k = inner.getInputs()[0];
  ops.append({outer, mid, inner});
  shapeOps(outer.getInputs()[1], k, ops);
  shapeOps(inner.getInputs()[1], k, ops);
  return k;
}

struct Attention : NodePattern {
  Attention(MLIRContext *ctx) : NodePattern(ctx, "Reshape") {}
  LogicalResult rewrite(go::NodeOp out, PatternRewriter &rewriter) const override {
    go::NodeOp tr = nodeOf(out.getInputs()[0], "Transpose");
    go::NodeOp pv = tr ? nodeOf(tr.getInputs()[0], "MatMul") : go::NodeOp();
    if (!pv || !hasPerm(tr, {0, 2, 1, 3}))
      return failure();
    SmallVector<Operation *> ops = {out, tr, pv};
    Value p = pv.getInputs()[0];
    if (go::NodeOp where = nodeOf(p, "Where")) {
      go::NodeOp isnan = nodeOf(where.getInputs()[0], "IsNaN");
      if (!isnan || isnan.getInputs()[0] != where.getInputs()[2] ||
          !isConst(where.getInputs()[1], 0))
        return failure();
      ops.append({where, isnan});
      p = where.getInputs()[2];
    }
    go::NodeOp softmax = nodeOf(p, "Softmax");
    go::NodeOp add = softmax ? nodeOf(softmax.getInputs()[0], "Add") : go::NodeOp();
    if (!add || intAttr(softmax, "axis", -1) != -1)
      return failure();
    ops.append({softmax, add});
    go::MaskOp mask;
    Value scores;
    for (int i = 0; i < 2 && !mask; ++i)
      if ((mask = add.getInputs()[i].getDefiningOp<go::MaskOp>()))
        scores = add.getInputs()[1 - i];
    if (!mask)
      return failure();
    ops.push_back(mask);
    double scale = 1.0;
    if (go::NodeOp m = nodeOf(scores, "Mul")) {
      std::optional<double> c = constScalar(m.getInputs()[1]);
      if (!c)
        return failure();
      scale = *c;
      scores = m.getInputs()[0];
      ops.push_back(m);
    } else if (go::NodeOp d = nodeOf(scores, "Div")) {
      std::optional<double> c = constScalar(d.getInputs()[1]);
      if (!c || *c == 0)
        return failure();
      scale = 1.0 / *c;
      scores = d.getInputs()[0];
      ops.push_back(d);
    }
    go::NodeOp qk = nodeOf(scores, "MatMul");
    go::NodeOp qt = qk ? nodeOf(qk.getInputs()[0], "Transpose") : go::NodeOp();
    if (!qt || !hasPerm(qt, {0, 2, 1, 3}))
      return failure();
    ops.append({qk, qt});
    std::optional<Value> kFirst = keysTransposed(qk.getInputs()[1], ops);
    if (!kFirst)
      return failure();
    auto k = headsFirst(*kFirst, ops);
    auto v = headsFirst(pv.getInputs()[1], ops);
    if (!k || !v || k->second != v->second)
      return failure();
    shapeOps(out.getInputs()[1], Value(), ops);
    auto op = rewriter.create<go::AttentionOp>(
        fusedLoc(rewriter, ops), out.getType(0), qt.getInputs()[0], k->first, v->first,
        rewriter.getI64IntegerAttr(mask.getWindow()),
        rewriter.getF64FloatAttr(shortestDouble(float(scale))));
    rewriter.replaceOp(out, op->getResults());
    return success();
  }
};

} // namespace

void populateAttentionPatterns(RewritePatternSet &p, int phase) {
  if (phase == 2)
    p.add<Attention>(p.getContext());
}

} // namespace gemma::onnxfe
