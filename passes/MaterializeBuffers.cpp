//===- MaterializeBuffers.cpp - arena views to memref.view ----------------===//
//
// gemma.weight / gemma.scratch / gemma.kv_cache name a byte offset in one of
// the forward function's three arena arguments (marked with the argument
// attribute `gemma.arena`). Each becomes `memref.view %arena[%offset][sizes]`.
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "gemma-materialize-buffers"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMAMATERIALIZEBUFFERS
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

struct GemmaMaterializeBuffersPass
    : mlir::gemma::impl::GemmaMaterializeBuffersBase<GemmaMaterializeBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    llvm::StringMap<Value> arenas;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto name = func.getArgAttrOfType<StringAttr>(i, "gemma.arena"))
        arenas[name.getValue()] = func.getArgument(i);

    SmallVector<Operation *> views;
    func.walk([&](Operation *op) {
      if (isa<WeightOp, ScratchOp, KvCacheOp>(op))
        views.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : views) {
      StringRef arena = isa<WeightOp>(op) ? "weights" : isa<KvCacheOp>(op) ? "kv" : "scratch";
      auto it = arenas.find(arena);
      if (it == arenas.end()) {
        op->emitOpError() << "enclosing function has no argument with gemma.arena = \""
                          << arena << "\"";
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      auto offset = op->getAttrOfType<IntegerAttr>("offset").getInt();
      Value shift = rewriter.create<arith::ConstantIndexOp>(op->getLoc(), offset);
      Value view = rewriter.create<memref::ViewOp>(op->getLoc(), op->getResult(0).getType(),
                                                   it->second, shift, op->getOperands());
      rewriter.replaceOp(op, view);
    }
  }
};

} // namespace
