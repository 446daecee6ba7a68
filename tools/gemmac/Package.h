//===- Package.h - assemble a deployable folder ----------------*- C++ -*-===//
#ifndef GEMMA_TOOLS_GEMMAC_PACKAGE_H
#define GEMMA_TOOLS_GEMMAC_PACKAGE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace gemma {

/// Finds libgemma_runtime.a: `explicitPath` if given, else next to gemmac
/// (<bin>/../lib/libgemma_runtime.a).
llvm::Expected<std::string> findRuntimeArchive(llvm::StringRef explicitPath, const char *argv0);

/// Links `object` with the runtime archive and LLVM's OpenMP runtime into
/// `dir`/gemma-run (rpath $ORIGIN) and copies libomp.so.5 beside it, so the
/// folder runs on a machine without LLVM.
llvm::Error linkDeployable(llvm::StringRef object, llvm::StringRef runtimeArchive,
                           llvm::StringRef dir);

/// Replaces `outDir` with `tmpDir`. Refuses to delete an existing `outDir`
/// that is not a gemmac deployable (no weights.gpack) unless it is empty.
llvm::Error commitDirectory(llvm::StringRef tmpDir, llvm::StringRef outDir);

} // namespace gemma

#endif
