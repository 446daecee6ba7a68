//===- TileAttention.cpp - gemma.attention as tiled online-softmax loops ---===//
//
// FlashAttention's schedule on CPU (iree_linalg_ext.online_attention's
// algorithm): one parallel iteration per (KV head, block of query tokens)
// holds, for each of its rows (token x query head of the GQA group), a
// running max m, running sum l and an f32 accumulator of head_dim. KV tiles
// of `tile` positions are read straight from the cache ring (slot p mod S):
// a tile's keys serve every row of the group and block, nothing is copied
// per query head, and the accumulator is rescaled once per tile, not once
// per key.
//
// Window-aware bounds: the tile loop runs over [max(0, q_first - W + 1),
// q_last] on sliding layers (q_first/q_last: the block's first and last
// query position), so tiles wholly outside the window are never visited.
// A tile that every row of the block sees whole takes the unmasked body;
// only boundary tiles evaluate the causal/window mask per score.
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/KernelBuilder.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

#define DEBUG_TYPE "gemma-tile-attention"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMATILEATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

struct Tiling {
  int64_t d, group, slots, window, tile, block;
  float scale;
};

class AttentionTiler {
public:
  AttentionTiler(KernelBuilder &k, AttentionOp op, const Tiling &c) : k(k), b(k.builder()),
      loc(k.location()), op(op), c(c) {}

  void emit() {
    Value q = op.getQ();
    Value tokens = k.dim(q, 0);
    Value blocks = b.create<arith::DivUIOp>(
        loc, b.create<arith::AddIOp>(loc, tokens, k.index(c.block - 1)), k.index(c.block));
    int64_t nkv = cast<MemRefType>(op.getKCache().getType()).getDimSize(0);
    k.parallel({k.index(nkv), blocks}, [&](ValueRange ivs) {
      kvHead = ivs[0];
      t0 = b.create<arith::MulIOp>(loc, ivs[1], k.index(c.block));
      Value tEnd = b.create<arith::MinSIOp>(
          loc, b.create<arith::AddIOp>(loc, t0, k.index(c.block)), tokens);
      rows = b.create<arith::MulIOp>(loc, b.create<arith::SubIOp>(loc, tEnd, t0),
                                     k.index(c.group));
      k.allocaScope([&] { emitBlock(tEnd); });
    });
  }

private:
  Value add(Value a, Value v) { return b.create<arith::AddIOp>(loc, a, v); }
  Value sub(Value a, Value v) { return b.create<arith::SubIOp>(loc, a, v); }
  Value cmp(arith::CmpIPredicate p, Value a, Value v) {
    return b.create<arith::CmpIOp>(loc, p, a, v);
  }
  /// First visible key position for a query at `qpos` (0 without a window).
  Value windowStart(Value qpos) {
    if (c.window == 0)
      return k.index(0);
    return b.create<arith::MaxSIOp>(loc, sub(add(qpos, k.index(1)), k.index(c.window)),
                                    k.index(0));
  }
  /// Row r of the block: token t0 + r / group, query head kvHead*group + r % group.
  std::pair<Value, Value> rowTokenHead(Value r) {
    Value t = add(t0, b.create<arith::DivUIOp>(loc, r, k.index(c.group)));
    Value h = add(b.create<arith::MulIOp>(loc, kvHead, k.index(c.group)),
                  b.create<arith::RemUIOp>(loc, r, k.index(c.group)));
    return {t, h};
  }

  void emitBlock(Value tEnd) {
    Type f32 = b.getF32Type();
    int64_t maxRows = c.block * c.group;
    m = b.create<memref::AllocaOp>(loc, MemRefType::get({maxRows}, f32));
    l = b.create<memref::AllocaOp>(loc, MemRefType::get({maxRows}, f32));
    acc = b.create<memref::AllocaOp>(loc, MemRefType::get({maxRows, c.d}, f32));
    scores = b.create<memref::AllocaOp>(loc, MemRefType::get({maxRows, c.tile}, f32));
    k.loop(k.index(0), rows, 1, [&](Value r) {
      k.store(k.f32(-1.0e30), m, {r});
      k.store(k.f32(0.0), l, {r});
      k.sweep(c.d, [&](Value col, int64_t w) { k.store(k.constant(0.0, w), acc, {r, col}); });
    });
    Value pos0 = op.getPos0();
    Value qFirst = add(pos0, t0);
    Value qLast = sub(add(pos0, tEnd), k.index(1));
    Value kvEnd = add(qLast, k.index(1));
    // Tiles before the window of the block's first query are never visited.
    Value kvLo = windowStart(qFirst);
    k.loop(kvLo, kvEnd, c.tile, [&](Value j0) {
      Value jEnd = b.create<arith::MinSIOp>(loc, add(j0, k.index(c.tile)), kvEnd);
      // Whole for every row: past the last query's window start and not
      // beyond the first query's own position.
      Value interior = b.create<arith::AndIOp>(
          loc, cmp(arith::CmpIPredicate::sge, j0, windowStart(qLast)),
          cmp(arith::CmpIPredicate::sle, sub(jEnd, k.index(1)), qFirst));
      k.ifThen(interior, [&] { emitTile(j0, jEnd, /*masked=*/false); },
               [&] { emitTile(j0, jEnd, /*masked=*/true); });
    });
    k.loop(k.index(0), rows, 1, [&](Value r) {
      auto [t, h] = rowTokenHead(r);
      Value inv = k.div(k.f32(1.0), k.load(l, {r}, 1));
      k.sweep(c.d, [&](Value col, int64_t w) {
        k.store(k.mul(k.load(acc, {r, col}, w), k.splat(inv, w)), op.getOut(), {t, h, col});
      });
    });
  }

  /// One KV tile [j0, jEnd) for every row: scores, then the online-softmax
  /// update with a single rescale of the accumulator.
  void emitTile(Value j0, Value jEnd, bool masked) {
    Value q = op.getQ(), kc = op.getKCache(), vc = op.getVCache();
    Value count = sub(jEnd, j0);
    float negInf = -std::numeric_limits<float>::infinity();
    k.loop(k.index(0), rows, 1, [&](Value r) {
      auto [t, h] = rowTokenHead(r);
      Value qpos = add(op.getPos0(), t), lo = windowStart(qpos);
      Value tileMax = k.loop(k.index(0), count, 1, {k.f32(negInf)},
                             [&](Value j, ValueRange st) -> SmallVector<Value> {
        Value p = add(j0, j);
        Value slot = b.create<arith::RemUIOp>(loc, p, k.index(c.slots));
        Value s = k.sumOver(c.d, [&](Value col, int64_t w) {
          return k.mul(k.load(q, {t, h, col}, w), k.load(kc, {kvHead, slot, col}, w));
        });
        if (c.scale != 1.0f)
          s = k.mul(s, k.f32(c.scale));
        if (masked) {
          Value visible = b.create<arith::AndIOp>(loc, cmp(arith::CmpIPredicate::sge, p, lo),
                                                  cmp(arith::CmpIPredicate::sle, p, qpos));
          s = b.create<arith::SelectOp>(loc, visible, s, k.f32(negInf));
        }
        k.store(s, scores, {r, j});
        return {k.max(st[0], s)};
      })[0];
      Value mOld = k.load(m, {r}, 1);
      Value mNew = k.max(mOld, tileMax);
      Value corr = k.exp(k.sub(mOld, mNew));
      Value sum = k.loop(k.index(0), count, 1, {k.f32(0.0)},
                         [&](Value j, ValueRange st) -> SmallVector<Value> {
        Value p = k.exp(k.sub(k.load(scores, {r, j}, 1), mNew));
        k.store(p, scores, {r, j});
        return {k.add(st[0], p)};
      })[0];
      k.store(mNew, m, {r});
      k.store(k.add(k.mul(k.load(l, {r}, 1), corr), sum), l, {r});
      k.sweep(c.d, [&](Value col, int64_t w) {
        Value start = k.mul(k.load(acc, {r, col}, w), k.splat(corr, w));
        Value out = k.loop(k.index(0), count, 1, {start},
                           [&](Value j, ValueRange st) -> SmallVector<Value> {
          Value slot = b.create<arith::RemUIOp>(loc, add(j0, j), k.index(c.slots));
          Value p = k.splat(k.load(scores, {r, j}, 1), w);
          return {k.fma(p, k.load(vc, {kvHead, slot, col}, w), st[0])};
        })[0];
        k.store(out, acc, {r, col});
      });
    });
  }

  KernelBuilder &k;
  OpBuilder &b;
  Location loc;
  AttentionOp op;
  Tiling c;
  Value kvHead, t0, rows, m, l, acc, scores;
};

struct GemmaTileAttentionPass
    : mlir::gemma::impl::GemmaTileAttentionBase<GemmaTileAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation().walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      auto qType = cast<MemRefType>(op.getQ().getType());
      auto cType = cast<MemRefType>(op.getKCache().getType());
      Tiling c{qType.getDimSize(2), qType.getDimSize(1) / cType.getDimSize(0),
               cType.getDimSize(1), op.getWindowAttr().getInt(), tile, queryBlock,
               op.getScale().convertToFloat()};
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op.getLoc(), vectorWidth);
      AttentionTiler(k, op, c).emit();
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
