//===- Package.h - assemble a deployable folder ----------------*- C++ -*-===//
#ifndef GEMMA_TOOLS_GEMMAC_PACKAGE_H
#define GEMMA_TOOLS_GEMMAC_PACKAGE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace gemma {

/// Finds libgemma_runtime.a: `explicitPath` if given, else next to gemmac
/// (<bin>/../lib/libgemma_runtime.a).
llvm::Expected<std::string> findRuntimeArchive(llvm::StringRef explicitPath, const char *argv0);

/// Links `object` with the runtime archive and LLVM's OpenMP runtime into
/// `dir`/gemma-run (rpath $ORIGIN) and copies libomp.so.5 beside it, so the
/// folder runs on a machine without LLVM.
llvm::Error linkDeployable(llvm::StringRef object, llvm::StringRef runtimeArchive,
                           llvm::StringRef dir);

/// Links `object` with the runtime archive into `dir`/libgemma.so, which
/// exports only the C API of gemma.h, and installs `dir`/include/gemma.h and
/// `dir`/examples/example.c (shipped next to the archive, in gemma-capi/).
llvm::Error linkCApi(llvm::StringRef object, llvm::StringRef runtimeArchive,
                     llvm::StringRef dir);

/// The C API functions libgemma.so exports (those of gemma.h).
const std::vector<std::string> &cApiFunctions();

/// Copies what gemma-run reads at run time from `modelDir` into `dir`:
/// tokenizer.json, tokenizer_config.json, generation_config.json and
/// chat_template.jinja, each when present. A non-empty `tokenizer` is
/// copied as `dir`/tokenizer.json instead of the model folder's one (it
/// must exist).
llvm::Error copyModelFiles(llvm::StringRef modelDir, llvm::StringRef tokenizer,
                           llvm::StringRef dir);

/// Replaces `outDir` with `tmpDir`. Refuses to delete an existing `outDir`
/// that is not a gemmac deployable (no weights.gpack) unless it is empty.
llvm::Error commitDirectory(llvm::StringRef tmpDir, llvm::StringRef outDir);

} // namespace gemma

#endif
