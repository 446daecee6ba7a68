//===- Pipeline.cpp - the phases ------------------------------------------===//
#include "codegen/Pipeline.h"
#include "dialects/GemmaDialect.h"
#include "passes/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/AMX/Transforms.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// Adds a pass unless the user switched it off.
template <typename MakePass>
void addUnlessDisabled(OpPassManager &pm, const PipelineOptions &o, StringRef name,
                       MakePass make, bool nestInFunc) {
  if (o.disabledPasses.count(name.str()))
    return;
  if (nestInFunc)
    pm.addNestedPass<func::FuncOp>(make());
  else
    pm.addPass(make());
}

std::vector<Phase> buildPhases() {
  std::vector<Phase> list;
  list.push_back({"simplify", "canonicalise and CSE the imported model",
                  [](OpPassManager &pm, const PipelineOptions &) {
                    pm.addPass(createCanonicalizerPass());
                    pm.addPass(createCSEPass());
                  }});
  list.push_back({"fuse", "model-level fusions on gemma ops (each switchable)",
                  [](OpPassManager &pm, const PipelineOptions &o) {
                    addUnlessDisabled(pm, o, "gemma-fuse-qk-norm-rope",
                                      [] { return createGemmaFuseQkNormRope(); }, true);
                    addUnlessDisabled(pm, o, "gemma-fuse-moe-routing",
                                      [] { return createGemmaFuseMoeRouting(); }, true);
                    addUnlessDisabled(pm, o, "gemma-fuse-final-softcap",
                                      [] { return createGemmaFuseFinalSoftcap(); }, true);
                    if (o.profile)
                      pm.addPass(createGemmaProfileOps());
                  }});
  list.push_back({"kernels", "gemma ops -> scf/vector kernels for the target's vector width",
                  [](OpPassManager &pm, const PipelineOptions &o) {
                    GemmaLowerLinearOptions lin{o.vectorWidth, o.int8Activations, o.vnni,
                                                o.bf16Activations, o.amx, o.panelTiles};
                    GemmaLowerAttentionOptions att{o.vectorWidth};
                    GemmaLowerMoEOptions moe{o.vectorWidth};
                    GemmaLowerElementwiseOptions ew{o.vectorWidth};
                    GemmaTileAttentionOptions tiled;
                    tiled.vectorWidth = o.vectorWidth;
                    addUnlessDisabled(pm, o, "gemma-tile-attention",
                                      [&] { return createGemmaTileAttention(tiled); }, true);
                    pm.addNestedPass<func::FuncOp>(createGemmaLowerLinear(lin));
                    pm.addNestedPass<func::FuncOp>(createGemmaLowerAttention(att));
                    pm.addNestedPass<func::FuncOp>(createGemmaLowerMoE(moe));
                    pm.addNestedPass<func::FuncOp>(createGemmaLowerElementwise(ew));
                    pm.addNestedPass<func::FuncOp>(createGemmaMaterializeBuffers());
                    pm.addPass(createCanonicalizerPass());
                    pm.addPass(createCSEPass());
                  }});
  list.push_back({"parallel", "scf.parallel -> OpenMP worksharing loops",
                  [](OpPassManager &pm, const PipelineOptions &) {
                    pm.addPass(createConvertSCFToOpenMPPass());
                  }});
  list.push_back({"llvm", "everything -> the LLVM dialect",
                  [](OpPassManager &pm, const PipelineOptions &o) {
                    addUnlessDisabled(pm, o, "gemma-approximate-math",
                                      [] { return createGemmaApproximateMath(); }, false);
                    pm.addPass(createGemmaLowerAllocaScopes());
                    pm.addPass(createSCFToControlFlowPass());
                    ConvertVectorToLLVMPassOptions vectorToLLVM;
                    // AMX tiles (passes/AmxDot.cpp) and their C tiles' 16x16
                    // transposes, as shuffles instead of 256 element moves.
                    vectorToLLVM.amx = true;
                    vectorToLLVM.vectorTransposeLowering =
                        vector::VectorTransposeLowering::Shuffle16x16;
                    pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
                    pm.addPass(memref::createExpandStridedMetadataPass());
                    pm.addPass(createLowerAffinePass());
                    pm.addPass(createFinalizeMemRefToLLVMConversionPass());
                    pm.addPass(createConvertMathToLLVMPass());
                    pm.addPass(createArithToLLVMConversionPass());
                    pm.addPass(createConvertIndexToLLVMPass());
                    // convert-to-llvm rather than convert-cf-to-llvm: its type
                    // converter also knows !amx.tile, which the AMX kernels'
                    // loop-carried accumulators pass through branches.
                    ConvertToLLVMPassOptions branches;
                    branches.filterDialects = {"cf", "amx"};
                    pm.addPass(createConvertToLLVMPass(branches));
                    pm.addPass(createConvertOpenMPToLLVMPass());
                    pm.addPass(createConvertFuncToLLVMPass());
                    // Vector unrolling leaves ub.poison placeholders.
                    pm.addPass(createUBToLLVMConversionPass());
                    pm.addPass(createReconcileUnrealizedCastsPass());
                    pm.addPass(createCanonicalizerPass());
                  }});
  return list;
}

} // namespace

const std::vector<Phase> &mlir::gemma::phases() {
  static const std::vector<Phase> list = buildPhases();
  return list;
}

std::vector<std::string> mlir::gemma::switchablePasses() {
  return {"gemma-fuse-qk-norm-rope", "gemma-fuse-moe-routing", "gemma-fuse-final-softcap",
          "gemma-tile-attention", "gemma-approximate-math"};
}

static LogicalResult dump(ModuleOp module, const PipelineOptions &o, unsigned index,
                          StringRef name) {
  if (o.dumpDir.empty())
    return success();
  if (llvm::sys::fs::create_directories(o.dumpDir))
    return module.emitError() << "cannot create dump directory " << o.dumpDir;
  std::string path;
  llvm::raw_string_ostream(path) << o.dumpDir << "/" << llvm::format("%02u", index) << "-"
                                 << name << ".mlir";
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return module.emitError() << "cannot write " << path << ": " << ec.message();
  module.print(os);
  return success();
}

LogicalResult mlir::gemma::runPhases(ModuleOp module, const PipelineOptions &options) {
  if (failed(dump(module, options, 0, "import")))
    return failure();
  unsigned index = 1;
  for (const Phase &phase : phases()) {
    if (options.verbose)
      llvm::errs() << "gemmac: phase " << phase.name << ": " << phase.summary << "\n";
    PassManager pm(module.getContext(), ModuleOp::getOperationName());
    phase.build(pm, options);
    if (failed(pm.run(module)))
      return module.emitError() << "phase '" << phase.name << "' failed";
    if (failed(dump(module, options, index++, phase.name)))
      return failure();
  }
  return success();
}

void mlir::gemma::registerPhasePipelines() {
  for (const Phase &phase : phases()) {
    auto build = phase.build;
    PassPipelineRegistration<>("gemma-phase-" + phase.name, phase.summary,
                               [build](OpPassManager &pm) {
                                 PipelineOptions o;
                                 build(pm, o);
                               });
  }
}

void mlir::gemma::registerPipelineDialects(DialectRegistry &registry) {
  registry.insert<GemmaDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  memref::MemRefDialect, scf::SCFDialect, vector::VectorDialect,
                  omp::OpenMPDialect, cf::ControlFlowDialect, LLVM::LLVMDialect,
                  amx::AMXDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  arith::registerConvertArithToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  registerConvertOpenMPToLLVMInterface(registry);
  registerConvertAMXToLLVMInterface(registry);
}
