//===- ProfileOps.cpp - time every gemma op by family (gemmac --profile) --===//
//
// Wraps each model-level op in calls to the runtime's gemma_prof_begin /
// gemma_prof_end(family) so a deployable built with `gemmac --profile` can
// say where a token's time goes (`gemma-run --profile`): per op family, and
// sliding vs full attention apart. Runs after the fusions, so the families
// are the ops that actually become kernels. The calls happen on the calling
// thread between OpenMP regions; their cost (two clock reads per op) is far
// below a kernel's.
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/Passes.h"
#include "runtime/gemma_abi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "gemma-profile-ops"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMAPROFILEOPS
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// The GEMMA_PROF_* family of a gemma op; -1 for buffer views (no work).
int64_t family(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case<WeightOp, ScratchOp, KvCacheOp>([](auto) { return -1; })
      .Case<EmbedOp>([](auto) { return GEMMA_PROF_EMBED; })
      .Case<RmsNormOp>([](auto) { return GEMMA_PROF_NORM; })
      .Case<LinearOp>([](LinearOp o) {
        return o.getSoftcap() ? GEMMA_PROF_LM_HEAD : GEMMA_PROF_LINEAR;
      })
      .Case<QkNormRopeOp, RopeOp, KvWriteOp>([](auto) { return GEMMA_PROF_QK_ROPE_KV; })
      .Case<AttentionOp>([](AttentionOp o) {
        return o.getWindowAttr().getInt() > 0 ? GEMMA_PROF_ATTN_SLIDING : GEMMA_PROF_ATTN_FULL;
      })
      .Case<MoeRouteOp, SoftmaxOp, TopKOp, MoeWeightsOp>([](auto) { return GEMMA_PROF_ROUTER; })
      .Case<ExpertLinearOp, MoeCombineOp>([](auto) { return GEMMA_PROF_EXPERTS; })
      .Case<SoftcapOp>([](auto) { return GEMMA_PROF_LM_HEAD; })
      .Default([](Operation *o) {
        return isa<GemmaDialect>(o->getDialect()) ? GEMMA_PROF_ELEMENTWISE : -1;
      });
}

struct GemmaProfileOpsPass : mlir::gemma::impl::GemmaProfileOpsBase<GemmaProfileOpsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getBodyRegion());
    auto hookType = b.getFunctionType({b.getI64Type()}, {});
    for (StringRef name : {"gemma_prof_begin", "gemma_prof_end"})
      if (!module.lookupSymbol(name)) {
        auto decl = b.create<func::FuncOp>(module.getLoc(), name, hookType);
        decl.setPrivate();
      }
    module.walk([&](Operation *op) {
      int64_t id = family(op);
      if (id < 0 || !isa<func::FuncOp>(op->getParentOp()))
        return;
      b.setInsertionPoint(op);
      Value c = b.create<arith::ConstantIntOp>(op->getLoc(), id, 64);
      b.create<func::CallOp>(op->getLoc(), "gemma_prof_begin", TypeRange{}, ValueRange{c});
      b.setInsertionPointAfter(op);
      b.create<func::CallOp>(op->getLoc(), "gemma_prof_end", TypeRange{}, ValueRange{c});
    });
  }
};

} // namespace
