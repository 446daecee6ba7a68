//===- GroupedExperts.h - expert_linear as per-expert GEMMs -----*- C++ -*-===//
#ifndef GEMMA_PASSES_GROUPEDEXPERTS_H
#define GEMMA_PASSES_GROUPEDEXPERTS_H

#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"
#include "passes/Activations.h"

namespace mlir::gemma {

/// Lowers `op` (gemma-lower-linear): (token, slot) pairs grouped by expert,
/// then a register-blocked GEMM per active expert. See GroupedExperts.cpp.
/// `x` says in which form the blocks read the activations (f32, int8 or
/// bf16; Activations.h).
void lowerGroupedExpertLinear(KernelBuilder &k, ExpertLinearOp op, const PreparedActivations &x);

} // namespace mlir::gemma

#endif
