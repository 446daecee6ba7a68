//===- FuseFinalSoftcap.cpp - the logit soft-cap as the LM head's epilogue ===//
//
// linear(final_norm, lm_head) -> logits . softcap(logits) would sweep the
// [T, vocab] logits twice (262144 floats per token on Gemma 4). The cap
// becomes an attribute of the linear instead, applied to each output as the
// GEMV stores it. The soft-cap's `argmax_only` operand moves along: when
// the runtime says it only takes the argmax (greedy sampling, no logits
// wanted) the lowered epilogue skips the tanh entirely, since the cap is
// monotone and cannot change the argmax.
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/BufferAccess.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#define DEBUG_TYPE "gemma-fuse-final-softcap"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMAFUSEFINALSOFTCAP
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// True if `v` is available at `op` (a block argument or defined before it).
bool availableAt(Value v, Operation *op) {
  if (!v)
    return true;
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == op->getBlock() || arg.getOwner()->getParentOp()->isAncestor(op);
  Operation *def = v.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

struct GemmaFuseFinalSoftcapPass
    : mlir::gemma::impl::GemmaFuseFinalSoftcapBase<GemmaFuseFinalSoftcapPass> {
  void runOnOperation() override {
    SmallVector<SoftcapOp> caps;
    getOperation().walk([&](SoftcapOp op) { caps.push_back(op); });
    for (SoftcapOp cap : caps) {
      if (cap.getX() != cap.getOut())
        continue;
      auto linear = dyn_cast_or_null<LinearOp>(lastWriterBefore(cap, cap.getX()));
      if (!linear || linear.getOut() != cap.getX() || linear.getSoftcap() ||
          !availableAt(cap.getArgmaxOnly(), linear))
        continue;
      llvm::SmallPtrSet<Operation *, 1> none;
      if (!untouchedBetween(linear, cap, bufferRoot(cap.getX()), none))
        continue;
      linear.setSoftcapAttr(cap.getCapAttr());
      if (Value flag = cap.getArgmaxOnly())
        linear.getArgmaxOnlyMutable().assign(flag);
      cap.erase();
    }
  }
};

} // namespace
