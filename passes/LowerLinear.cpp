//===- LowerLinear.cpp - gemma.linear / expert_linear to tiled FMA loops --===//
//
// y[t, n] = sum_k x[t, k] * W[n, k]. W is row-major [out, in], so a weight
// row is contiguous along k: the kernel keeps a register block of
// `tokens x rows` vector accumulators, loads each weight vector once per
// token block (decode has one token: a GEMV that streams W once), and reduces
// each accumulator horizontally once at the end. Output rows are split across
// threads (one scf.parallel, later an OpenMP loop).
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

#define DEBUG_TYPE "gemma-lower-linear"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMALOWERLINEAR
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

constexpr int64_t kRowsPerBlock = 4;

/// How a dot-product block reads its operands: x row i and weight row j,
/// `width` elements from column `col`; and where result (i, j) goes.
struct DotBlock {
  int64_t tokens, rows, depth;
  std::function<Value(int64_t i, Value col, int64_t width)> loadX;
  std::function<Value(int64_t j, Value col, int64_t width)> loadW;
  std::function<void(int64_t i, int64_t j, Value sum)> storeOut;
  /// Optional: maps all tokens*rows sums at once before they are stored.
  std::function<SmallVector<Value>(ArrayRef<Value> sums)> epilogue;
};

void emitDotBlock(KernelBuilder &k, const DotBlock &blk) {
  int64_t vl = k.lanes(), n = blk.tokens * blk.rows;
  int64_t vecEnd = blk.depth - blk.depth % vl;
  SmallVector<Value> sums(n, k.f32(0.0));
  if (vecEnd > 0) {
    SmallVector<Value> init(n, k.constant(0.0, vl));
    SmallVector<Value> acc = k.loop(
        k.index(0), k.index(vecEnd), vl, init, [&](Value col, ValueRange args) {
          SmallVector<Value> xs, ws, next;
          for (int64_t i = 0; i < blk.tokens; ++i)
            xs.push_back(blk.loadX(i, col, vl));
          for (int64_t j = 0; j < blk.rows; ++j)
            ws.push_back(blk.loadW(j, col, vl));
          for (int64_t i = 0; i < blk.tokens; ++i)
            for (int64_t j = 0; j < blk.rows; ++j)
              next.push_back(k.fma(xs[i], ws[j], args[i * blk.rows + j]));
          return next;
        });
    for (int64_t a = 0; a < n; ++a)
      sums[a] = k.sum(acc[a]);
  }
  if (vecEnd < blk.depth)
    sums = k.loop(k.index(vecEnd), k.index(blk.depth), 1, sums,
                  [&](Value col, ValueRange args) {
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < blk.tokens; ++i)
                      for (int64_t j = 0; j < blk.rows; ++j)
                        next.push_back(k.fma(blk.loadX(i, col, 1), blk.loadW(j, col, 1),
                                             args[i * blk.rows + j]));
                    return next;
                  });
  if (blk.epilogue)
    sums = blk.epilogue(sums);
  for (int64_t i = 0; i < blk.tokens; ++i)
    for (int64_t j = 0; j < blk.rows; ++j)
      blk.storeOut(i, j, sums[i * blk.rows + j]);
}

Value plus(KernelBuilder &k, Value a, int64_t c) {
  if (c == 0)
    return a;
  return k.builder().create<arith::AddIOp>(k.location(), a, k.index(c));
}
Value times(KernelBuilder &k, Value a, int64_t c) {
  return k.builder().create<arith::MulIOp>(k.location(), a, k.index(c));
}

/// Splits `outRows` into blocks of kRowsPerBlock (one parallel loop) and a
/// remainder of single rows (a second one); calls body(firstRow, rows, ivs).
void forRowBlocks(KernelBuilder &k, int64_t outRows, SmallVector<Value> outerUbs,
                  const std::function<void(Value row0, int64_t rows, ValueRange outer)> &body) {
  int64_t blocks = outRows / kRowsPerBlock, rest = outRows % kRowsPerBlock;
  if (blocks > 0) {
    SmallVector<Value> ubs = outerUbs;
    ubs.push_back(k.index(blocks));
    k.parallel(ubs, [&](ValueRange ivs) {
      body(times(k, ivs.back(), kRowsPerBlock), kRowsPerBlock, ivs.drop_back());
    });
  }
  if (rest > 0) {
    SmallVector<Value> ubs = outerUbs;
    ubs.push_back(k.index(rest));
    k.parallel(ubs, [&](ValueRange ivs) {
      body(plus(k, ivs.back(), blocks * kRowsPerBlock), 1, ivs.drop_back());
    });
  }
}

/// The fused soft-cap epilogue over a block's sums: cap * tanh(s / cap) on
/// one vector of all of them (so the tanh is vectorised), skipped (scf.if)
/// when the caller only takes the argmax.
SmallVector<Value> softcapEpilogue(KernelBuilder &k, ArrayRef<Value> sums, float cap,
                                   Value argmaxOnly) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t n = static_cast<int64_t>(sums.size());
  auto vecType = VectorType::get({n}, b.getF32Type());
  Value raw = b.create<vector::FromElementsOp>(loc, vecType, sums);
  auto capped = [&]() -> Value {
    return k.mul(k.tanh(k.mul(raw, k.constant(1.0 / cap, n))), k.constant(cap, n));
  };
  Value out;
  if (!argmaxOnly) {
    out = capped();
  } else {
    auto ifOp = b.create<scf::IfOp>(loc, TypeRange{vecType}, argmaxOnly, true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    b.create<scf::YieldOp>(loc, raw);
    b.setInsertionPointToStart(ifOp.elseBlock());
    b.create<scf::YieldOp>(loc, capped());
    out = ifOp.getResult(0);
  }
  SmallVector<Value> result;
  for (int64_t i = 0; i < n; ++i)
    result.push_back(b.create<vector::ExtractOp>(loc, out, ArrayRef<int64_t>{i}));
  return result;
}

void lowerLinear(KernelBuilder &k, LinearOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), w = op.getWeight(), out = op.getOut();
  std::optional<float> cap;
  if (op.getSoftcap())
    cap = op.getSoftcap()->convertToFloat();
  auto wType = cast<MemRefType>(w.getType());
  int64_t outRows = wType.getDimSize(0), depth = wType.getDimSize(1);
  // Tokens sharing one weight load; AVX2 has 16 vector registers, AVX-512 32.
  int64_t tokenBlock = k.lanes() >= 16 ? 4 : 2;
  Value tokens = k.dim(x, 0);
  forRowBlocks(k, outRows, {}, [&](Value row0, int64_t rows, ValueRange) {
    auto emitTokens = [&](Value t0, int64_t nt) {
      DotBlock blk{nt, rows, depth,
                   [&](int64_t i, Value col, int64_t wd) { return k.load(x, {plus(k, t0, i), col}, wd); },
                   [&](int64_t j, Value col, int64_t wd) { return k.load(w, {plus(k, row0, j), col}, wd); },
                   [&](int64_t i, int64_t j, Value s) {
                     k.store(s, out, {plus(k, t0, i), plus(k, row0, j)});
                   },
                   {}};
      if (cap)
        blk.epilogue = [&](ArrayRef<Value> sums) {
          return softcapEpilogue(k, sums, *cap, op.getArgmaxOnly());
        };
      emitDotBlock(k, blk);
    };
    Value full = b.create<arith::MulIOp>(
        loc, b.create<arith::DivUIOp>(loc, tokens, k.index(tokenBlock)), k.index(tokenBlock));
    k.loop(k.index(0), full, tokenBlock, [&](Value t0) { emitTokens(t0, tokenBlock); });
    k.loop(full, tokens, 1, [&](Value t) { emitTokens(t, 1); });
  });
}

void lowerExpertLinear(KernelBuilder &k, ExpertLinearOp op) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value x = op.getX(), w = op.getWeight(), idx = op.getIndices(), out = op.getOut();
  auto wType = cast<MemRefType>(w.getType());
  int64_t outRows = wType.getDimSize(1), depth = wType.getDimSize(2);
  bool perExpertInput = cast<MemRefType>(x.getType()).getRank() == 3;
  forRowBlocks(k, outRows, {k.dim(idx, 0), k.dim(idx, 1)},
               [&](Value row0, int64_t rows, ValueRange tk) {
                 Value id = b.create<memref::LoadOp>(loc, idx, tk);
                 Value e = b.create<arith::IndexCastOp>(loc, b.getIndexType(), id);
                 DotBlock blk{1, rows, depth,
                              [&](int64_t, Value col, int64_t wd) {
                                if (perExpertInput)
                                  return k.load(x, {tk[0], tk[1], col}, wd);
                                return k.load(x, {tk[0], col}, wd);
                              },
                              [&](int64_t j, Value col, int64_t wd) {
                                return k.load(w, {e, plus(k, row0, j), col}, wd);
                              },
                              [&](int64_t, int64_t j, Value s) {
                                k.store(s, out, {tk[0], tk[1], plus(k, row0, j)});
                              }};
                 emitDotBlock(k, blk);
               });
}

struct GemmaLowerLinearPass : mlir::gemma::impl::GemmaLowerLinearBase<GemmaLowerLinearPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<LinearOp, ExpertLinearOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      KernelBuilder k(rewriter, op->getLoc(), vectorWidth);
      if (auto o = dyn_cast<LinearOp>(op))
        lowerLinear(k, o);
      else
        lowerExpertLinear(k, cast<ExpertLinearOp>(op));
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
