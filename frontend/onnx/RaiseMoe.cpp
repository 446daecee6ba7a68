//===- RaiseMoe.cpp - MoE routing and expert evaluation -------------------===//
//
// Routing (Gemma4TextRouter, spec 2.7), on the router's normed input x
// (already rms_norm(h, router.scale) after the weight fold):
//   p = Softmax(linear(Mul(x, H^-1/2), proj)); w, e = TopK(p, K)
//   weights = Mul(Div(w, ReduceSum(w, [-1])), GatherND(per_expert_scale, e[..., None]))
// -> moe_route(x, proj, per_expert_scale){top_k, input_scale} -> (weights, e).
//
// Experts (transformers' "batched_mm" implementation): every token row is
// repeated K times, each copy multiplied by its expert's gathered matrices:
//   gu  = Squeeze(MatMul(GatherND(gate_up, e'), Unsqueeze(repeat(x2))))
//   a   = Mul(Gelu_tanh(Split(gu)[0]), Split(gu)[1])
//   y   = Squeeze(MatMul(GatherND(down, e'), Unsqueeze(a)))
//   out = ReduceSum(Reshape(Mul(y, weights'), [T, K, H]), axis 1)
// with e' = Unsqueeze(Clip(Reshape(e, [-1]), 0, E-1)) and weights' the
// flattened routing weights -> moe_experts(x2, gate_up, down, e, weights).
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/Match.h"

using namespace mlir;

namespace gemma::onnxfe {
namespace {

/// Skips layout-only nodes (and the index Clip) upwards.
Value peel(Value v, SmallVectorImpl<Operation *> &ops) {
  while (auto n = v.getDefiningOp<go::NodeOp>()) {
    StringRef t = n.getOpType();
    if (t != "Reshape" && t != "Unsqueeze" && t != "Squeeze" && t != "Expand" && t != "Clip")
      break;
    ops.push_back(n);
    v = n.getInputs()[0];
  }
  return v;
}

struct MoeRoute : NodePattern {
  MoeRoute(MLIRContext *ctx) : NodePattern(ctx, "Mul") {}
  LogicalResult rewrite(go::NodeOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      go::NodeOp div = nodeOf(mul.getInputs()[i], "Div");
      go::NodeOp pes = nodeOf(mul.getInputs()[1 - i], "GatherND");
      if (!div || !pes || !initOf(pes.getInputs()[0]))
        continue;
      go::NodeOp sum = nodeOf(div.getInputs()[1], "ReduceSum");
      auto topkResult = dyn_cast<OpResult>(div.getInputs()[0]);
      go::NodeOp topk = topkResult ? nodeOf(topkResult, "TopK") : go::NodeOp();
      // Top-k experts per token (last axis), renormalised over those k.
      if (!sum || !topk || topkResult.getResultNumber() != 0 || sum.getInputs()[0] != topkResult ||
          intAttr(sum, "keepdims", 1) != 1 || intAttr(topk, "largest", 1) != 1 ||
          intAttr(topk, "axis", -1) != -1 || sum.getInputs().size() < 2 ||
          !isLastAxis(sum.getInputs()[1], rankOf(topkResult)))
        continue;
      SmallVector<Operation *> ops = {mul, div, pes, sum, topk};
      if (peel(pes.getInputs()[1], ops) != topk->getResult(1))
        continue;
      auto k = constInts(topk.getInputs()[1]);
      go::NodeOp softmax = nodeOf(topk.getInputs()[0], "Softmax");
      auto logits = softmax ? softmax.getInputs()[0].getDefiningOp<go::LinearOp>() : go::LinearOp();
      go::NodeOp scaled = logits ? nodeOf(logits.getX(), "Mul") : go::NodeOp();
      if (!k || k->size() != 1 || !scaled || intAttr(softmax, "axis", -1) != -1)
        continue;
      std::optional<double> c;
      Value x;
      for (int j = 0; j < 2 && !c; ++j)
        if ((c = constScalar(scaled.getInputs()[1 - j])))
          x = scaled.getInputs()[j];
      if (!c)
        continue;
      ops.append({softmax, logits, scaled});
      Type idsType = topk->getResult(1).getType();
      auto route = rewriter.create<go::MoeRouteOp>(
          fusedLoc(rewriter, ops), mul.getType(0), idsType, x, logits.getWeight(),
          pes.getInputs()[0], rewriter.getI64IntegerAttr((*k)[0]),
          rewriter.getF64FloatAttr(shortestDouble(float(*c))),
          logits.getInOut() ? rewriter.getUnitAttr() : UnitAttr());
      rewriter.replaceAllUsesWith(topk->getResult(1), route.getIds());
      rewriter.replaceOp(mul, ValueRange{route.getWeights()});
      return success();
    }
    return failure();
  }
};

/// MatMul(GatherND(W, idx), Unsqueeze(x)) -> (W, idx, x).
struct ExpertMatmul {
  Value weight, index, x;
};
std::optional<ExpertMatmul> expertMatmul(Value v, SmallVectorImpl<Operation *> &ops) {
  go::NodeOp mm = nodeOf(peel(v, ops), "MatMul");
  go::NodeOp gather = mm ? nodeOf(mm.getInputs()[0], "GatherND") : go::NodeOp();
  if (!gather || !initOf(gather.getInputs()[0]))
    return std::nullopt;
  ops.append({mm, gather});
  return ExpertMatmul{gather.getInputs()[0], gather.getInputs()[1], peel(mm.getInputs()[1], ops)};
}

struct MoeExperts : NodePattern {
  MoeExperts(MLIRContext *ctx) : NodePattern(ctx, "ReduceSum") {}
  LogicalResult rewrite(go::NodeOp sum, PatternRewriter &rewriter) const override {
    auto axes = sum.getInputs().size() > 1 ? constInts(sum.getInputs()[1]) : std::nullopt;
    if (!axes || *axes != SmallVector<int64_t>{1} || intAttr(sum, "keepdims", 1) != 0)
      return failure();
    SmallVector<Operation *> ops = {sum};
    go::NodeOp weighted = nodeOf(peel(sum.getInputs()[0], ops), "Mul");
    if (!weighted)
      return failure();
    ops.push_back(weighted);
    for (int i = 0; i < 2; ++i) {
      SmallVector<Operation *> tryOps = ops;
      auto route = peel(weighted.getInputs()[1 - i], tryOps).getDefiningOp<go::MoeRouteOp>();
      auto down = expertMatmul(weighted.getInputs()[i], tryOps);
      if (!route || !down)
        continue;
      go::NodeOp act = nodeOf(down->x, "Mul");
      if (!act)
        continue;
      tryOps.push_back(act);
      for (int j = 0; j < 2; ++j) {
        go::NodeOp gelu = nodeOf(act.getInputs()[j], "Gelu");
        auto gateRes = gelu ? dyn_cast<OpResult>(gelu.getInputs()[0]) : OpResult();
        auto upRes = dyn_cast<OpResult>(act.getInputs()[1 - j]);
        go::NodeOp split = gateRes ? nodeOf(gateRes, "Split") : go::NodeOp();
        if (!split || !upRes || upRes.getOwner() != split || gateRes.getResultNumber() != 0 ||
            upRes.getResultNumber() != 1 || split->getNumResults() != 2 ||
            strAttr(gelu, "approximate") != "tanh")
          continue;
        // gate_up splits into its gate and up halves along the last axis
        // (Split's default axis is 0).
        int64_t splitAxis = intAttr(split, "axis", 0), splitRank = rankOf(split.getInputs()[0]);
        if (splitAxis != -1 && (splitRank <= 0 || splitAxis != splitRank - 1))
          continue;
        SmallVector<Operation *> all = tryOps;
        all.append({gelu, split});
        auto gateUp = expertMatmul(split.getInputs()[0], all);
        if (!gateUp || gateUp->index != down->index)
          continue;
        SmallVector<Operation *> idxOps;
        if (peel(down->index, idxOps) != route.getIds())
          continue;
        all.append(idxOps.begin(), idxOps.end());
        auto op = rewriter.create<go::MoeExpertsOp>(fusedLoc(rewriter, all), sum.getType(0),
                                                    gateUp->x, gateUp->weight, down->weight,
                                                    route.getIds(), route.getWeights());
        rewriter.replaceOp(sum, op->getResults());
        return success();
      }
    }
    return failure();
  }
};

} // namespace

void populateMoePatterns(RewritePatternSet &p, int phase) {
  if (phase == 1)
    p.add<MoeRoute>(p.getContext());
  if (phase == 2)
    p.add<MoeExperts>(p.getContext());
}

} // namespace gemma::onnxfe
