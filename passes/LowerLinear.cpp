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
#include "passes/Activations.h"
#include "passes/AmxDot.h"
#include "passes/DotBlock.h"
#include "passes/GroupedExperts.h"
#include "passes/KernelBuilder.h"
#include "passes/Passes.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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

void lowerLinear(KernelBuilder &k, LinearOp op, const PreparedActivations &prepared) {
  Value w = op.getWeight(), scales = op.getScales(), out = op.getOut();
  std::optional<float> cap;
  if (op.getSoftcap())
    cap = op.getSoftcap()->convertToFloat();
  auto wType = cast<MemRefType>(w.getType());
  int64_t outRows = wType.getDimSize(0), depth = weightInFeatures(w, scales);
  DotBlockShape shape = dotBlockShape(k, prepared);
  int64_t tokenBlock = shape.tokens;
  Value tokens = k.dim(op.getX(), 0);
  int64_t panelBlocks = panelBlocksFor(prepared, outRows, kLinearPanelRows, shape.rows);
  forRowBlocks(k, outRows, {}, panelBlocks, shape.rows, [&](const RowPanel &panel, ValueRange) {
    // The dot block of tokens [t0, t0 + nt) against rows [row0, row0 + rows).
    BlockEmitter emitBlock = [&](Value t0, int64_t nt, Value row0, int64_t rows,
                                 const std::function<void(const DotBlock &,
                                                          const OperandRows &)> &kernel) {
      DotBlock blk{nt, rows, depth,
                   [&](int64_t i, int64_t j, Value s) {
                     k.store(s, out, {plus(k, t0, i), plus(k, row0, j)});
                   },
                   {}};
      if (cap)
        blk.epilogue = [&](ArrayRef<Value> sums) {
          return softcapEpilogue(k, sums, *cap, op.getArgmaxOnly());
        };
      OperandRows at{[&](int64_t i) -> SmallVector<Value> { return {plus(k, t0, i)}; },
                     [&](int64_t j) -> SmallVector<Value> { return {plus(k, row0, j)}; }};
      kernel(blk, at);
    };
    emitPanelDots(k, prepared, w, scales, {}, panel, k.index(0), tokens, tokenBlock, emitBlock);
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
      auto linear = dyn_cast<LinearOp>(op);
      auto expert = dyn_cast<ExpertLinearOp>(op);
      Value x = linear ? linear.getX() : expert.getX();
      Value w = linear ? linear.getWeight() : expert.getWeight();
      Value scales = linear ? linear.getScales() : expert.getScales();
      auto lowerWithDotBlocks = [&] {
        ActivationOptions options{int8Activations, vnni, bf16Activations, panelTiles};
        PreparedActivations prepared = prepareActivations(k, x, w, scales, options);
        if (linear)
          lowerLinear(k, linear, prepared);
        else
          lowerGroupedExpertLinear(k, expert, prepared);
        releaseActivations(k, prepared);
      };
      if (!amx || !amxLowers(op)) {
        lowerWithDotBlocks();
      } else {
        // Chosen per call: prefill chunks take the tiles, decode the GEMV.
        Value many = rewriter.create<arith::CmpIOp>(op->getLoc(), arith::CmpIPredicate::uge,
                                                    k.dim(x, 0), k.index(kAmxMinTokens));
        int64_t parts = amxActivationParts(bf16Activations);
        k.ifThen(many, [&] {
          if (linear)
            lowerLinearAmx(k, linear, parts);
          else
            lowerGroupedExpertLinearAmx(k, expert, parts);
        }, lowerWithDotBlocks);
      }
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
