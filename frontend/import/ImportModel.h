//===- ImportModel.h - Hugging Face checkpoint -> gemma dialect -*- C++ -*-===//
//
// Builds one function, `gemma_forward`, that runs a step of T tokens through
// the whole decoder (spec section 2), as gemma ops on three arenas: weights
// (a PackPlan entry per gemma.weight), KV caches and activation scratch. The
// arenas' layouts are decided here, once; the runtime only allocates them.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_IMPORT_IMPORTMODEL_H
#define GEMMA_FRONTEND_IMPORT_IMPORTMODEL_H

#include "frontend/Checkpoint.h"
#include "frontend/ModelConfig.h"
#include "frontend/WeightsPack.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gemma {

struct ImportOptions {
  int64_t context = 0;  // positions the KV cache holds (0: min(max_positions, 4096))
  int64_t maxChunk = 0; // tokens per forward call (0: min(256, context))
  /// Storage of the large matrices (attention, MLP, experts, LM head /
  /// embedding table); docs/weights.md.
  WeightFormat weights = WeightFormat::Checkpoint;
};

struct ImportedModel {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  PackPlan pack;
  int64_t context = 0;
  int64_t maxChunk = 0;
  uint64_t kvBytes = 0;
  uint64_t scratchBytes = 0;
  /// Canonical description of the geometry and arena layout (hashed with the
  /// pack into the model hash).
  std::string geometry;
};

llvm::Expected<ImportedModel> importModel(mlir::MLIRContext &ctx, const ModelConfig &cfg,
                                          const Checkpoint &ckpt, const ImportOptions &opts);

/// Adds (or replaces) the exported constant `gemma_model_info` (runtime ABI).
void setModelInfo(mlir::ModuleOp module, const std::vector<int64_t> &info);

} // namespace gemma

#endif
