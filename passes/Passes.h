//===- Passes.h - gemma passes ----------------------------------*- C++ -*-===//
#ifndef GEMMA_PASSES_PASSES_H
#define GEMMA_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::gemma {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::gemma

#endif
