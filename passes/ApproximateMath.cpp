//===- ApproximateMath.cpp - polynomial exp/tanh --------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "gemma-approximate-math"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMAAPPROXIMATEMATH
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;

namespace {
struct GemmaApproximateMathPass
    : mlir::gemma::impl::GemmaApproximateMathBase<GemmaApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == "exp" || name == "tanh" || name == "math.exp" || name == "math.tanh";
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
