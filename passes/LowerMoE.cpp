//===- LowerMoE.cpp - gemma.moe_route / moe_combine to loops --------------===//
//
// Routing runs entirely in f32, one token per parallel iteration (spec 2.7:
// routing in bf16 flips near-tied experts). Top-k is k passes of an argmax
// that keeps the lowest index on ties; the renormalised weight of a selected
// expert is exp(z_e - max) / sum over the selected, times per_expert_scale.
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

#include <cmath>

#define DEBUG_TYPE "gemma-lower-moe"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMALOWERMOE
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

void lowerRoute(KernelBuilder &k, MoeRouteOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), proj = op.getProj();
  int64_t hidden = cast<MemRefType>(x.getType()).getDimSize(1);
  int64_t experts = cast<MemRefType>(proj.getType()).getDimSize(0);
  int64_t topK = cast<MemRefType>(op.getIndices().getType()).getDimSize(1);
  Type f32 = b.getF32Type();
  k.parallel({k.dim(x, 0)}, [&](ValueRange ivs) {
    Value t = ivs[0];
    k.allocaScope([&] {
      Value routed = b.create<memref::AllocaOp>(loc, MemRefType::get({hidden}, f32));
      Value logits = b.create<memref::AllocaOp>(loc, MemRefType::get({experts}, f32));
      // r = rmsnorm_noweight(x) * scale * H^-1/2
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
        k.store(k.mul(v, k.splat(invSqrtH, w)), routed, {col});
      });
      k.loop(k.index(0), k.index(experts), 1, [&](Value e) {
        Value z = k.sumOver(hidden, [&](Value col, int64_t w) {
          return k.mul(k.load(routed, {col}, w), k.load(proj, {e, col}, w));
        });
        k.store(z, logits, {e});
      });
      Value zmax = k.loop(k.index(0), k.index(experts), 1, {k.f32(-3.0e38)},
                          [&](Value e, ValueRange st) -> SmallVector<Value> {
                            return {k.max(st[0], k.load(logits, {e}, 1))};
                          })[0];
      k.loop(k.index(0), k.index(experts), 1, [&](Value e) {
        k.store(k.exp(k.sub(k.load(logits, {e}, 1), zmax)), logits, {e});
      });
      // k rounds of argmax; selected experts are marked -1 (probabilities >= 0).
      Value total = k.loop(
          k.index(0), k.index(topK), 1, {k.f32(0.0)}, [&](Value slot, ValueRange st) {
            SmallVector<Value> best = k.loop(
                k.index(0), k.index(experts), 1, {k.f32(-2.0), k.index(0)},
                [&](Value e, ValueRange cur) -> SmallVector<Value> {
                  Value p = k.load(logits, {e}, 1);
                  Value better = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, p, cur[0]);
                  return {b.create<arith::SelectOp>(loc, better, p, cur[0]),
                          b.create<arith::SelectOp>(loc, better, e, cur[1])};
                });
            k.store(k.f32(-1.0), logits, {best[1]});
            Value id = b.create<arith::IndexCastOp>(loc, b.getI32Type(), best[1]);
            b.create<memref::StoreOp>(loc, id, op.getIndices(), ValueRange{t, slot});
            k.store(best[0], op.getWeights(), {t, slot});
            return SmallVector<Value>{k.add(st[0], best[0])};
          })[0];
      Value inv = k.div(k.f32(1.0), total);
      k.loop(k.index(0), k.index(topK), 1, [&](Value slot) {
        Value id = b.create<memref::LoadOp>(loc, op.getIndices(), ValueRange{t, slot});
        Value e = b.create<arith::IndexCastOp>(loc, b.getIndexType(), id);
        Value w = k.mul(k.mul(k.load(op.getWeights(), {t, slot}, 1), inv),
                        k.load(op.getPerExpertScale(), {e}, 1));
        k.store(w, op.getWeights(), {t, slot});
      });
    });
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
      if (isa<MoeRouteOp, MoeCombineOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op->getLoc(), vectorWidth);
      if (auto o = dyn_cast<MoeRouteOp>(op))
        lowerRoute(k, o);
      else
        lowerCombine(k, cast<MoeCombineOp>(op));
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
