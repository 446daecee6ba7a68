//===- RaisePass.cpp - the ONNX raising pass ------------------------------===//
#include "frontend/onnx/Raise.h"
#include "frontend/onnx/Match.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace gemma::onnxfe {

LogicalResult raiseOnnxGraph(ModuleOp module, const std::vector<std::string> &only) {
  using Populate = void (*)(RewritePatternSet &, int);
  static const std::pair<const char *, Populate> groups[] = {
      {"rms-norm", populateRmsNormPatterns}, {"linear", populateLinearPatterns},
      {"embed", populateEmbedPatterns},      {"softcap", populateSoftcapPatterns},
      {"mask", populateMaskPatterns},        {"rope", populateRopePatterns},
      {"gqa", populateGqaPatterns},          {"mlp", populateMlpPatterns},
      {"moe", populateMoePatterns},          {"ple", populatePlePatterns},
      {"attention", populateAttentionPatterns},
  };
  for (const std::string &name : only)
    if (llvm::none_of(groups, [&](auto &g) { return name == g.first; }))
      return module.emitError("unknown ONNX pattern group '") << name << "'";
  MLIRContext *ctx = module.getContext();
  for (int phase = 0; phase < kNumPhases; ++phase) {
    RewritePatternSet patterns(ctx);
    for (auto &[name, populate] : groups)
      if (only.empty() || llvm::is_contained(only, name))
        populate(patterns, phase);
    GreedyRewriteConfig config;
    config.setMaxIterations(GreedyRewriteConfig::kNoLimit);
    // The return value only says whether a fixpoint was reached in the
    // iteration limit; there is none.
    (void)applyPatternsGreedily(module, std::move(patterns), config);
  }
  return success();
}

namespace {
struct RaisePass : PassWrapper<RaisePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(RaisePass)
  RaisePass() = default;
  RaisePass(const RaisePass &other) : PassWrapper(other) {}
  StringRef getArgument() const override { return "gemma-onnx-raise"; }
  StringRef getDescription() const override {
    return "Raise an imported ONNX graph (gemma_onnx.node) to gemma_onnx raised ops";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<go::GemmaOnnxDialect>();
  }
  void runOnOperation() override {
    std::vector<std::string> groups(only.begin(), only.end());
    if (failed(raiseOnnxGraph(getOperation(), groups)))
      signalPassFailure();
  }
  ListOption<std::string> only{*this, "only",
                               llvm::cl::desc("Pattern groups to apply (default: all)")};
};
} // namespace

void registerGemmaOnnxPasses() { PassRegistration<RaisePass>(); }

} // namespace gemma::onnxfe
