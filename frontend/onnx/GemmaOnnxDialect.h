//===- GemmaOnnxDialect.h - the ONNX import dialect -------------*- C++ -*-===//
#ifndef GEMMA_FRONTEND_ONNX_GEMMAONNXDIALECT_H
#define GEMMA_FRONTEND_ONNX_GEMMAONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "frontend/onnx/GemmaOnnxDialect.h.inc"

#define GET_OP_CLASSES
#include "frontend/onnx/GemmaOnnxOps.h.inc"

#endif
