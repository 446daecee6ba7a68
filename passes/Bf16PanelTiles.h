//===- Bf16PanelTiles.h - prefill of bf16 weights on AVX2 -------*- C++ -*-===//
//
// With 16 vector registers a dot block whose lanes run along the inputs
// (PairedBf16Dot.h) holds at most 4 rows x 2 tokens: every weight line
// widened costs a shift and a mask per 4 FMAs, and every FMA needs both
// operands in registers. Prefill (many tokens) instead re-lays each
// parallel panel of bf16 rows once, at run time, as tiles whose lanes are
// 8 output rows holding one pair of inputs (the int8 tiles' form,
// WeightTiles.h): x is broadcast from memory, a widened weight vector serves
// every token of the block, and the block grows to 16 rows x 6 tokens.
// The panel is re-laid once per call and reused by all of the call's tokens.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_BF16PANELTILES_H
#define GEMMA_PASSES_BF16PANELTILES_H

#include "passes/DotBlock.h"

namespace mlir::gemma {

/// Output rows and tokens per block: 12 accumulators, 2 widened weight
/// vectors and a broadcast x fill 15 of the 16 ymm registers.
constexpr int64_t kBf16TileRows = 16, kBf16TileTokens = 6;
/// Token blocks for forTokenBlocks: full blocks, then at most one each of
/// 3, 2 and 1 for the rest (each small block with enough FMA chains).
constexpr int64_t kBf16TileBlockSizes[] = {kBf16TileTokens, 3, 2, 1};
/// Fewer tokens than this run the row-major kernel (re-laying a panel costs
/// about one pass over its weights).
constexpr int64_t kBf16TileMinTokens = 4;

/// Whether panels of `panelRows` rows of `weight` can be re-laid: bf16 (not
/// quantised), rows a multiple of kBf16TileRows, inputs a multiple of 16.
/// The kernels are 8-lane (AVX2) ones: prepareActivations sets
/// PreparedActivations::panelTiles only there.
bool bf16PanelTilesApply(Value weight, Value scales, int64_t panelRows);

/// Rows [row0, row0 + rows) of weight[lead..., row, :] as tiles in a heap
/// buffer [rows / 8][in / 2][8] i32: lane l of (g, p) holds row 8g + l's
/// inputs 2p (low half) and 2p + 1 (high half). Free it with memref.dealloc.
Value tileBf16Panel(KernelBuilder &k, Value weight, ValueRange lead, Value row0, int64_t rows);

/// body(group of the block's first 8 rows in the tiles, its first row) for
/// each block of kBf16TileRows rows of `panel`.
void forEachTileBlock(KernelBuilder &k, const RowPanel &panel,
                      const std::function<void(Value group, Value row0)> &body);

/// blk.tokens tokens of f32 `x` against the tile block whose first group of
/// 8 rows is `group` (blk.rows == kBf16TileRows) over blk.depth inputs.
void emitBf16TileDot(KernelBuilder &k, const DotBlock &blk, Value x, Value tiles, Value group,
                     const OperandRows &rows);

} // namespace mlir::gemma

#endif
