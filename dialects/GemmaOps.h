//===- GemmaOps.h - gemma ops -----------------------------------*- C++ -*-===//
#ifndef GEMMA_DIALECTS_GEMMAOPS_H
#define GEMMA_DIALECTS_GEMMAOPS_H

#include "dialects/GemmaDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/GemmaOps.h.inc"

#endif
