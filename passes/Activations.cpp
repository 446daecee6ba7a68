//===- Activations.cpp ----------------------------------------------------===//
#include "passes/Activations.h"
#include "dialects/GemmaOps.h"
#include "passes/Bf16Dot.h"
#include "passes/Bf16PanelTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::gemma;

PreparedActivations mlir::gemma::prepareActivations(KernelBuilder &k, Value x, Value weight,
                                                    Value scales,
                                                    const ActivationOptions &options) {
  PreparedActivations prepared;
  prepared.x = x;
  prepared.vnni = options.vnni;
  WeightFormat format = weightFormat(weight, scales);
  if (options.int8 && format != WeightFormat::Float) {
    int64_t correction = 0;
    bool magnitudes = false;
    if (weightTiled(weight, scales)) {
      prepared.tiled = tiledView(k, weight, scales);
      correction = tiledCorrectionFactor(k, format, options.vnni);
      magnitudes = tiledSignedRoute(k, format, options.vnni);
    }
    prepared.int8 = quantizeActivations(k, x, correction, magnitudes);
  } else if (options.bf16 && bf16DotApplies(k, weight, scales))
    prepared.bf16 = roundActivationsToBf16(k, x);
  else if (pairedBf16DotApplies(weight, scales)) {
    prepared.splitF32 = splitEvenOddColumns(k, x);
    prepared.panelTiles = options.panelTiles && k.lanes() == 8;
  }
  return prepared;
}

void mlir::gemma::releaseActivations(KernelBuilder &k, const PreparedActivations &x) {
  if (x.int8)
    freeQuantizedActivations(k, *x.int8);
  if (x.bf16)
    freeRoundedActivations(k, *x.bf16);
  if (x.splitF32)
    k.builder().create<memref::DeallocOp>(k.location(), *x.splitF32);
}

DotBlockShape mlir::gemma::dotBlockShape(KernelBuilder &k, const PreparedActivations &x) {
  if (x.tiled)
    return {kQuantTileRows, tiledTokensPerBlock(k, x.tiled->format)};
  return {kRowsPerBlock, tokensPerWeightLoad(k)};
}

void mlir::gemma::emitDotBlockFor(KernelBuilder &k, const DotBlock &blk,
                                  const PreparedActivations &x, Value weight, Value scales,
                                  const OperandRows &rows) {
  if (x.tiled)
    return emitTiledQuantizedDot(k, blk, *x.int8, *x.tiled, rows, x.vnni);
  if (x.int8)
    return emitQuantizedDotBlock(k, blk, *x.int8, weight, scales, rows, x.vnni);
  if (x.bf16 && blk.tokens == 1)
    return emitBf16DotBlock(k, blk, x.bf16->bf16, weight, rows);
  if (x.splitF32)
    return emitPairedBf16DotBlock(k, blk, *x.splitF32, weight, rows);
  // Token blocks read the rounded x as f32 (Bf16Dot.cpp says why).
  emitDotBlock(k, blk, x.bf16 ? x.bf16->asF32 : x.x, weight, scales, rows);
}

int64_t mlir::gemma::panelBlocksFor(const PreparedActivations &x, int64_t outRows,
                                    int64_t panelRows, int64_t rowsPerBlock) {
  int64_t blocks = panelBlocksFor(outRows, panelRows, rowsPerBlock);
  return x.panelTiles ? std::max(blocks, kBf16TileRows / rowsPerBlock) : blocks;
}

void mlir::gemma::emitPanelDots(KernelBuilder &k, const PreparedActivations &x, Value weight,
                                Value scales, ValueRange lead, const RowPanel &panel,
                                Value begin, Value end, int64_t tokenBlock,
                                const BlockEmitter &emitBlock) {
  auto rowMajor = [&] {
    forTokenBlocks(k, begin, end, tokenBlockSizes(tokenBlock), [&](Value first, int64_t n) {
      forEachRowBlock(k, panel, [&](Value row0) {
        emitBlock(first, n, row0, panel.rowsPerBlock,
                  [&](const DotBlock &blk, const OperandRows &at) {
                    emitDotBlockFor(k, blk, x, weight, scales, at);
                  });
      });
    });
  };
  int64_t panelRows = panel.blocks * panel.rowsPerBlock;
  if (!x.panelTiles || !bf16PanelTilesApply(weight, scales, panelRows))
    return rowMajor();
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value many = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::uge,
                                       b.create<arith::SubIOp>(loc, end, begin),
                                       k.index(kBf16TileMinTokens));
  k.ifThen(many, [&] {
    Value tiles = tileBf16Panel(k, weight, lead, panel.row0, panelRows);
    forTokenBlocks(k, begin, end, kBf16TileBlockSizes, [&](Value first, int64_t n) {
      forEachTileBlock(k, panel, [&](Value group, Value row0) {
        emitBlock(first, n, row0, kBf16TileRows, [&](const DotBlock &blk, const OperandRows &at) {
          emitBf16TileDot(k, blk, x.x, tiles, group, at);
        });
      });
    });
    b.create<memref::DeallocOp>(loc, tiles);
  }, rowMajor);
}
