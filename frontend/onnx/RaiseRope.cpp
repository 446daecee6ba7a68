//===- RaiseRope.cpp - rotary position embedding --------------------------===//
//
// HF's apply_rotary_pos_emb exports as
//   Add(Mul(x, cos), Mul(Concat(Neg(Slice(x, h:)), Slice(x, :h)), sin))
// with cos/sin = Unsqueeze(Cos/Sin(Concat(F, F))), F = Transpose(MatMul(
// inv_freq[1, h, 1], float(positions))) and positions = Range(0, T, 1).
// The rope kind is recognised from the inv_freq table, which torch.onnx
// folds into an initializer: default RoPE has theta^(-2i/d) for all h = d/2
// entries, Gemma 4's proportional RoPE the same for the first `pairs`
// entries and zeros after (spec 2.5). theta is recovered from the table and
// verified against every entry; a table of any other form is not raised.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

#include <cmath>

using namespace mlir;

namespace gemma::onnxfe {
namespace {

/// Skips Unsqueeze/Cast/Expand (layout and dtype only) upwards.
Value through(Value v, SmallVectorImpl<Operation *> &ops,
              std::initializer_list<StringRef> kinds = {"Unsqueeze", "Cast", "Expand"}) {
  while (auto n = v.getDefiningOp<go::NodeOp>()) {
    if (!llvm::is_contained(kinds, n.getOpType()))
      break;
    ops.push_back(n);
    v = n.getInputs()[0];
  }
  return v;
}

/// True if `v` is Range(0, n, 1): the positions 0..T-1 of the step.
bool isPositions(Value v, SmallVectorImpl<Operation *> &ops) {
  go::NodeOp range = nodeOf(through(v, ops), "Range");
  if (!range || !isConst(range.getInputs()[0], 0) || !isConst(range.getInputs()[2], 1))
    return false;
  ops.push_back(range);
  return true;
}

/// Slice(x, [start], [end]) over the last axis with step 1.
bool isLastDimSlice(go::NodeOp s, Value x, int64_t start, int64_t end) {
  if (!s || s.getInputs()[0] != x || s.getInputs().size() < 3)
    return false;
  auto st = constInts(s.getInputs()[1]), en = constInts(s.getInputs()[2]);
  if (!st || !en || st->size() != 1 || en->size() != 1 || (*st)[0] != start)
    return false;
  if (end >= 0 ? (*en)[0] != end : (*en)[0] < -end)
    return false;
  if (s.getInputs().size() > 3 && !isa<NoneType>(s.getInputs()[3].getType()) &&
      !isLastAxis(s.getInputs()[3], rankOf(x)))
    return false;
  if (s.getInputs().size() > 4 && !isa<NoneType>(s.getInputs()[4].getType()) &&
      !isConst(s.getInputs()[4], 1))
    return false;
  return true;
}

/// The angle table F = positions x inv_freq: returns inv_freq's values.
std::optional<SmallVector<double>> angleTable(Value e, SmallVectorImpl<Operation *> &ops) {
  go::NodeOp cat = nodeOf(e, "Concat");
  if (!cat || cat.getInputs().size() != 2 || cat.getInputs()[0] != cat.getInputs()[1] ||
      intAttr(cat, "axis", 0) != -1)
    return std::nullopt;
  go::NodeOp tr = nodeOf(cat.getInputs()[0], "Transpose");
  go::NodeOp mm = tr ? nodeOf(tr.getInputs()[0], "MatMul") : go::NodeOp();
  if (!mm)
    return std::nullopt;
  auto perm = tr->getAttrOfType<DenseI64ArrayAttr>("perm");
  if (!perm || perm.asArrayRef() != ArrayRef<int64_t>{0, 2, 1})
    return std::nullopt;
  SmallVector<Operation *> freqOps;
  Value freq = through(mm.getInputs()[0], freqOps, {"Expand"});
  auto values = constValues(freq);
  if (!values || !isPositions(mm.getInputs()[1], ops))
    return std::nullopt;
  ops.append({cat, tr, mm});
  ops.append(freqOps.begin(), freqOps.end());
  return values;
}

/// theta and the number of rotated pairs of an inv_freq table of h = d/2
/// entries, if it is theta^(-2i/d) for i < pairs and 0 after.
std::optional<std::pair<double, int64_t>> ropeParams(ArrayRef<double> inv) {
  int64_t h = inv.size(), d = 2 * h, pairs = 0;
  while (pairs < h && inv[pairs] != 0)
    ++pairs;
  for (int64_t i = pairs; i < h; ++i)
    if (inv[i] != 0)
      return std::nullopt;
  if (pairs < 2 || inv[0] != 1.0)
    return std::nullopt;
  double estimate = std::exp(-std::log(inv[pairs - 1]) * d / (2.0 * (pairs - 1)));
  auto fits = [&](double theta) {
    for (int64_t i = 0; i < pairs; ++i) {
      // torch: 1 / base ** (arange(0, d, 2).float() / d), in float32.
      float expo = float(2 * i) / float(d);
      float want = 1.0f / std::pow(float(theta), expo);
      if (std::fabs(want - inv[i]) > 1e-5 * std::fabs(want))
        return false;
    }
    return true;
  };
  // Prefer the round number the model was configured with (1e4, 1e6, 5e5).
  for (int digits = 1; digits <= 6; ++digits) {
    double scale = std::pow(10.0, std::floor(std::log10(estimate)) - digits + 1);
    double candidate = std::round(estimate / scale) * scale;
    if (fits(candidate))
      return std::make_pair(candidate, pairs);
  }
  if (fits(estimate))
    return std::make_pair(estimate, pairs);
  return std::nullopt;
}

struct Rope : NodePattern {
  Rope(MLIRContext *ctx) : NodePattern(ctx, "Add") {}
  LogicalResult rewrite(go::NodeOp add, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 2; ++k)
          if (succeeded(tryOrder(add, i, j, k, rewriter)))
            return success();
    return failure();
  }

  LogicalResult tryOrder(go::NodeOp add, int i, int j, int k, PatternRewriter &rewriter) const {
    go::NodeOp mulCos = nodeOf(add.getInputs()[i], "Mul");
    go::NodeOp mulSin = nodeOf(add.getInputs()[1 - i], "Mul");
    if (!mulCos || !mulSin)
      return failure();
    Value x = mulCos.getInputs()[j];
    SmallVector<Operation *> ops = {add, mulCos, mulSin};
    go::NodeOp cos = nodeOf(through(mulCos.getInputs()[1 - j], ops, {"Unsqueeze"}), "Cos");
    go::NodeOp rot = nodeOf(mulSin.getInputs()[k], "Concat");
    go::NodeOp sin = nodeOf(through(mulSin.getInputs()[1 - k], ops, {"Unsqueeze"}), "Sin");
    if (!cos || !sin || !rot || cos.getInputs()[0] != sin.getInputs()[0] ||
        rot.getInputs().size() != 2 || intAttr(rot, "axis", 0) != -1)
      return failure();
    auto inv = angleTable(cos.getInputs()[0], ops);
    if (!inv)
      return failure();
    int64_t h = inv->size();
    if (lastDim(x) >= 0 && lastDim(x) != 2 * h)
      return failure();
    go::NodeOp neg = nodeOf(rot.getInputs()[0], "Neg");
    go::NodeOp hi = neg ? nodeOf(neg.getInputs()[0], "Slice") : go::NodeOp();
    go::NodeOp lo = nodeOf(rot.getInputs()[1], "Slice");
    if (!isLastDimSlice(hi, x, h, -2 * h) || !isLastDimSlice(lo, x, 0, h))
      return failure();
    auto params = ropeParams(*inv);
    if (!params)
      return failure();
    ops.append({cos, sin, rot, neg, hi, lo});
    auto op = rewriter.create<go::RopeOp>(fusedLoc(rewriter, ops), add.getType(0), x,
                                          rewriter.getF64FloatAttr(params->first),
                                          rewriter.getI64IntegerAttr(params->second));
    rewriter.replaceOp(add, op->getResults());
    return success();
  }
};

} // namespace

void populateRopePatterns(RewritePatternSet &p, int phase) {
  if (phase == 1)
    p.add<Rope>(p.getContext());
}

} // namespace gemma::onnxfe
