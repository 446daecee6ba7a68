//===- GroupedExperts.h - expert_linear as per-expert GEMMs -----*- C++ -*-===//
#ifndef GEMMA_PASSES_GROUPEDEXPERTS_H
#define GEMMA_PASSES_GROUPEDEXPERTS_H

#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"

namespace mlir::gemma {

/// Lowers `op` (gemma-lower-linear): (token, slot) pairs grouped by expert,
/// then a register-blocked GEMM per active expert. See GroupedExperts.cpp.
void lowerGroupedExpertLinear(KernelBuilder &k, ExpertLinearOp op);

} // namespace mlir::gemma

#endif
