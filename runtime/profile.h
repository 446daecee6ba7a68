//===- profile.h - per-op-family time of a `gemmac --profile` model ------===//
//
// A model compiled with --profile calls gemma_prof_begin/end(family) around
// every model-level op (families: GEMMA_PROF_* in gemma_abi.h). The runtime
// sums wall time per family; `gemma-run --profile` prints the table. Models
// compiled without --profile never call in, and the table stays empty.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_PROFILE_H
#define GEMMA_RUNTIME_PROFILE_H

#include <cstdint>
#include <cstdio>

namespace gemma_rt {

void profileReset();
/// True if the model reported any op since the last reset.
bool profileHasData();
/// Milliseconds per token of each family over `tokens` tokens, as a markdown
/// table titled `what`.
void profilePrint(FILE *out, const char *what, double tokens);

} // namespace gemma_rt

#endif
