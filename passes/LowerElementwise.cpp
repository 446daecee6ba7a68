//===- LowerElementwise.cpp - row-wise gemma ops to vector loops ----------===//
//
// embed, rms_norm, rope, gelu_glu, gelu, add, mul, scale and softcap are all
// "one row at a time" kernels: a parallel loop over the outer dims and a
// vectorised sweep over the innermost (static) dim.
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

#define DEBUG_TYPE "gemma-lower-elementwise"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMALOWERELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

int64_t innerSize(Value memref) {
  auto t = cast<MemRefType>(memref.getType());
  return t.getDimSize(t.getRank() - 1);
}

/// out[row, c] = fn(inputs[row, c]...) for same-shaped operands.
void lowerMap(KernelBuilder &k, Value out, ArrayRef<Value> inputs,
              const std::function<Value(ArrayRef<Value>, int64_t)> &fn) {
  k.forEachRow(out, [&](ValueRange row) {
    k.sweep(innerSize(out), [&](Value col, int64_t w) {
      SmallVector<Value> args;
      for (Value in : inputs)
        args.push_back(k.load(in, indicesWith(row, col), w));
      k.store(fn(args, w), out, indicesWith(row, col));
    });
  });
}

void lowerEmbed(KernelBuilder &k, EmbedOp op) {
  OpBuilder &b = k.builder();
  float scale = op.getScale().convertToFloat();
  k.parallel({k.dim(op.getOut(), 0)}, [&](ValueRange t) {
    Value id = b.create<memref::LoadOp>(k.location(), op.getIds(), t[0]);
    Value row = b.create<arith::IndexCastOp>(k.location(), b.getIndexType(), id);
    k.sweep(innerSize(op.getOut()), [&](Value col, int64_t w) {
      Value v = k.loadWeight(op.getTable(), op.getScales(), {row, col}, w);
      k.store(k.mul(v, k.constant(scale, w)), op.getOut(), {t[0], col});
    });
  });
}

void lowerRmsNorm(KernelBuilder &k, RmsNormOp op) {
  OpBuilder &b = k.builder();
  int64_t n = innerSize(op.getX());
  Value weight = op.getWeight();
  k.forEachRow(op.getX(), [&](ValueRange row) {
    Value ss = k.sumOver(n, [&](Value col, int64_t w) {
      Value x = k.load(op.getX(), indicesWith(row, col), w);
      return k.mul(x, x);
    });
    Value mean = k.add(k.div(ss, k.f32(static_cast<double>(n))),
                       k.f32(op.getEps().convertToFloat()));
    Value r = b.create<math::RsqrtOp>(k.location(), mean);
    k.sweep(n, [&](Value col, int64_t w) {
      Value y = k.mul(k.load(op.getX(), indicesWith(row, col), w), k.splat(r, w));
      if (weight)
        y = k.mul(y, k.load(weight, {col}, w));
      k.store(y, op.getOut(), indicesWith(row, col));
    });
  });
}

void lowerRope(KernelBuilder &k, RopeOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), out = op.getOut();
  auto type = cast<MemRefType>(x.getType());
  int64_t d = type.getDimSize(2), half = d / 2, pairs = op.getPairs();
  Value heads = k.dim(x, 1);
  float theta = static_cast<float>(op.getTheta().convertToDouble());
  k.parallel({k.dim(x, 0)}, [&](ValueRange t) {
    Value posIdx = b.create<arith::AddIOp>(loc, op.getPos0(), t[0]);
    Value posI64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), posIdx);
    Value pos = b.create<arith::SIToFPOp>(loc, b.getF32Type(), posI64);
    if (pairs > 0)
      k.loop(k.index(0), k.index(pairs), 1, [&](Value j) {
        // inv_freq = 1 / theta^(2j/d), in f32 as transformers computes it.
        Value jI64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), j);
        Value jF = b.create<arith::SIToFPOp>(loc, b.getF32Type(), jI64);
        Value expo = k.div(k.mul(jF, k.f32(2.0)), k.f32(static_cast<double>(d)));
        Value inv = k.div(k.f32(1.0), b.create<math::PowFOp>(loc, k.f32(theta), expo));
        Value angle = k.mul(pos, inv);
        Value c = b.create<math::CosOp>(loc, angle);
        Value s = b.create<math::SinOp>(loc, angle);
        Value j2 = b.create<arith::AddIOp>(loc, j, k.index(half));
        k.loop(k.index(0), heads, 1, [&](Value h) {
          Value x1 = k.load(x, {t[0], h, j}, 1);
          Value x2 = k.load(x, {t[0], h, j2}, 1);
          k.store(k.sub(k.mul(x1, c), k.mul(x2, s)), out, {t[0], h, j});
          k.store(k.add(k.mul(x2, c), k.mul(x1, s)), out, {t[0], h, j2});
        });
      });
    if (out != x && pairs < half) {
      // Position-free dims of proportional RoPE pass through unchanged.
      k.loop(k.index(0), heads, 1, [&](Value h) {
        for (int64_t base : {int64_t(0), half}) {
          k.loop(k.index(base + pairs), k.index(base + half), 1, [&](Value j) {
            k.store(k.load(x, {t[0], h, j}, 1), out, {t[0], h, j});
          });
        }
      });
    }
  });
}

void lowerGeluGlu(KernelBuilder &k, GeluGluOp op) {
  int64_t n = innerSize(op.getOut());
  OpBuilder &b = k.builder();
  k.forEachRow(op.getOut(), [&](ValueRange row) {
    k.sweep(n, [&](Value col, int64_t w) {
      Value upCol = b.create<arith::AddIOp>(k.location(), col, k.index(n));
      Value gate = k.load(op.getX(), indicesWith(row, col), w);
      Value up = k.load(op.getX(), indicesWith(row, upCol), w);
      k.store(k.mul(k.gelu(gate), up), op.getOut(), indicesWith(row, col));
    });
  });
}

/// A separate pass over the logits (gemma-fuse-final-softcap folds it into
/// the LM head); nothing at all when the caller only takes the argmax.
void lowerSoftcap(KernelBuilder &k, SoftcapOp op) {
  OpBuilder &b = k.builder();
  float cap = op.getCap().convertToFloat();
  auto emit = [&] {
    lowerMap(k, op.getOut(), {op.getX()}, [&](ArrayRef<Value> a, int64_t w) {
      return k.mul(k.tanh(k.mul(a[0], k.constant(1.0 / cap, w))), k.constant(cap, w));
    });
  };
  if (!op.getArgmaxOnly()) {
    emit();
    return;
  }
  Value apply = b.create<arith::XOrIOp>(
      k.location(), op.getArgmaxOnly(),
      b.create<arith::ConstantIntOp>(k.location(), 1, 1));
  k.ifThen(apply, emit);
}

struct GemmaLowerElementwisePass
    : mlir::gemma::impl::GemmaLowerElementwiseBase<GemmaLowerElementwisePass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<EmbedOp, RmsNormOp, RopeOp, GeluGluOp, GeluOp, AddOp, MulOp, ScaleOp, SoftcapOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op->getLoc(), vectorWidth);
      if (auto o = dyn_cast<EmbedOp>(op)) {
        lowerEmbed(k, o);
      } else if (auto o = dyn_cast<RmsNormOp>(op)) {
        lowerRmsNorm(k, o);
      } else if (auto o = dyn_cast<RopeOp>(op)) {
        lowerRope(k, o);
      } else if (auto o = dyn_cast<GeluGluOp>(op)) {
        lowerGeluGlu(k, o);
      } else if (auto o = dyn_cast<GeluOp>(op)) {
        lowerMap(k, o.getOut(), {o.getX()},
                 [&](ArrayRef<Value> a, int64_t) { return k.gelu(a[0]); });
      } else if (auto o = dyn_cast<AddOp>(op)) {
        lowerMap(k, o.getOut(), {o.getLhs(), o.getRhs()},
                 [&](ArrayRef<Value> a, int64_t) { return k.add(a[0], a[1]); });
      } else if (auto o = dyn_cast<MulOp>(op)) {
        lowerMap(k, o.getOut(), {o.getLhs(), o.getRhs()},
                 [&](ArrayRef<Value> a, int64_t) { return k.mul(a[0], a[1]); });
      } else if (auto o = dyn_cast<ScaleOp>(op)) {
        Value factor = k.f32(o.getFactor().convertToFloat());
        if (o.getScalar())
          factor = k.mul(factor, k.load(o.getScalar(), {k.index(0)}, 1));
        lowerMap(k, o.getOut(), {o.getX()},
                 [&](ArrayRef<Value> a, int64_t w) { return k.mul(a[0], k.splat(factor, w)); });
      } else if (auto o = dyn_cast<SoftcapOp>(op)) {
        lowerSoftcap(k, o);
      }
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
