//===- LowerAttention.cpp - gemma.attention / kv_write to loops -----------===//
//
// One parallel iteration per (token, query head) runs an online softmax
// (running max m, running sum l, f32 accumulator of head_dim) over the keys
// it may see. The keys come from two places, so there are two loops: cached
// positions [lo, pos0) at ring slot p mod S, then the step's own rows up to
// the query itself. `lo` is the window's first visible position, so keys
// outside a sliding window are never read.
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

void lowerAttention(KernelBuilder &k, AttentionOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value q = op.getQ(), kNew = op.getK(), vNew = op.getV();
  Value kCache = op.getKCache(), vCache = op.getVCache(), out = op.getOut();
  auto qType = cast<MemRefType>(q.getType());
  int64_t d = qType.getDimSize(2);
  int64_t group = qType.getDimSize(1) / cast<MemRefType>(kNew.getType()).getDimSize(1);
  int64_t slots = cast<MemRefType>(kCache.getType()).getDimSize(1);
  int64_t window = op.getWindow();
  float scale = op.getScale().convertToFloat();
  Value pos0 = op.getPos0();

  k.parallel({k.dim(q, 0), k.index(qType.getDimSize(1))}, [&](ValueRange ivs) {
    Value t = ivs[0], h = ivs[1];
    k.allocaScope([&] {
      Value acc = b.create<memref::AllocaOp>(loc, MemRefType::get({d}, b.getF32Type()));
      k.sweep(d, [&](Value col, int64_t w) { k.store(k.constant(0.0, w), acc, {col}); });
      Value kvHead = b.create<arith::DivUIOp>(loc, h, k.index(group));
      Value qpos = b.create<arith::AddIOp>(loc, pos0, t);
      Value lo = k.index(0);
      if (window > 0) {
        Value first = b.create<arith::SubIOp>(
            loc, b.create<arith::AddIOp>(loc, qpos, k.index(1)), k.index(window));
        lo = b.create<arith::MaxSIOp>(loc, first, k.index(0));
      }
      // One online-softmax step for a key row and its value row.
      auto visit = [&](ValueRange state, Value keyMemref, SmallVector<Value> keyIdx,
                       Value valMemref, SmallVector<Value> valIdx) -> SmallVector<Value> {
        auto at = [](SmallVector<Value> base, Value col) {
          base.push_back(col);
          return base;
        };
        Value dot = k.sumOver(d, [&](Value col, int64_t w) {
          return k.mul(k.load(q, {t, h, col}, w), k.load(keyMemref, at(keyIdx, col), w));
        });
        Value s = scale == 1.0f ? dot : k.mul(dot, k.f32(scale));
        Value m = k.max(state[0], s);
        Value corr = k.exp(k.sub(state[0], m));
        Value p = k.exp(k.sub(s, m));
        Value l = k.add(k.mul(state[1], corr), p);
        k.sweep(d, [&](Value col, int64_t w) {
          Value a = k.load(acc, {col}, w);
          Value v = k.load(valMemref, at(valIdx, col), w);
          k.store(k.fma(k.splat(p, w), v, k.mul(a, k.splat(corr, w))), acc, {col});
        });
        return {m, l};
      };
      SmallVector<Value> state = {k.f32(-1.0e30), k.f32(0.0)};
      state = k.loop(lo, pos0, 1, state, [&](Value p, ValueRange st) {
        Value slot = b.create<arith::RemUIOp>(loc, p, k.index(slots));
        return visit(st, kCache, {kvHead, slot}, vCache, {kvHead, slot});
      });
      Value rowLo = b.create<arith::MaxSIOp>(loc, b.create<arith::SubIOp>(loc, lo, pos0),
                                             k.index(0));
      Value rowHi = b.create<arith::AddIOp>(loc, t, k.index(1));
      state = k.loop(rowLo, rowHi, 1, state, [&](Value r, ValueRange st) {
        return visit(st, kNew, {r, kvHead}, vNew, {r, kvHead});
      });
      Value inv = k.div(k.f32(1.0), state[1]);
      k.sweep(d, [&](Value col, int64_t w) {
        k.store(k.mul(k.load(acc, {col}, w), k.splat(inv, w)), out, {t, h, col});
      });
    });
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
      if (isa<AttentionOp, KvWriteOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op->getLoc(), vectorWidth);
      if (auto o = dyn_cast<AttentionOp>(op))
        lowerAttention(k, o);
      else
        lowerKvWrite(k, cast<KvWriteOp>(op));
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
