//===- GroupedExperts.cpp - gemma.expert_linear grouped by expert ---------===//
//
// Part of gemma-lower-linear. Evaluating y[t, j] = x[t] . W[ids[t, j]]^T one
// (token, slot) at a time re-reads an expert's weights for every token routed
// to it: a prefill of 512 tokens with top-8 of 128 experts reads each expert
// ~32 times. Instead the kernel first groups the (token, slot) pairs by
// expert (a counting sort of ids, in a stack buffer), then runs one parallel
// iteration per (active expert, block of output rows): a GEMM over that
// expert's tokens in register blocks of several tokens, so each weight
// vector is loaded once per token block. Only experts some token selected are
// visited (the active list), so decode stays a GEMV over k experts; no
// per-expert launch loop is left to the runtime.
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/Activations.h"
#include "passes/AmxDot.h"
#include "passes/DotBlock.h"
#include "passes/GroupedExperts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::gemma;

Grouping mlir::gemma::groupByExpert(KernelBuilder &k, Value ids, int64_t experts) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type index = b.getIndexType();
  int64_t slots = cast<MemRefType>(ids.getType()).getDimSize(1);
  Value total = b.create<arith::MulIOp>(loc, k.dim(ids, 0), k.index(slots));
  Grouping g;
  g.slots = slots;
  Value cursor = b.create<memref::AllocaOp>(loc, MemRefType::get({experts}, index));
  g.offsets = b.create<memref::AllocaOp>(loc, MemRefType::get({experts + 1}, index));
  g.active = b.create<memref::AllocaOp>(loc, MemRefType::get({experts}, index));
  g.pairs = b.create<memref::AllocaOp>(loc, MemRefType::get({ShapedType::kDynamic}, index),
                                       ValueRange{total});
  auto expertOf = [&](Value pair) {
    auto [t, s] = tokenAndSlot(k, g, pair);
    Value id = b.create<memref::LoadOp>(loc, ids, ValueRange{t, s});
    return b.create<arith::IndexCastOp>(loc, index, id).getResult();
  };
  auto bump = [&](Value e) {
    Value c = b.create<memref::LoadOp>(loc, cursor, e);
    b.create<memref::StoreOp>(loc, plus(k, c, 1), cursor, e);
    return c;
  };
  k.loop(k.index(0), k.index(experts), 1, [&](Value e) {
    b.create<memref::StoreOp>(loc, k.index(0), cursor, e);
  });
  k.loop(k.index(0), total, 1, [&](Value pair) { bump(expertOf(pair)); });
  // Exclusive prefix sum; the cursor restarts at each expert's offset.
  b.create<memref::StoreOp>(loc, k.index(0), g.offsets, k.index(0));
  g.numActive = k.loop(k.index(0), k.index(experts), 1, {k.index(0)},
                       [&](Value e, ValueRange st) -> SmallVector<Value> {
    Value start = b.create<memref::LoadOp>(loc, g.offsets, e);
    Value count = b.create<memref::LoadOp>(loc, cursor, e);
    b.create<memref::StoreOp>(loc, b.create<arith::AddIOp>(loc, start, count), g.offsets,
                              plus(k, e, 1));
    b.create<memref::StoreOp>(loc, start, cursor, e);
    Value used = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ugt, count, k.index(0));
    // Writing the active slot unconditionally is harmless: it is only read
    // below numActive.
    b.create<memref::StoreOp>(loc, e, g.active, st[0]);
    return {b.create<arith::SelectOp>(loc, used, plus(k, st[0], 1), st[0])};
  })[0];
  k.loop(k.index(0), total, 1, [&](Value pair) {
    b.create<memref::StoreOp>(loc, pair, g.pairs, bump(expertOf(pair)));
  });
  return g;
}

std::pair<Value, Value> mlir::gemma::tokenAndSlot(KernelBuilder &k, const Grouping &g,
                                                  Value pair) {
  OpBuilder &b = k.builder();
  return {b.create<arith::DivUIOp>(k.location(), pair, k.index(g.slots)),
          b.create<arith::RemUIOp>(k.location(), pair, k.index(g.slots))};
}

ActiveExpert mlir::gemma::activeExpert(KernelBuilder &k, const Grouping &g, Value a) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value e = b.create<memref::LoadOp>(loc, g.active, a);
  return {e, b.create<memref::LoadOp>(loc, g.offsets, e),
          b.create<memref::LoadOp>(loc, g.offsets, plus(k, e, 1))};
}

void mlir::gemma::lowerGroupedExpertLinear(KernelBuilder &k, ExpertLinearOp op,
                                           const PreparedActivations &prepared) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value w = op.getWeight(), scales = op.getScales(), out = op.getOut();
  auto wType = cast<MemRefType>(w.getType());
  int64_t experts = wType.getDimSize(0), outRows = wType.getDimSize(1),
          depth = weightInFeatures(w, scales);
  bool perExpertInput = cast<MemRefType>(op.getX().getType()).getRank() == 3;
  DotBlockShape shape = dotBlockShape(k, prepared);
  int64_t tokenBlock = shape.tokens;
  k.allocaScope([&] {
    Grouping g = groupByExpert(k, op.getIndices(), experts);
    int64_t panelBlocks = panelBlocksFor(prepared, outRows, kExpertPanelRows, shape.rows);
    forRowBlocks(k, outRows, {g.numActive}, panelBlocks, shape.rows,
                 [&](const RowPanel &panel, ValueRange outer) {
      auto [e, begin, end] = activeExpert(k, g, outer[0]);
      // Pairs [p0, p0 + nt) of this expert against rows [row0, row0 + rows).
      BlockEmitter emitBlock = [&](Value p0, int64_t nt, Value row0, int64_t rows,
                                   const std::function<void(const DotBlock &,
                                                            const OperandRows &)> &kernel) {
        SmallVector<Value> token, slot;
        for (int64_t i = 0; i < nt; ++i) {
          auto [t, s] = tokenAndSlot(k, g, b.create<memref::LoadOp>(loc, g.pairs, plus(k, p0, i)));
          token.push_back(t);
          slot.push_back(s);
        }
        DotBlock blk{nt, rows, depth,
                     [&](int64_t i, int64_t j, Value s) {
                       k.store(s, out, {token[i], slot[i], plus(k, row0, j)});
                     },
                     {}};
        OperandRows at{[&](int64_t i) -> SmallVector<Value> {
                         if (perExpertInput)
                           return {token[i], slot[i]};
                         return {token[i]};
                       },
                       [&](int64_t j) -> SmallVector<Value> { return {e, plus(k, row0, j)}; }};
        kernel(blk, at);
      };
      emitPanelDots(k, prepared, w, scales, {e}, panel, begin, end, tokenBlock, emitBlock);
    });
  });
}

void mlir::gemma::lowerGroupedExpertLinearAmx(KernelBuilder &k, ExpertLinearOp op,
                                              int64_t parts) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), w = op.getWeight(), out = op.getOut();
  auto wType = cast<MemRefType>(w.getType());
  int64_t experts = wType.getDimSize(0), outRows = wType.getDimSize(1),
          depth = wType.getDimSize(2);
  bool perExpertInput = cast<MemRefType>(x.getType()).getRank() == 3;
  k.allocaScope([&] {
    Grouping g = groupByExpert(k, op.getIndices(), experts);
    // Each active expert's pairs fill whole 16-token tiles of their own
    // (the last one padded): firstTile[a] is where active expert a starts.
    Value firstTile = b.create<memref::AllocaOp>(
        loc, MemRefType::get({experts + 1}, b.getIndexType()));
    auto tilesOf = [&](Value begin, Value end) -> Value {
      Value count = b.create<arith::SubIOp>(loc, end, begin);
      return b.create<arith::DivUIOp>(loc, plus(k, count, kAmxTileTokens - 1),
                                      k.index(kAmxTileTokens));
    };
    Value numTiles = k.loop(k.index(0), g.numActive, 1, {k.index(0)},
                            [&](Value a, ValueRange sum) -> SmallVector<Value> {
      auto [e, begin, end] = activeExpert(k, g, a);
      b.create<memref::StoreOp>(loc, sum[0], firstTile, a);
      return {b.create<arith::AddIOp>(loc, sum[0], tilesOf(begin, end))};
    })[0];
    TokenTiles tiles = allocTokenTiles(k, numTiles, depth, parts);
    // The (token, slot) of pair p of [begin, end), clamped to the last one
    // (the padding of a partial tile).
    auto pairAt = [&](Value p, Value end) {
      Value clamped = b.create<arith::MinUIOp>(loc, p, plus(k, end, -1));
      return tokenAndSlot(k, g, b.create<memref::LoadOp>(loc, g.pairs, clamped));
    };
    k.parallel({g.numActive}, [&](ValueRange ivs) {
      auto [e, begin, end] = activeExpert(k, g, ivs[0]);
      Value tile0 = b.create<memref::LoadOp>(loc, firstTile, ivs[0]);
      k.loop(k.index(0), tilesOf(begin, end), 1, [&](Value local) {
        Value p0 = b.create<arith::AddIOp>(loc, begin, times(k, local, kAmxTileTokens));
        packTokenTile(k, tiles, b.create<arith::AddIOp>(loc, tile0, local), x,
                      [&](Value j) -> SmallVector<Value> {
          auto [token, slot] = pairAt(b.create<arith::AddIOp>(loc, p0, j), end);
          if (perExpertInput)
            return {token, slot};
          return {token};
        });
      });
    });
    int64_t panelRows = amxPanelRows(outRows, 64);
    int64_t rowTiles = panelRows == kAmxTileRows ? 1 : 2;
    k.parallel({g.numActive, k.index(outRows / panelRows)}, [&](ValueRange ivs) {
      k.allocaScope([&] {
        Value scratch = allocAmxScratch(k);
        auto [e, begin, end] = activeExpert(k, g, ivs[0]);
        Value tile0 = b.create<memref::LoadOp>(loc, firstTile, ivs[0]);
        Value panel0 = times(k, ivs[1], panelRows);
        k.loop(k.index(0), tilesOf(begin, end), 1, [&](Value local) {
          // The tile's 16 destinations, once for all its row blocks.
          Value p0 = b.create<arith::AddIOp>(loc, begin, times(k, local, kAmxTileTokens));
          SmallVector<std::pair<Value, Value>> dest;
          SmallVector<Value> real;
          for (int64_t j = 0; j < kAmxTileTokens; ++j) {
            Value p = plus(k, p0, j);
            dest.push_back(pairAt(p, end));
            real.push_back(b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, p, end));
          }
          k.loop(k.index(0), k.index(panelRows), rowTiles * kAmxTileRows, [&](Value offset) {
            Value row0 = b.create<arith::AddIOp>(loc, panel0, offset);
            AmxBlock blk{row0, rowTiles, b.create<arith::AddIOp>(loc, tile0, local), 1};
            emitAmxBlock(k, blk, w, {e}, tiles, scratch,
                         [&](int64_t, int64_t j, int64_t r, Value v) {
              k.ifThen(real[j], [&] {
                k.store(v, out, {dest[j].first, dest[j].second, plus(k, row0, r * kAmxTileRows)});
              });
            });
          });
        });
      });
    });
    freeTokenTiles(k, tiles);
  });
}
