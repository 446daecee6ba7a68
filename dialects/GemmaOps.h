//===- GemmaOps.h - gemma ops -----------------------------------*- C++ -*-===//
#ifndef GEMMA_DIALECTS_GEMMAOPS_H
#define GEMMA_DIALECTS_GEMMAOPS_H

#include "dialects/GemmaDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/GemmaOps.h.inc"

namespace mlir::gemma {

/// Block-quantised weights (docs/weights.md): one scale per this many
/// consecutive weights along the input dimension.
constexpr int64_t kQuantBlock = 32;

/// How a weight operand stores its matrix: as floats, or block-quantised with
/// a `scales` operand (int8: one i8 per weight; int4: two per byte).
enum class WeightFormat { Float, Int8, Int4 };

/// The format of (weight, scales), for operands that passed the verifier.
WeightFormat weightFormat(Value weight, Value scales);
/// The logical input dimension (the last) of (weight, scales).
int64_t weightInFeatures(Value weight, Value scales);

/// Quantised matrices whose row count (the second-to-last dim) is a multiple
/// of this are stored in tiles of that many rows (docs/weights.md; the pack
/// writer's kQuantTileRows): 64-byte vectors of 16 rows x 4 (int8) or 8
/// (int4) consecutive inputs, the scales as [in / 32][16] per tile. The
/// memref types stay the logical ones; passes/WeightTiles.h reads them.
constexpr int64_t kQuantTileRows = 16;
bool weightTiled(Value weight, Value scales);

} // namespace mlir::gemma

#endif
