//===- AmxDot.h - bf16 GEMMs on AMX tiles (tdpbf16ps) -----------*- C++ -*-===//
//
// The prefill path of gemma-lower-linear{amx} (gemmac --activations bf16 on
// a CPU with AMX-BF16): a linear or expert_linear with bf16 weights and at
// least kAmxMinTokens tokens multiplies 16x32 weight tiles by 16-token tiles
// of x rounded to bf16, 16x16x32 products per tdpbf16ps. See AmxDot.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_AMXDOT_H
#define GEMMA_PASSES_AMXDOT_H

#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"

#include <functional>

namespace mlir::gemma {

/// A C tile is 16 output rows x 16 tokens; one k step covers 32 inputs.
constexpr int64_t kAmxTileRows = 16, kAmxTileTokens = 16, kAmxStepDepth = 32;
/// Ops with fewer tokens (decode) keep the GEMV kernels: a 16-token tile
/// would mostly multiply padding, and a GEMV is bound by memory anyway.
constexpr int64_t kAmxMinTokens = 16;

/// bf16 weights (not quantised), input dimension a multiple of 32 and rows
/// (per expert) a multiple of 16.
bool amxApplies(Value weight, Value scales);

/// Output rows per parallel iteration: the largest of 128, 64, 32, 16 (at
/// most `cap`) that divides `outRows`. Blocks inside it are 32 rows (two A
/// tiles) unless the panel is 16.
int64_t amxPanelRows(int64_t outRows, int64_t cap);

/// x as AMX B operands, [tiles][depth / 2][32] bf16: row k2 of tile t holds
/// (x[token, 2 k2], x[token, 2 k2 + 1]) for the tile's 16 tokens (the VNNI
/// pair layout tdpbf16ps reads), in `parts` buffers: part 0 is x rounded to
/// bf16, part p the rest x - (parts before it) rounded to bf16, and the
/// block multiplies each: 3 parts give x to 2^-27 of |x|, past f32's 2^-24.
struct TokenTiles {
  SmallVector<Value, 3> parts;
};
/// 1 part for bf16 activations (x rounded, as the vdpbf16ps kernels do); 3
/// for f32 activations, whose results must match the FMA kernels (the
/// goldens' 1e-3; 2 parts, 2^-18, measured 1.3e-3 on them).
inline int64_t amxActivationParts(bool bf16Activations) { return bf16Activations ? 1 : 3; }
TokenTiles allocTokenTiles(KernelBuilder &k, Value numTiles, int64_t depth, int64_t parts);
void freeTokenTiles(KernelBuilder &k, const TokenTiles &tiles);
/// Rounds to bf16 and stores 16 rows of x, xRow(j) giving the indices before
/// the column of the tile's token j (an index value), as tile `tile`.
void packTokenTile(KernelBuilder &k, const TokenTiles &tiles, Value tile, Value x,
                   const std::function<SmallVector<Value>(Value j)> &xRow);

/// rowTiles x tokenTiles C tiles: rows [row0, row0 + 16 rowTiles) of the
/// weight (after the leading indices `lead`, e.g. the expert) times token
/// tiles [tile0, tile0 + tokenTiles). Each result column goes to
/// store(n, j, r, v): v holds rows row0 + 16 r .. + 16 for token j of tile
/// tile0 + n. `scratch` is a 16x16 f32 buffer (the tiles leave through it).
struct AmxBlock {
  Value row0;
  int64_t rowTiles;
  Value tile0;
  int64_t tokenTiles;
};
void emitAmxBlock(KernelBuilder &k, const AmxBlock &blk, Value weight, ValueRange lead,
                  const TokenTiles &tiles, Value scratch,
                  const std::function<void(int64_t n, int64_t j, int64_t r, Value v)> &store);

/// A 16x16 f32 stack buffer for emitAmxBlock.
Value allocAmxScratch(KernelBuilder &k);

/// Lowers a linear (no soft-cap) with at least kAmxMinTokens tokens, x as
/// `parts` bf16 terms.
void lowerLinearAmx(KernelBuilder &k, LinearOp op, int64_t parts);

/// Whether gemma-lower-linear{amx} gives `op` an AMX branch: a linear
/// (except the soft-capped LM head, which keeps its fused epilogue) or an
/// expert_linear whose weights amxApplies to.
bool amxLowers(Operation *op);
/// Whether any op of `module` takes it: the deployable then needs AMX-BF16.
bool moduleUsesAmx(Operation *module);

} // namespace mlir::gemma

#endif
