//===- gemma-opt.cpp - run gemma and upstream passes on .mlir files -------===//
//
// The lit driver: every gemma pass (`--gemma-<name>`), every upstream MLIR
// pass, and the compiler's phases as pipelines (`--gemma-phase-<name>`).
//
//===----------------------------------------------------------------------===//
#include "codegen/Pipeline.h"
#include "dialects/GemmaDialect.h"
#include "frontend/onnx/GemmaOnnxDialect.h"
#include "frontend/onnx/Raise.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::gemma::registerGemmaPasses();
  mlir::gemma::registerPhasePipelines();
  gemma::onnxfe::registerGemmaOnnxPasses(); // --gemma-onnx-raise (ONNX frontend)
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::gemma::GemmaDialect>();
  registry.insert<mlir::gemma_onnx::GemmaOnnxDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "gemma-opt: gemma dialect and pass driver\n", registry));
}
