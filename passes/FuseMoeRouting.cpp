//===- FuseMoeRouting.cpp - the Gemma 4 router as one op -------------------===//
//
// The importer spells the router (spec 2.7) op by op:
//   rms_norm(x, router.scale) -> r . scale(r, H^-1/2) . linear(r, proj) -> z
//   . softmax(z) . top_k(z) -> p, ids . moe_weights(p, ids, per_expert_scale)
// which writes r [T, H], z and p to memory and sweeps z three times. This
// pass turns the chain into one gemma.moe_route: per token, in registers and
// a stack row of E logits, with the softmax denominator dropped (it cancels
// in the renormalisation over the top k). The experts that follow already
// run only for the selected ids (gemma.expert_linear).
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/BufferAccess.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

#define DEBUG_TYPE "gemma-fuse-moe-routing"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMAFUSEMOEROUTING
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

struct Router {
  RmsNormOp norm;
  ScaleOp scale;
  LinearOp proj;
  SoftmaxOp softmax;
  TopKOp topK;
  MoeWeightsOp weights;
};

bool matchRouter(MoeWeightsOp weights, Router &r) {
  r.weights = weights;
  r.topK = dyn_cast_or_null<TopKOp>(lastWriterBefore(weights, weights.getValues()));
  if (!r.topK || r.topK.getValues() != weights.getValues() ||
      r.topK.getIndices() != weights.getIndices())
    return false;
  Value z = r.topK.getX();
  r.softmax = dyn_cast_or_null<SoftmaxOp>(lastWriterBefore(r.topK, z));
  if (!r.softmax || r.softmax.getX() != z || r.softmax.getOut() != z)
    return false;
  r.proj = dyn_cast_or_null<LinearOp>(lastWriterBefore(r.softmax, z));
  // moe_route reads a float projection (the router is never quantised).
  if (!r.proj || r.proj.getOut() != z || r.proj.getSoftcap() || r.proj.getScales())
    return false;
  Value routed = r.proj.getX();
  r.scale = dyn_cast_or_null<ScaleOp>(lastWriterBefore(r.proj, routed));
  if (!r.scale || r.scale.getX() != routed || r.scale.getOut() != routed || r.scale.getScalar())
    return false;
  // moe_route's scale is H^-1/2 by definition; any other factor is not it.
  int64_t h = cast<MemRefType>(routed.getType()).getDimSize(1);
  float expected = static_cast<float>(1.0 / std::sqrt(double(h)));
  if (r.scale.getFactor().convertToFloat() != expected)
    return false;
  r.norm = dyn_cast_or_null<RmsNormOp>(lastWriterBefore(r.scale, routed));
  return r.norm && r.norm.getOut() == routed && r.norm.getWeight() &&
         bufferRoot(r.norm.getX()) != bufferRoot(routed);
}

bool legal(Router r) {
  llvm::SmallPtrSet<Operation *, 6> moved = {r.norm, r.scale, r.proj, r.softmax, r.topK,
                                              r.weights};
  std::string x = bufferRoot(r.norm.getX()), routed = bufferRoot(r.proj.getX()),
              z = bufferRoot(r.topK.getX()), probs = bufferRoot(r.weights.getValues());
  // The fused op reads x where moe_weights was; r, z and p are never written.
  return untouchedBetween(r.norm, r.weights, x, moved) &&
         untouchedBetween(r.norm, r.weights, routed, moved) &&
         untouchedBetween(r.proj, r.weights, z, moved) && deadAfter(r.weights, routed) &&
         deadAfter(r.weights, z) && deadAfter(r.weights, probs);
}

struct GemmaFuseMoeRoutingPass
    : mlir::gemma::impl::GemmaFuseMoeRoutingBase<GemmaFuseMoeRoutingPass> {
  void runOnOperation() override {
    SmallVector<MoeWeightsOp> ends;
    getOperation().walk([&](MoeWeightsOp op) { ends.push_back(op); });
    for (MoeWeightsOp end : ends) {
      Router r;
      if (!matchRouter(end, r) || !legal(r))
        continue;
      OpBuilder b(end);
      b.create<MoeRouteOp>(end.getLoc(), r.norm.getX(), r.norm.getWeight(), r.proj.getWeight(),
                           end.getPerExpertScale(), end.getIndices(), end.getWeights(),
                           r.norm.getEpsAttr());
      for (Operation *op : {end.getOperation(), r.topK.getOperation(), r.softmax.getOperation(),
                            r.proj.getOperation(), r.scale.getOperation(),
                            r.norm.getOperation()})
        op->erase();
    }
  }
};

} // namespace
