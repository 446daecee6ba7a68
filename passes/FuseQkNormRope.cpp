//===- FuseQkNormRope.cpp - per-head norms + RoPE + KV write as one op ----===//
//
// An attention block arrives from the importer as
//   rms_norm(q, q_norm) . rope(q) . [rms_norm(v | raw k) . rms_norm(k, k_norm)
//   . rope(k) . kv_write(k, v)] . attention(q, cache)
// i.e. five passes over Q/K/V plus a copy into the cache. This pass replaces
// the chain with one gemma.qk_norm_rope placed just before the attention: a
// single kernel that normalises and rotates q in place and writes normalised,
// rotated K and normalised V straight into the cache slots. KV-shared layers
// (no K/V of their own) get the q part only.
//
// The chain is found through the buffers the ops share (BufferAccess.h) and
// is only rewritten when that is safe: nothing else touches the q/k/v
// regions between the ops, and the k/v scratch is dead after the attention
// (the fused kernel leaves k and v raw).
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"
#include "passes/BufferAccess.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "gemma-fuse-qk-norm-rope"

namespace mlir::gemma {
#define GEN_PASS_DEF_GEMMAFUSEQKNORMROPE
#include "passes/Passes.h.inc"
} // namespace mlir::gemma

using namespace mlir;
using namespace mlir::gemma;

namespace {

bool sameBuffer(Value a, Value b) {
  return a == b || (a.getType() == b.getType() && bufferRoot(a) == bufferRoot(b));
}

/// The in-place op of type OpTy that last wrote `buffer` before `at`.
template <typename OpTy> OpTy inPlaceWriter(Operation *at, Value buffer) {
  auto op = dyn_cast_or_null<OpTy>(lastWriterBefore(at, buffer));
  if (!op || !sameBuffer(op.getX(), buffer) || !sameBuffer(op.getOut(), buffer))
    return nullptr;
  return op;
}

bool sameRope(RopeOp a, RopeOp b) {
  return a.getTheta() == b.getTheta() && a.getPairs() == b.getPairs() &&
         a.getPos0() == b.getPos0();
}

struct Chain {
  RmsNormOp qNorm, kNorm, vNorm;
  RopeOp qRope, kRope;
  KvWriteOp write;
};

/// Matches the chain feeding `attn`; false leaves the IR alone.
bool matchChain(AttentionOp attn, Chain &c) {
  Value q = attn.getQ();
  c.qRope = inPlaceWriter<RopeOp>(attn, q);
  if (!c.qRope || c.qRope.getPos0() != attn.getPos0())
    return false;
  c.qNorm = inPlaceWriter<RmsNormOp>(c.qRope, q);
  if (!c.qNorm || !c.qNorm.getWeight())
    return false;
  // The block's own cache write, if any, comes after the q ops; an earlier
  // writer of the cache is another layer's (this layer shares its KV).
  auto write = dyn_cast_or_null<KvWriteOp>(lastWriterBefore(attn, attn.getKCache()));
  if (!write || write->isBeforeInBlock(c.qNorm) || write.getKCache() != attn.getKCache() ||
      write.getVCache() != attn.getVCache() || write.getPos0() != attn.getPos0())
    return true; // q part only
  c.kRope = inPlaceWriter<RopeOp>(write, write.getK());
  if (!c.kRope || !sameRope(c.kRope, c.qRope))
    return false;
  c.kNorm = inPlaceWriter<RmsNormOp>(c.kRope, write.getK());
  if (!c.kNorm || !c.kNorm.getWeight() || c.kNorm.getEps() != c.qNorm.getEps())
    return false;
  c.vNorm = dyn_cast_or_null<RmsNormOp>(lastWriterBefore(write, write.getV()));
  if (!c.vNorm || c.vNorm.getWeight() || !sameBuffer(c.vNorm.getOut(), write.getV()) ||
      c.vNorm.getEps() != c.qNorm.getEps())
    return false;
  Value vSource = c.vNorm.getX();
  bool kEqV = bufferRoot(vSource) == bufferRoot(write.getK());
  if (kEqV ? !c.vNorm->isBeforeInBlock(c.kNorm) || vSource.getType() != write.getK().getType()
           : !sameBuffer(vSource, write.getV()))
    return false;
  c.write = write;
  return true;
}

bool legal(AttentionOp attn, Chain c) {
  llvm::SmallPtrSet<Operation *, 8> moved = {c.qNorm, c.qRope};
  if (c.write)
    moved.insert({c.kNorm, c.kRope, c.vNorm, c.write});
  if (!untouchedBetween(c.qNorm, attn, bufferRoot(attn.getQ()), moved))
    return false;
  if (!c.write)
    return true;
  Operation *first = c.vNorm->isBeforeInBlock(c.kNorm) ? c.vNorm : c.kNorm;
  std::string k = bufferRoot(c.write.getK()), v = bufferRoot(c.write.getV());
  return untouchedBetween(first, attn, k, moved) && untouchedBetween(first, attn, v, moved) &&
         untouchedBetween(c.write, attn, bufferRoot(attn.getKCache()), moved) &&
         deadAfter(attn, k) && deadAfter(attn, v);
}

void fuse(AttentionOp attn, Chain c) {
  OpBuilder b(attn);
  Value k, kNorm, v, kCache, vCache;
  if (c.write) {
    k = c.write.getK();
    kNorm = c.kNorm.getWeight();
    v = c.vNorm.getX();
    kCache = c.write.getKCache();
    vCache = c.write.getVCache();
  }
  b.create<QkNormRopeOp>(attn.getLoc(), attn.getQ(), c.qNorm.getWeight(), k, kNorm, v,
                         attn.getPos0(), kCache, vCache, c.qNorm.getEpsAttr(),
                         c.qRope.getThetaAttr(), c.qRope.getPairsAttr());
  for (Operation *op : {c.write.getOperation(), c.kRope.getOperation(), c.kNorm.getOperation(),
                        c.vNorm.getOperation(), c.qRope.getOperation(), c.qNorm.getOperation()})
    if (op)
      op->erase();
}

struct GemmaFuseQkNormRopePass
    : mlir::gemma::impl::GemmaFuseQkNormRopeBase<GemmaFuseQkNormRopePass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> blocks;
    getOperation().walk([&](AttentionOp op) { blocks.push_back(op); });
    for (AttentionOp attn : blocks) {
      Chain chain;
      if (matchChain(attn, chain) && legal(attn, chain))
        fuse(attn, chain);
    }
  }
};

} // namespace
