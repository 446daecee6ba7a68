//===- LowerAllocaScopes.cpp - alloca_scope -> stacksave/stackrestore -----===//
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "gemma-lower-alloca-scopes"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMALOWERALLOCASCOPES
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;

namespace {
struct GemmaLowerAllocaScopesPass
    : mlir::gemma::impl::GemmaLowerAllocaScopesBase<GemmaLowerAllocaScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp op) { scopes.push_back(op); });
    IRRewriter rewriter(&getContext());
    auto ptrType = LLVM::LLVMPointerType::get(&getContext());
    // Innermost first, so an outer scope inlines already-lowered inner ones.
    for (memref::AllocaScopeOp scope : llvm::reverse(scopes)) {
      if (scope.getNumResults() != 0) {
        scope.emitOpError("with results is not supported here");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(scope);
      Value sp = rewriter.create<LLVM::StackSaveOp>(scope.getLoc(), ptrType);
      Block &body = scope.getBodyRegion().front();
      rewriter.eraseOp(body.getTerminator());
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.setInsertionPoint(scope);
      rewriter.create<LLVM::StackRestoreOp>(scope.getLoc(), sp);
      rewriter.eraseOp(scope);
    }
  }
};
} // namespace
