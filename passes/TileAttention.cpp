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
#include "passes/DotBlock.h"
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

/// Keys scored together (4 x 2 FMA chains) and head-dim vectors accumulated
/// together per pass over a tile's values (8 chains).
constexpr int64_t kKeysPerStep = 4, kValueVectors = 8;

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
    Value vc = op.getVCache();
    Value count = sub(jEnd, j0);
    float negInf = -std::numeric_limits<float>::infinity();
    k.loop(k.index(0), rows, 1, [&](Value r) {
      auto [t, h] = rowTokenHead(r);
      Value qpos = add(op.getPos0(), t), lo = windowStart(qpos);
      // Keys [j, j + n) of the tile: scale, mask, store, running max.
      auto scoreKeys = [&](Value j, int64_t n, Value max) -> Value {
        SmallVector<Value> raw = keyScores(t, h, add(j0, j), n);
        for (int64_t u = 0; u < n; ++u) {
          Value s = raw[u], ju = add(j, k.index(u)), p = add(j0, ju);
          if (c.scale != 1.0f)
            s = k.mul(s, k.f32(c.scale));
          if (masked) {
            Value visible = b.create<arith::AndIOp>(loc, cmp(arith::CmpIPredicate::sge, p, lo),
                                                    cmp(arith::CmpIPredicate::sle, p, qpos));
            s = b.create<arith::SelectOp>(loc, visible, s, k.f32(negInf));
          }
          k.store(s, scores, {r, ju});
          max = k.max(max, s);
        }
        return max;
      };
      int64_t keys = c.d % (2 * k.lanes()) == 0 ? kKeysPerStep : 1;
      Value whole = roundDown(k, count, keys);
      Value tileMax = k.loop(k.index(0), whole, keys, {k.f32(negInf)},
                             [&](Value j, ValueRange st) -> SmallVector<Value> {
        return {scoreKeys(j, keys, st[0])};
      })[0];
      tileMax = k.loop(whole, count, 1, {tileMax},
                       [&](Value j, ValueRange st) -> SmallVector<Value> {
        return {scoreKeys(j, 1, st[0])};
      })[0];
      Value mOld = k.load(m, {r}, 1);
      Value mNew = k.max(mOld, tileMax);
      Value corr = k.exp(k.sub(mOld, mNew));
      // p = exp(s - m) in place, a vector of keys at a time, then the tail.
      int64_t vl = k.lanes();
      Value vecEnd = roundDown(k, count, vl);
      Value vecSum = k.loop(k.index(0), vecEnd, vl, {k.constant(0.0, vl)},
                            [&](Value j, ValueRange st) -> SmallVector<Value> {
        Value p = k.exp(k.sub(k.load(scores, {r, j}, vl), k.splat(mNew, vl)));
        k.store(p, scores, {r, j});
        return {k.add(st[0], p)};
      })[0];
      Value sum = k.loop(vecEnd, count, 1, {k.sum(vecSum)},
                         [&](Value j, ValueRange st) -> SmallVector<Value> {
        Value p = k.exp(k.sub(k.load(scores, {r, j}, 1), mNew));
        k.store(p, scores, {r, j});
        return {k.add(st[0], p)};
      })[0];
      k.store(mNew, m, {r});
      k.store(k.add(k.mul(k.load(l, {r}, 1), corr), sum), l, {r});
      // acc = acc * corr + sum_j p_j v_j, `vectors` vectors of the row per
      // pass over the keys: that many independent FMA chains.
      int64_t w = c.d % k.lanes() == 0 ? k.lanes() : 1;
      int64_t vectors = kValueVectors;
      while ((c.d / w) % vectors != 0)
        vectors /= 2;
      k.loop(k.index(0), k.index(c.d), vectors * w, [&](Value col0) {
        SmallVector<Value> cols, start;
        for (int64_t g = 0; g < vectors; ++g) {
          cols.push_back(add(col0, k.index(g * w)));
          start.push_back(k.mul(k.load(acc, {r, cols.back()}, w), k.splat(corr, w)));
        }
        SmallVector<Value> out = k.loop(k.index(0), count, 1, start,
                                        [&](Value j, ValueRange st) -> SmallVector<Value> {
          Value slot = b.create<arith::RemUIOp>(loc, add(j0, j), k.index(c.slots));
          Value p = k.splat(k.load(scores, {r, j}, 1), w);
          SmallVector<Value> next;
          for (int64_t g = 0; g < vectors; ++g)
            next.push_back(k.fma(p, k.load(vc, {kvHead, slot, cols[g]}, w), st[g]));
          return next;
        });
        for (int64_t g = 0; g < vectors; ++g)
          k.store(out[g], acc, {r, cols[g]});
      });
    });
  }

  /// Raw scores of `n` keys from position p0 against row (t, h): each key's
  /// dot product in two accumulators (even and odd vectors of the head), 2n
  /// independent FMA chains where one would wait on each FMA's latency.
  /// With n > 1 the head dim is a multiple of 2 lanes; n = 1 also takes
  /// other head dims.
  SmallVector<Value> keyScores(Value t, Value h, Value p0, int64_t n) {
    Value q = op.getQ(), kc = op.getKCache();
    SmallVector<Value> slots;
    for (int64_t u = 0; u < n; ++u)
      slots.push_back(b.create<arith::RemUIOp>(loc, add(p0, k.index(u)), k.index(c.slots)));
    int64_t vl = k.lanes();
    if (c.d % (2 * vl) != 0) {
      assert(n == 1 && "several keys need whole pairs of vectors");
      return {k.sumOver(c.d, [&](Value col, int64_t w) {
        return k.mul(k.load(q, {t, h, col}, w), k.load(kc, {kvHead, slots[0], col}, w));
      })};
    }
    SmallVector<Value> init(2 * n, k.constant(0.0, vl));
    SmallVector<Value> parts = k.loop(k.index(0), k.index(c.d), 2 * vl, init,
                                      [&](Value col, ValueRange st) -> SmallVector<Value> {
      SmallVector<Value> next(st.begin(), st.end());
      for (int64_t half = 0; half < 2; ++half) {
        Value at = add(col, k.index(half * vl));
        Value qv = k.load(q, {t, h, at}, vl);
        for (int64_t u = 0; u < n; ++u)
          next[2 * u + half] =
              k.fma(qv, k.load(kc, {kvHead, slots[u], at}, vl), next[2 * u + half]);
      }
      return next;
    });
    SmallVector<Value> sums;
    for (int64_t u = 0; u < n; ++u)
      sums.push_back(k.sum(k.add(parts[2 * u], parts[2 * u + 1])));
    return sums;
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
