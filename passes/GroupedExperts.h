//===- GroupedExperts.h - expert_linear as per-expert GEMMs -----*- C++ -*-===//
#ifndef GEMMA_PASSES_GROUPEDEXPERTS_H
#define GEMMA_PASSES_GROUPEDEXPERTS_H

#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"
#include "passes/QuantizedDot.h"

namespace mlir::gemma {

/// Lowers `op` (gemma-lower-linear): (token, slot) pairs grouped by expert,
/// then a register-blocked GEMM per active expert. See GroupedExperts.cpp.
/// With `quantized`, x has been quantised (int8 activations; the weights are
/// int8/int4) and the blocks multiply bytes.
void lowerGroupedExpertLinear(KernelBuilder &k, ExpertLinearOp op,
                              const QuantizedActivations *quantized, bool vnni);

} // namespace mlir::gemma

#endif
