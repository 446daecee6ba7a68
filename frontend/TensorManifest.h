//===- TensorManifest.h - which checkpoint tensors a model needs ----------===//
//
// The single source of truth for "which tensors does this config need, with
// which shapes" (gemma4-spec.md section 3). gemma-inspect and the importer
// both check a checkpoint against it.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_TENSORMANIFEST_H
#define GEMMA_FRONTEND_TENSORMANIFEST_H

#include "frontend/Checkpoint.h"
#include "frontend/ModelConfig.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gemma {

struct ExpectedTensor {
  std::string name;           // full checkpoint name, prefix included
  std::vector<int64_t> shape; // as stored in the safetensors header
  bool optional = false;      // e.g. lm_head.weight of a tied model
  int64_t layer = -1;         // decoder layer, -1 for global tensors
};

/// Every tensor the text decoder reads, in a stable order (globals, then
/// layer by layer). KV-shared layers list no k_proj/v_proj/k_norm; k_eq_v
/// layers list no v_proj. Tensors outside this list (vision tower, unused
/// k/v of shared layers) are ignored by gemmac.
std::vector<ExpectedTensor> expectedTensors(const ModelConfig &cfg);

/// Checks every non-optional tensor of expectedTensors(cfg) with
/// Checkpoint::require (optional ones only if present) and that it holds
/// floating-point data. Returns the first problem.
llvm::Error checkTensors(const ModelConfig &cfg, const Checkpoint &ckpt);

/// The checkpoint's LM-head tensor: `<prefix>embed_tokens.weight` for a tied
/// model (a stored lm_head.weight is ignored, as HF does), else
/// `lm_head.weight`.
std::string lmHeadTensorName(const ModelConfig &cfg, const Checkpoint &ckpt);

} // namespace gemma

#endif
