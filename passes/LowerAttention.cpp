//===- LowerAttention.cpp - gemma.attention / kv_write to loops -----------===//
//
// The untiled reference lowering (gemma-tile-attention, when on, lowers
// attention first): one parallel iteration per (token, query head) runs an
// online softmax (running max m, running sum l, f32 accumulator of head_dim)
// over the cached keys [lo, q] at ring slot p mod S; `lo` is the window's
// first visible position, so keys outside a sliding window are never read.
// Also lowers the cache writes: gemma.kv_write and the fused
// gemma.qk_norm_rope (norm + RoPE + write as one kernel).
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

#define DEBUG_TYPE "gemma-lower-attention"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMALOWERATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// First key position a query at `qpos` sees in a window of `window`.
Value windowStart(KernelBuilder &k, Value qpos, int64_t window) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value first = b.create<arith::SubIOp>(loc, b.create<arith::AddIOp>(loc, qpos, k.index(1)),
                                        k.index(window));
  return b.create<arith::MaxSIOp>(loc, first, k.index(0));
}

void lowerAttention(KernelBuilder &k, AttentionOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value q = op.getQ(), kCache = op.getKCache(), vCache = op.getVCache(), out = op.getOut();
  auto qType = cast<MemRefType>(q.getType());
  auto cType = cast<MemRefType>(kCache.getType());
  int64_t d = qType.getDimSize(2), group = qType.getDimSize(1) / cType.getDimSize(0);
  int64_t slots = cType.getDimSize(1), window = op.getWindowAttr().getInt();
  float scale = op.getScale().convertToFloat();
  Value pos0 = op.getPos0();

  k.parallel({k.dim(q, 0), k.index(qType.getDimSize(1))}, [&](ValueRange ivs) {
    Value t = ivs[0], h = ivs[1];
    k.allocaScope([&] {
      Value acc = b.create<memref::AllocaOp>(loc, MemRefType::get({d}, b.getF32Type()));
      k.sweep(d, [&](Value col, int64_t w) { k.store(k.constant(0.0, w), acc, {col}); });
      Value kvHead = b.create<arith::DivUIOp>(loc, h, k.index(group));
      Value qpos = b.create<arith::AddIOp>(loc, pos0, t);
      Value lo = window > 0 ? windowStart(k, qpos, window) : k.index(0);
      SmallVector<Value> state = {k.f32(-1.0e30), k.f32(0.0)};
      Value end = b.create<arith::AddIOp>(loc, qpos, k.index(1));
      state = k.loop(lo, end, 1, state, [&](Value p, ValueRange st) -> SmallVector<Value> {
        Value slot = b.create<arith::RemUIOp>(loc, p, k.index(slots));
        Value dot = k.sumOver(d, [&](Value col, int64_t w) {
          return k.mul(k.load(q, {t, h, col}, w), k.load(kCache, {kvHead, slot, col}, w));
        });
        Value s = scale == 1.0f ? dot : k.mul(dot, k.f32(scale));
        Value m = k.max(st[0], s);
        Value corr = k.exp(k.sub(st[0], m));
        Value p1 = k.exp(k.sub(s, m));
        Value l = k.add(k.mul(st[1], corr), p1);
        k.sweep(d, [&](Value col, int64_t w) {
          Value a = k.load(acc, {col}, w);
          Value v = k.load(vCache, {kvHead, slot, col}, w);
          k.store(k.fma(k.splat(p1, w), v, k.mul(a, k.splat(corr, w))), acc, {col});
        });
        return {m, l};
      });
      Value inv = k.div(k.f32(1.0), state[1]);
      k.sweep(d, [&](Value col, int64_t w) {
        k.store(k.mul(k.load(acc, {col}, w), k.splat(inv, w)), out, {t, h, col});
      });
    });
  });
}

/// 1 / sqrt(mean(row^2) + eps) of `n` elements at `at(col)`.
Value rmsFactor(KernelBuilder &k, Value memref, SmallVector<Value> row, int64_t n, float eps) {
  Value ss = k.sumOver(n, [&](Value col, int64_t w) {
    Value x = k.load(memref, indicesWith(row, col), w);
    return k.mul(x, x);
  });
  Value mean = k.add(k.div(ss, k.f32(static_cast<double>(n))), k.f32(eps));
  return k.builder().create<math::RsqrtOp>(k.location(), mean);
}

/// dst[...] = rope(src[...] * r * w) for one head: the norm folded into the
/// rotation's loads, so the row is read once and written once.
void normRopeHead(KernelBuilder &k, Value src, SmallVector<Value> srcRow, Value weight,
                  Value dst, SmallVector<Value> dstRow, Value r, Value pos, int64_t d,
                  int64_t pairs, float theta) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t half = d / 2;
  auto normed = [&](Value col) {
    return k.mul(k.mul(k.load(src, indicesWith(srcRow, col), 1), r),
                 k.load(weight, {col}, 1));
  };
  k.loop(k.index(0), k.index(half), 1, [&](Value j) {
    Value j2 = b.create<arith::AddIOp>(loc, j, k.index(half));
    Value x1 = normed(j), x2 = normed(j2);
    Value rotate = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, j, k.index(pairs));
    auto ifOp = b.create<scf::IfOp>(loc, TypeRange{b.getF32Type(), b.getF32Type()}, rotate,
                                    /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      // inv_freq = 1 / theta^(2j/d), in f32 as transformers computes it.
      Value jF = b.create<arith::SIToFPOp>(
          loc, b.getF32Type(), b.create<arith::IndexCastOp>(loc, b.getI64Type(), j));
      Value expo = k.div(k.mul(jF, k.f32(2.0)), k.f32(static_cast<double>(d)));
      Value inv = k.div(k.f32(1.0), b.create<math::PowFOp>(loc, k.f32(theta), expo));
      Value angle = k.mul(pos, inv);
      Value c = b.create<math::CosOp>(loc, angle), s = b.create<math::SinOp>(loc, angle);
      b.create<scf::YieldOp>(loc, ValueRange{k.sub(k.mul(x1, c), k.mul(x2, s)),
                                             k.add(k.mul(x2, c), k.mul(x1, s))});
      b.setInsertionPointToStart(ifOp.elseBlock());
      b.create<scf::YieldOp>(loc, ValueRange{x1, x2});
    }
    k.store(ifOp.getResult(0), dst, indicesWith(dstRow, j));
    k.store(ifOp.getResult(1), dst, indicesWith(dstRow, j2));
  });
}

/// One kernel for the whole block: a parallel iteration per (token, head)
/// over the n_q query heads and then the n_kv KV heads.
void lowerQkNormRope(KernelBuilder &k, QkNormRopeOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value q = op.getQ();
  auto qType = cast<MemRefType>(q.getType());
  int64_t d = qType.getDimSize(2), nq = qType.getDimSize(1);
  int64_t nkv = op.getK() ? cast<MemRefType>(op.getK().getType()).getDimSize(1) : 0;
  int64_t pairs = op.getPairsAttr().getInt();
  float theta = static_cast<float>(op.getTheta().convertToDouble());
  float eps = op.getEps().convertToFloat();
  k.parallel({k.dim(q, 0), k.index(nq + nkv)}, [&](ValueRange ivs) {
    Value t = ivs[0], h = ivs[1];
    Value pos = b.create<arith::AddIOp>(loc, op.getPos0(), t);
    Value posF = b.create<arith::SIToFPOp>(
        loc, b.getF32Type(), b.create<arith::IndexCastOp>(loc, b.getI64Type(), pos));
    Value isQuery = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, h, k.index(nq));
    auto ifOp = b.create<scf::IfOp>(loc, isQuery, /*withElseRegion=*/nkv > 0);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value rq = rmsFactor(k, q, {t, h}, d, eps);
    normRopeHead(k, q, {t, h}, op.getQNorm(), q, {t, h}, rq, posF, d, pairs, theta);
    if (nkv > 0) {
      b.setInsertionPointToStart(ifOp.elseBlock());
      Value kh = b.create<arith::SubIOp>(loc, h, k.index(nq));
      int64_t slots = cast<MemRefType>(op.getKCache().getType()).getDimSize(1);
      Value slot = b.create<arith::RemUIOp>(loc, pos, k.index(slots));
      Value rv = rmsFactor(k, op.getV(), {t, kh}, d, eps);
      k.sweep(d, [&](Value col, int64_t w) {
        Value v = k.load(op.getV(), {t, kh, col}, w);
        k.store(k.mul(v, k.splat(rv, w)), op.getVCache(), {kh, slot, col});
      });
      Value rk = rmsFactor(k, op.getK(), {t, kh}, d, eps);
      normRopeHead(k, op.getK(), {t, kh}, op.getKNorm(), op.getKCache(), {kh, slot}, rk, posF,
                   d, pairs, theta);
    }
    b.setInsertionPointAfter(ifOp);
  });
}

void lowerKvWrite(KernelBuilder &k, KvWriteOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value kNew = op.getK(), vNew = op.getV(), kCache = op.getKCache(), vCache = op.getVCache();
  auto cType = cast<MemRefType>(kCache.getType());
  int64_t slots = cType.getDimSize(1), d = cType.getDimSize(2);
  Value tokens = k.dim(kNew, 0);
  // On a ring only the last `slots` rows survive; skip the others.
  Value first = b.create<arith::MaxSIOp>(
      loc, b.create<arith::SubIOp>(loc, tokens, k.index(slots)), k.index(0));
  Value count = b.create<arith::SubIOp>(loc, tokens, first);
  k.parallel({count, k.index(cType.getDimSize(0))}, [&](ValueRange ivs) {
    Value r = b.create<arith::AddIOp>(loc, first, ivs[0]);
    Value slot = b.create<arith::RemUIOp>(
        loc, b.create<arith::AddIOp>(loc, op.getPos0(), r), k.index(slots));
    k.sweep(d, [&](Value col, int64_t w) {
      k.store(k.load(kNew, {r, ivs[1], col}, w), kCache, {ivs[1], slot, col});
      k.store(k.load(vNew, {r, ivs[1], col}, w), vCache, {ivs[1], slot, col});
    });
  });
}

struct GemmaLowerAttentionPass
    : mlir::gemma::impl::GemmaLowerAttentionBase<GemmaLowerAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<AttentionOp, KvWriteOp, QkNormRopeOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op->getLoc(), vectorWidth);
      if (auto o = dyn_cast<AttentionOp>(op))
        lowerAttention(k, o);
      else if (auto o = dyn_cast<QkNormRopeOp>(op))
        lowerQkNormRope(k, o);
      else
        lowerKvWrite(k, cast<KvWriteOp>(op));
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
