//===- OnnxImport.h - ONNX graph -> gemma_onnx import IR --------*- C++ -*-===//
//
// One gemma_onnx.node per ONNX node, one gemma_onnx.initializer per
// initializer, inside `func.func @main(graph inputs) -> graph outputs`.
// The module carries `gemma_onnx.opset` (ai.onnx version) and
// `gemma_onnx.source` (the file) for diagnostics.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_ONNXIMPORT_H
#define GEMMA_FRONTEND_ONNX_ONNXIMPORT_H

#include "frontend/onnx/OnnxModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace gemma::onnxfe {

/// Initializers with at most this many elements carry their value in the IR.
constexpr int64_t kInlineElements = 1024;

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> importOnnxGraph(mlir::MLIRContext &ctx,
                                                                  const OnnxModel &model);

} // namespace gemma::onnxfe

#endif
