//===- AmxDot.cpp - bf16 GEMMs on AMX tiles (tdpbf16ps) -------------------===//
//
// With --activations bf16 the prefill GEMMs round x to bf16 anyway (as
// llama.cpp's BF16 matmul does). On CPUs with AMX-BF16 one tdpbf16ps
// multiplies a 16x32 bf16 tile by a 32x16 one into 16x16 f32 sums: 8192
// MACs, 16 times the MACs of the two zmm FMAs a core retires per cycle, so
// the prefill GEMMs stop being the bottleneck they are with vdpbf16ps or
// widened FMAs (docs/benchmarks.md).
//
// Operands. A = 16 weight rows x 32 inputs, read in place from the
// row-major bf16 matrix (tile rows are strided by the row length), so the
// weights pack is the same as for every other bf16 kernel. B = 32 inputs x
// 16 tokens must be in pairs (row k2 holds inputs 2 k2, 2 k2 + 1 of each
// token): x is rounded and repacked once per op into 16-token tiles
// (allocTokenTiles), whose last tile is padded with copies of the last
// token. C = 16 rows x 16 tokens, the transpose of y's layout: each C tile
// leaves through a 16x16 stack buffer and one vector transpose, and only
// the columns of real tokens are stored.
//
// Register use: AMX has 8 tile registers. A block of 2 row tiles x 2 token
// tiles (linear) keeps 4 C tiles, 2 A and 2 B; expert blocks, whose tokens
// are few, take 2 x 1. Tiles are loop-carried SSA values; LLVM configures
// the tile shapes (ldtilecfg) per function.
//
//===----------------------------------------------------------------------===//
#include "passes/AmxDot.h"
#include "passes/DotBlock.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

bool mlir::gemma::amxApplies(Value weight, Value scales) {
  if (!bf16WeightInSteps(weight, scales, kAmxStepDepth))
    return false;
  auto type = cast<MemRefType>(weight.getType());
  int64_t rank = type.getRank();
  return rank >= 2 && type.getDimSize(rank - 2) % kAmxTileRows == 0;
}

bool mlir::gemma::amxLowers(Operation *op) {
  if (auto linear = dyn_cast<LinearOp>(op))
    return !linear.getSoftcap() && amxApplies(linear.getWeight(), linear.getScales());
  if (auto expert = dyn_cast<ExpertLinearOp>(op))
    return amxApplies(expert.getWeight(), expert.getScales());
  return false;
}

bool mlir::gemma::moduleUsesAmx(Operation *module) {
  return module->walk([](Operation *op) {
                 return amxLowers(op) ? WalkResult::interrupt() : WalkResult::advance();
               })
      .wasInterrupted();
}

int64_t mlir::gemma::amxPanelRows(int64_t outRows, int64_t cap) {
  for (int64_t rows = cap; rows > kAmxTileRows; rows /= 2)
    if (outRows % rows == 0)
      return rows;
  return kAmxTileRows;
}

TokenTiles mlir::gemma::allocTokenTiles(KernelBuilder &k, Value numTiles, int64_t depth,
                                        int64_t parts) {
  OpBuilder &b = k.builder();
  auto type = MemRefType::get({ShapedType::kDynamic, depth / 2, 2 * kAmxTileTokens},
                              b.getBF16Type());
  TokenTiles tiles;
  for (int64_t p = 0; p < parts; ++p)
    tiles.parts.push_back(b.create<memref::AllocOp>(k.location(), type, ValueRange{numTiles}));
  return tiles;
}

void mlir::gemma::freeTokenTiles(KernelBuilder &k, const TokenTiles &tiles) {
  for (Value part : tiles.parts)
    k.builder().create<memref::DeallocOp>(k.location(), part);
}

void mlir::gemma::packTokenTile(KernelBuilder &k, const TokenTiles &tiles, Value tile, Value x,
                                const std::function<SmallVector<Value>(Value j)> &xRow) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t depth = cast<MemRefType>(x.getType()).getShape().back();
  auto bf16s = VectorType::get({kAmxStepDepth}, b.getBF16Type());
  auto f32s = VectorType::get({kAmxStepDepth}, b.getF32Type());
  // Stores 32 bf16 of token j's row (16 input pairs) into rows k2.. of `to`.
  auto storePairs = [&](Value rounded, Value to, Value k2, Value column) {
    for (int64_t l = 0; l < kAmxStepDepth / 2; ++l) {
      Value two = b.create<vector::ExtractStridedSliceOp>(
          loc, rounded, ArrayRef<int64_t>{2 * l}, ArrayRef<int64_t>{2}, ArrayRef<int64_t>{1});
      b.create<vector::StoreOp>(loc, two, to, ValueRange{tile, plus(k, k2, l), column});
    }
  };
  k.loop(k.index(0), k.index(kAmxTileTokens), 1, [&](Value j) {
    SmallVector<Value> row = xRow(j);
    Value column = times(k, j, 2);
    k.loop(k.index(0), k.index(depth), kAmxStepDepth, [&](Value col) {
      Value rest = k.load(x, indicesWith(row, col), kAmxStepDepth);
      Value k2 = b.create<arith::DivUIOp>(loc, col, k.index(2));
      for (size_t p = 0; p < tiles.parts.size(); ++p) {
        Value rounded = b.create<arith::TruncFOp>(loc, bf16s, rest);
        storePairs(rounded, tiles.parts[p], k2, column);
        if (p + 1 < tiles.parts.size()) // exact: rounded is within 2^-9 of rest
          rest = k.sub(rest, b.create<arith::ExtFOp>(loc, f32s, rounded));
      }
    });
  });
}

Value mlir::gemma::allocAmxScratch(KernelBuilder &k) {
  OpBuilder &b = k.builder();
  return b.create<memref::AllocaOp>(
      k.location(), MemRefType::get({kAmxTileRows, kAmxTileTokens}, b.getF32Type()));
}

void mlir::gemma::emitAmxBlock(
    KernelBuilder &k, const AmxBlock &blk, Value weight, ValueRange lead, const TokenTiles &tiles,
    Value scratch, const std::function<void(int64_t n, int64_t j, int64_t r, Value v)> &store) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type bf16 = b.getBF16Type(), f32 = b.getF32Type();
  auto opType = amx::TileType::get({kAmxTileRows, kAmxStepDepth}, bf16);
  auto accType = amx::TileType::get({kAmxTileRows, kAmxTileTokens}, f32);
  int64_t depth = cast<MemRefType>(weight.getType()).getShape().back();
  SmallVector<Value> init;
  for (int64_t c = 0; c < blk.rowTiles * blk.tokenTiles; ++c)
    init.push_back(b.create<amx::TileZeroOp>(loc, accType));
  // k2 counts input pairs: row k2 of a token tile, column 2 k2 of W.
  SmallVector<Value> acc = k.loop(
      k.index(0), k.index(depth / 2), kAmxStepDepth / 2, init,
      [&](Value k2, ValueRange args) {
        Value col = times(k, k2, 2);
        SmallVector<Value> as, next(args.begin(), args.end());
        for (int64_t r = 0; r < blk.rowTiles; ++r) {
          SmallVector<Value> at(lead.begin(), lead.end());
          at.append({plus(k, blk.row0, r * kAmxTileRows), col});
          as.push_back(b.create<amx::TileLoadOp>(loc, opType, weight, at));
        }
        // One B tile live at a time, so a split x (several B tiles per
        // token tile) still fits the 8 registers: C, A and the B in use.
        for (int64_t n = 0; n < blk.tokenTiles; ++n)
          for (Value part : tiles.parts) {
            Value bt = b.create<amx::TileLoadOp>(
                loc, opType, part, ValueRange{plus(k, blk.tile0, n), k2, k.index(0)});
            for (int64_t r = 0; r < blk.rowTiles; ++r) {
              Value &c = next[r * blk.tokenTiles + n];
              c = b.create<amx::TileMulFOp>(loc, accType, as[r], bt, c);
            }
          }
        return next;
      });
  auto rowType = VectorType::get({kAmxTileTokens}, f32);
  auto squareType = VectorType::get({kAmxTileRows, kAmxTileTokens}, f32);
  for (int64_t r = 0; r < blk.rowTiles; ++r)
    for (int64_t n = 0; n < blk.tokenTiles; ++n) {
      b.create<amx::TileStoreOp>(loc, scratch, ValueRange{k.index(0), k.index(0)},
                                 acc[r * blk.tokenTiles + n]);
      Value square = b.create<arith::ConstantOp>(loc, squareType, b.getZeroAttr(squareType));
      for (int64_t m = 0; m < kAmxTileRows; ++m) {
        Value row = b.create<vector::LoadOp>(loc, rowType, scratch,
                                             ValueRange{k.index(m), k.index(0)});
        square = b.create<vector::InsertOp>(loc, row, square, ArrayRef<int64_t>{m});
      }
      // Rows of the transpose are tokens: 16 consecutive outputs each.
      Value byToken = b.create<vector::TransposeOp>(loc, square, ArrayRef<int64_t>{1, 0});
      for (int64_t j = 0; j < kAmxTileTokens; ++j)
        store(n, j, r, b.create<vector::ExtractOp>(loc, byToken, ArrayRef<int64_t>{j}));
    }
}

void mlir::gemma::lowerLinearAmx(KernelBuilder &k, LinearOp op, int64_t parts) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), w = op.getWeight(), out = op.getOut();
  auto wType = cast<MemRefType>(w.getType());
  int64_t outRows = wType.getDimSize(0), depth = wType.getDimSize(1);
  constexpr int64_t tokenTiles = 2;
  Value tokens = k.dim(x, 0);
  Value last = b.create<arith::SubIOp>(loc, tokens, k.index(1));
  // Whole pairs of token tiles; the padding repeats the last token.
  Value pairs = b.create<arith::DivUIOp>(
      loc, plus(k, tokens, tokenTiles * kAmxTileTokens - 1), k.index(tokenTiles * kAmxTileTokens));
  Value numTiles = times(k, pairs, tokenTiles);
  TokenTiles tiles = allocTokenTiles(k, numTiles, depth, parts);
  k.parallel({numTiles}, [&](ValueRange ivs) {
    packTokenTile(k, tiles, ivs[0], x, [&](Value j) -> SmallVector<Value> {
      Value t = b.create<arith::AddIOp>(loc, times(k, ivs[0], kAmxTileTokens), j);
      return {b.create<arith::MinUIOp>(loc, t, last)};
    });
  });
  int64_t panelRows = amxPanelRows(outRows, 128);
  int64_t rowTiles = panelRows == kAmxTileRows ? 1 : 2;
  k.parallel({k.index(outRows / panelRows)}, [&](ValueRange ivs) {
    k.allocaScope([&] {
      Value scratch = allocAmxScratch(k);
      Value panel0 = times(k, ivs[0], panelRows);
      k.loop(k.index(0), numTiles, tokenTiles, [&](Value tile0) {
        k.loop(k.index(0), k.index(panelRows), rowTiles * kAmxTileRows, [&](Value offset) {
          Value row0 = b.create<arith::AddIOp>(loc, panel0, offset);
          AmxBlock blk{row0, rowTiles, tile0, tokenTiles};
          emitAmxBlock(k, blk, w, {}, tiles, scratch, [&](int64_t n, int64_t j, int64_t r, Value v) {
            Value t = plus(k, times(k, plus(k, tile0, n), kAmxTileTokens), j);
            Value real = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, t, tokens);
            k.ifThen(real, [&] { k.store(v, out, {t, plus(k, row0, r * kAmxTileRows)}); });
          });
        });
      });
    });
  });
  freeTokenTiles(k, tiles);
}
