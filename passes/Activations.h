//===- Activations.h - how x enters a linear's dot products -----*- C++ -*-===//
//
// gemma-lower-linear reads x as f32 (the default), quantised to int8 once
// per op (int8/int4 weights, QuantizedDot.h) or rounded to bf16 once per op
// (bf16 weights on AVX512_BF16, Bf16Dot.h); with bf16 weights and f32 x,
// x is split into even and odd columns (PairedBf16Dot.h). This picks the
// form for one op, prepares and releases its buffer, and emits the matching
// dot kernel.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_ACTIVATIONS_H
#define GEMMA_PASSES_ACTIVATIONS_H

#include "passes/Bf16Dot.h"
#include "passes/PairedBf16Dot.h"
#include "passes/QuantizedDot.h"
#include "passes/TiledQuantizedDot.h"

namespace mlir::gemma {

struct ActivationOptions {
  bool int8 = false; // int8 x for int8/int4 weights
  bool vnni = false; // vpdpbusd for the int8 dots
  bool bf16 = false; // bf16 x for bf16 weights (vdpbf16ps)
  bool panelTiles = true; // bf16 prefill on re-laid panels (8 lanes, Bf16PanelTiles.h)
};

struct PreparedActivations {
  Value x; // the op's x, f32
  std::optional<QuantizedActivations> int8;
  std::optional<RoundedActivations> bf16; // x rounded to bf16
  std::optional<Value> splitF32;          // f32 x for emitPairedBf16DotBlock
  bool panelTiles = false; // with splitF32: token blocks may run Bf16PanelTiles.h
  std::optional<TiledWeight> tiled;        // with int8: the weight's tiles
  bool vnni = false;
};

/// The register block emitDotBlockFor takes: `rows` output rows (a tile of
/// 16 for tiled weights with int8 x, else kRowsPerBlock) by `tokens`.
struct DotBlockShape {
  int64_t rows, tokens;
};
DotBlockShape dotBlockShape(KernelBuilder &k, const PreparedActivations &x);

/// The form of x for a linear with weights `weight`/`scales`; allocates and
/// fills its buffer unless it is plain f32.
PreparedActivations prepareActivations(KernelBuilder &k, Value x, Value weight, Value scales,
                                       const ActivationOptions &options);
void releaseActivations(KernelBuilder &k, const PreparedActivations &x);

/// emitDotBlock, emitQuantizedDotBlock, emitTiledQuantizedDot,
/// emitBf16DotBlock or emitPairedBf16DotBlock for `x`'s form (blk of
/// dotBlockShape's rows).
void emitDotBlockFor(KernelBuilder &k, const DotBlock &blk, const PreparedActivations &x,
                     Value weight, Value scales, const OperandRows &rows);

/// panelBlocksFor for `x`'s form: with panel tiles, raised to whole tile
/// blocks so that small matrices (the goldens') take the tiles too.
int64_t panelBlocksFor(const PreparedActivations &x, int64_t outRows, int64_t panelRows,
                       int64_t rowsPerBlock);

/// Emits the DotBlock of tokens [first, first + n) against weight rows
/// [row0, row0 + rows) with `kernel` (the caller knows where x, the weight
/// rows and the results live).
using BlockEmitter = std::function<void(
    Value first, int64_t n, Value row0, int64_t rows,
    const std::function<void(const DotBlock &, const OperandRows &)> &kernel)>;

/// The dot blocks of one parallel panel of weight[lead...] for the tokens
/// [begin, end): token blocks of `tokenBlock` (tokenBlockSizes) over the
/// panel's row blocks with emitDotBlockFor; where x.panelTiles applies and
/// there are kBf16TileMinTokens tokens or more, on the panel re-laid as
/// tiles (Bf16PanelTiles.h) instead.
void emitPanelDots(KernelBuilder &k, const PreparedActivations &x, Value weight, Value scales,
                   ValueRange lead, const RowPanel &panel, Value begin, Value end,
                   int64_t tokenBlock, const BlockEmitter &emitBlock);

} // namespace mlir::gemma

#endif
