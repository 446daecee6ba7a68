//===- Report.h - what became of each ONNX node -----------------*- C++ -*-===//
//
// `gemmac --report`: per ONNX op type, how many nodes were raised into which
// gemma_onnx op (read from the fused locations the patterns give raised
// ops), how many were lowered generically (Assemble.h), and how many were
// left (an error) or folded away as dead.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_REPORT_H
#define GEMMA_FRONTEND_ONNX_REPORT_H

#include "frontend/onnx/OnnxModel.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace gemma::onnxfe {

std::string raisingReport(const OnnxModel &model, mlir::ModuleOp raised,
                          const std::map<std::string, std::string> &generic);

} // namespace gemma::onnxfe

#endif
