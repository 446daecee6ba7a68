//===- LowerMoE.cpp - MoE routing (fused or op by op) and combine to loops -===//
//
// Routing runs entirely in f32, one token per parallel iteration (spec 2.7:
// routing in bf16 flips near-tied experts). Top-k is k passes of an argmax
// that keeps the lowest index on ties; the renormalised weight of a selected
// expert is exp(z_e - max) / sum over the selected, times per_expert_scale.
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

#include <cmath>

#define DEBUG_TYPE "gemma-lower-moe"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMALOWERMOE
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// k rounds of an argmax over the 1-D `work` (non-negative values; each
/// winner is then marked -1), keeping the lowest index on ties. Calls
/// emit(slot, i32 id, value) per round; returns the sum of the k values.
Value selectTopK(KernelBuilder &k, Value work, int64_t n, int64_t topK,
                 const std::function<void(Value slot, Value id, Value p)> &emit) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  return k.loop(k.index(0), k.index(topK), 1, {k.f32(0.0)}, [&](Value slot, ValueRange st) {
    SmallVector<Value> best =
        k.loop(k.index(0), k.index(n), 1, {k.f32(-2.0), k.index(0)},
               [&](Value e, ValueRange cur) -> SmallVector<Value> {
                 Value p = k.load(work, {e}, 1);
                 Value better = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, p, cur[0]);
                 return {b.create<arith::SelectOp>(loc, better, p, cur[0]),
                         b.create<arith::SelectOp>(loc, better, e, cur[1])};
               });
    k.store(k.f32(-1.0), work, {best[1]});
    emit(slot, b.create<arith::IndexCastOp>(loc, b.getI32Type(), best[1]), best[0]);
    return SmallVector<Value>{k.add(st[0], best[0])};
  })[0];
}

/// weights[t, j] *= inv * per_expert_scale[indices[t, j]] for j < k.
void scaleSelected(KernelBuilder &k, Value weights, Value indices, Value perExpertScale,
                   Value t, int64_t topK, Value inv) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  k.loop(k.index(0), k.index(topK), 1, [&](Value slot) {
    Value id = b.create<memref::LoadOp>(loc, indices, ValueRange{t, slot});
    Value e = b.create<arith::IndexCastOp>(loc, b.getIndexType(), id);
    Value w = k.mul(k.mul(k.load(weights, {t, slot}, 1), inv), k.load(perExpertScale, {e}, 1));
    k.store(w, weights, {t, slot});
  });
}

void lowerRoute(KernelBuilder &k, MoeRouteOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), proj = op.getProj();
  int64_t hidden = cast<MemRefType>(x.getType()).getDimSize(1);
  int64_t experts = cast<MemRefType>(proj.getType()).getDimSize(0);
  int64_t topK = cast<MemRefType>(op.getIndices().getType()).getDimSize(1);
  Type f32 = b.getF32Type();
  Value tokens = k.dim(x, 0);
  // Three parallel loops, so that a single token (decode) shares the
  // projection's rows among the threads: one loop per token left the other
  // threads idle for 128 dot products of 2816 (0.5 ms per decoded token of
  // the 26B-A4B with 6 layers).
  // 1. r = rmsnorm_noweight(x) * scale * H^-1/2, per token.
  Value routed = k.allocLike(x, f32);
  k.parallel({tokens}, [&](ValueRange ivs) {
    Value t = ivs[0];
    Value ss = k.sumOver(hidden, [&](Value col, int64_t w) {
      Value v = k.load(x, {t, col}, w);
      return k.mul(v, v);
    });
    Value r = b.create<math::RsqrtOp>(
        loc, k.add(k.div(ss, k.f32(double(hidden))), k.f32(op.getEps().convertToFloat())));
    Value invSqrtH = k.f32(1.0 / std::sqrt(double(hidden)));
    k.sweep(hidden, [&](Value col, int64_t w) {
      Value v = k.mul(k.load(x, {t, col}, w), k.splat(r, w));
      v = k.mul(v, k.load(op.getScale(), {col}, w));
      k.store(k.mul(v, k.splat(invSqrtH, w)), routed, {t, col});
    });
  });
  // 2. z = r . proj^T: the GEMV kernel over blocks of experts, per token.
  Value logits = b.create<memref::AllocOp>(
      loc, MemRefType::get({ShapedType::kDynamic, experts}, f32), ValueRange{tokens});
  forRowBlocks(k, experts, {tokens}, 1, kRowsPerBlock, [&](const RowPanel &panel, ValueRange t) {
    DotBlock blk{1, panel.rowsPerBlock, hidden,
                 [&](int64_t, int64_t j, Value z) {
                   k.store(z, logits, {t[0], plus(k, panel.row0, j)});
                 },
                 {}};
    OperandRows at{[&](int64_t) -> SmallVector<Value> { return {t[0]}; },
                   [&](int64_t j) -> SmallVector<Value> { return {plus(k, panel.row0, j)}; }};
    emitDotBlock(k, blk, routed, proj, Value(), at);
  });
  // 3. softmax numerators, top-k, renormalised weights, per token.
  k.parallel({tokens}, [&](ValueRange ivs) {
    Value t = ivs[0];
    k.allocaScope([&] {
      Value work = b.create<memref::AllocaOp>(loc, MemRefType::get({experts}, f32));
      Value zmax = k.loop(k.index(0), k.index(experts), 1, {k.f32(-3.0e38)},
                          [&](Value e, ValueRange st) -> SmallVector<Value> {
                            return {k.max(st[0], k.load(logits, {t, e}, 1))};
                          })[0];
      k.loop(k.index(0), k.index(experts), 1, [&](Value e) {
        k.store(k.exp(k.sub(k.load(logits, {t, e}, 1), zmax)), work, {e});
      });
      Value total = selectTopK(k, work, experts, topK, [&](Value slot, Value id, Value p) {
        b.create<memref::StoreOp>(loc, id, op.getIndices(), ValueRange{t, slot});
        k.store(p, op.getWeights(), {t, slot});
      });
      scaleSelected(k, op.getWeights(), op.getIndices(), op.getPerExpertScale(), t, topK,
                    k.div(k.f32(1.0), total));
    });
  });
  b.create<memref::DeallocOp>(loc, routed);
  b.create<memref::DeallocOp>(loc, logits);
}

/// Writes the softmax of each row of x to out.
void lowerSoftmax(KernelBuilder &k, SoftmaxOp op) {
  Value x = op.getX(), out = op.getOut();
  int64_t n = cast<MemRefType>(x.getType()).getDimSize(1);
  k.parallel({k.dim(x, 0)}, [&](ValueRange ivs) {
    Value t = ivs[0];
    Value m = k.loop(k.index(0), k.index(n), 1, {k.f32(-3.0e38)},
                     [&](Value e, ValueRange st) -> SmallVector<Value> {
                       return {k.max(st[0], k.load(x, {t, e}, 1))};
                     })[0];
    Value total = k.loop(k.index(0), k.index(n), 1, {k.f32(0.0)},
                         [&](Value e, ValueRange st) -> SmallVector<Value> {
                           Value p = k.exp(k.sub(k.load(x, {t, e}, 1), m));
                           k.store(p, out, {t, e});
                           return {k.add(st[0], p)};
                         })[0];
    Value inv = k.div(k.f32(1.0), total);
    k.sweep(n, [&](Value col, int64_t w) {
      k.store(k.mul(k.load(out, {t, col}, w), k.splat(inv, w)), out, {t, col});
    });
  });
}

void lowerTopK(KernelBuilder &k, TopKOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX();
  int64_t n = cast<MemRefType>(x.getType()).getDimSize(1);
  int64_t topK = cast<MemRefType>(op.getValues().getType()).getDimSize(1);
  k.parallel({k.dim(x, 0)}, [&](ValueRange ivs) {
    Value t = ivs[0];
    k.allocaScope([&] {
      // A copy to mark selected entries in; x itself is only read.
      Value work = b.create<memref::AllocaOp>(loc, MemRefType::get({n}, b.getF32Type()));
      k.sweep(n, [&](Value col, int64_t w) { k.store(k.load(x, {t, col}, w), work, {col}); });
      selectTopK(k, work, n, topK, [&](Value slot, Value id, Value p) {
        b.create<memref::StoreOp>(loc, id, op.getIndices(), ValueRange{t, slot});
        k.store(p, op.getValues(), {t, slot});
      });
    });
  });
}

void lowerMoeWeights(KernelBuilder &k, MoeWeightsOp op) {
  Value values = op.getValues();
  int64_t topK = cast<MemRefType>(values.getType()).getDimSize(1);
  k.parallel({k.dim(values, 0)}, [&](ValueRange ivs) {
    Value t = ivs[0];
    Value total = k.loop(k.index(0), k.index(topK), 1, {k.f32(0.0)},
                         [&](Value slot, ValueRange st) -> SmallVector<Value> {
                           Value p = k.load(values, {t, slot}, 1);
                           k.store(p, op.getWeights(), {t, slot});
                           return {k.add(st[0], p)};
                         })[0];
    scaleSelected(k, op.getWeights(), op.getIndices(), op.getPerExpertScale(), t, topK,
                  k.div(k.f32(1.0), total));
  });
}

void lowerCombine(KernelBuilder &k, MoeCombineOp op) {
  Value y = op.getY(), weights = op.getWeights(), out = op.getOut();
  auto yType = cast<MemRefType>(y.getType());
  int64_t topK = yType.getDimSize(1), width = yType.getDimSize(2);
  k.parallel({k.dim(y, 0)}, [&](ValueRange ivs) {
    Value t = ivs[0];
    k.sweep(width, [&](Value col, int64_t w) {
      Value acc = k.loop(k.index(0), k.index(topK), 1, {k.constant(0.0, w)},
                         [&](Value slot, ValueRange st) -> SmallVector<Value> {
                           Value gate = k.splat(k.load(weights, {t, slot}, 1), w);
                           return {k.fma(gate, k.load(y, {t, slot, col}, w), st[0])};
                         })[0];
      k.store(acc, out, {t, col});
    });
  });
}

struct GemmaLowerMoEPass : mlir::gemma::impl::GemmaLowerMoEBase<GemmaLowerMoEPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<MoeRouteOp, MoeCombineOp, SoftmaxOp, TopKOp, MoeWeightsOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op->getLoc(), vectorWidth);
      if (auto o = dyn_cast<MoeRouteOp>(op))
        lowerRoute(k, o);
      else if (auto o = dyn_cast<SoftmaxOp>(op))
        lowerSoftmax(k, o);
      else if (auto o = dyn_cast<TopKOp>(op))
        lowerTopK(k, o);
      else if (auto o = dyn_cast<MoeWeightsOp>(op))
        lowerMoeWeights(k, o);
      else
        lowerCombine(k, cast<MoeCombineOp>(op));
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
