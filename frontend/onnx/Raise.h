//===- Raise.h - the ONNX raising pass --------------------------*- C++ -*-===//
//
// Applies the raising patterns of frontend/onnx/Raise*.cpp to an import-level
// module, phase by phase (each phase to a fixpoint; later phases match the
// raised ops of earlier ones). Dead ONNX nodes disappear on the way.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_RAISE_H
#define GEMMA_FRONTEND_ONNX_RAISE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace gemma::onnxfe {

/// `only`: pattern group names (see patternGroups()); empty = all.
mlir::LogicalResult raiseOnnxGraph(mlir::ModuleOp module, const std::vector<std::string> &only = {});

/// Registers `--gemma-onnx-raise[=only=rms-norm,rope]` for gemma-opt.
void registerGemmaOnnxPasses();

} // namespace gemma::onnxfe

#endif
