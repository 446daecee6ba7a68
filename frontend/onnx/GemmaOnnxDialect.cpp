//===- GemmaOnnxDialect.cpp - gemma_onnx registration ---------------------===//
#include "frontend/onnx/GemmaOnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::gemma_onnx;

#include "frontend/onnx/GemmaOnnxDialect.cpp.inc"

void GemmaOnnxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "frontend/onnx/GemmaOnnxOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "frontend/onnx/GemmaOnnxOps.cpp.inc"
