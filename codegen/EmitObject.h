//===- EmitObject.h - LLVM dialect -> x86-64 object file --------*- C++ -*-===//
#ifndef GEMMA_CODEGEN_EMITOBJECT_H
#define GEMMA_CODEGEN_EMITOBJECT_H

#include "codegen/CpuTarget.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace gemma {

enum class EmitKind { Object, Assembly, LLVMIR };

/// Translates `module` (LLVM dialect only) to LLVM IR, optimises it at O3
/// for `target` and writes an object file, assembly or LLVM IR to `path`.
llvm::Error emitModule(mlir::ModuleOp module, const CpuTarget &target, EmitKind kind,
                       llvm::StringRef path);

} // namespace gemma

#endif
