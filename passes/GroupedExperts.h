//===- GroupedExperts.h - expert_linear as per-expert GEMMs -----*- C++ -*-===//
#ifndef GEMMA_PASSES_GROUPEDEXPERTS_H
#define GEMMA_PASSES_GROUPEDEXPERTS_H

#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"
#include "passes/Activations.h"

namespace mlir::gemma {

/// The T*K routed (token, slot) pairs of an expert_linear sorted by expert
/// (a counting sort into stack buffers).
struct Grouping {
  Value offsets;   // [E + 1]: first pair index of each expert in `pairs`
  Value pairs;     // [T * K]: (token * K + slot), grouped by expert
  Value active;    // [E]: the experts with at least one pair
  Value numActive; // index
  int64_t slots;   // K
};
Grouping groupByExpert(KernelBuilder &k, Value ids, int64_t experts);

/// The token and slot of a pair value (token * K + slot).
std::pair<Value, Value> tokenAndSlot(KernelBuilder &k, const Grouping &g, Value pair);

/// Active expert `a` (< numActive): its id and its pairs [begin, end).
struct ActiveExpert {
  Value expert, begin, end;
};
ActiveExpert activeExpert(KernelBuilder &k, const Grouping &g, Value a);

/// Lowers `op` (gemma-lower-linear): (token, slot) pairs grouped by expert,
/// then a register-blocked GEMM per active expert. See GroupedExperts.cpp.
/// `x` says in which form the blocks read the activations (f32, int8 or
/// bf16; Activations.h).
void lowerGroupedExpertLinear(KernelBuilder &k, ExpertLinearOp op, const PreparedActivations &x);
/// The same on AMX tiles (AmxDot.h): each active expert's tokens in
/// 16-token tiles, 2 row tiles x 1 token tile per block; x as `parts` bf16
/// terms (amxActivationParts).
void lowerGroupedExpertLinearAmx(KernelBuilder &k, ExpertLinearOp op, int64_t parts);

} // namespace mlir::gemma

#endif
