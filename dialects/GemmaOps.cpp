//===- GemmaOps.cpp - gemma op verifiers ----------------------------------===//
//
// Shapes are checked wherever both sides are static; the token dimension is
// usually dynamic and is bound at run time by the arena views.
//
//===----------------------------------------------------------------------===//
#include "dialects/GemmaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::gemma;

namespace {
MemRefType memrefType(Value v) { return cast<MemRefType>(v.getType()); }

/// Dims a and b agree unless one of them is dynamic.
bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult expectDim(Operation *op, Value v, StringRef what, unsigned dim,
                        int64_t expected, StringRef why) {
  int64_t got = memrefType(v).getDimSize(dim);
  if (!compatible(got, expected))
    return op->emitOpError() << what << " dim " << dim << " is " << got
                             << " but " << why << " is " << expected;
  return success();
}

LogicalResult sameShape(Operation *op, Value a, StringRef an, Value b, StringRef bn) {
  MemRefType ta = memrefType(a), tb = memrefType(b);
  if (ta.getRank() != tb.getRank())
    return op->emitOpError() << an << " and " << bn << " differ in rank";
  for (unsigned i = 0; i < ta.getRank(); ++i)
    if (!compatible(ta.getDimSize(i), tb.getDimSize(i)))
      return op->emitOpError() << an << " and " << bn << " differ in dim " << i;
  return success();
}

/// (weight, scales): float weights without scales, or i8 weights with one
/// scale per kQuantBlock inputs (scales [..., in/32]); the weight's last dim
/// is in (int8) or in/2 (int4). Leading dims must agree.
LogicalResult verifyWeight(Operation *op, Value weight, Value scales, StringRef what) {
  MemRefType w = memrefType(weight);
  bool quantised = w.getElementType().isInteger(8);
  if (!scales) {
    if (quantised)
      return op->emitOpError() << "an i8 " << what << " needs block scales";
    return success();
  }
  if (!quantised)
    return op->emitOpError() << "block scales need an i8 " << what << ", not "
                             << w.getElementType();
  MemRefType s = memrefType(scales);
  if (s.getRank() != w.getRank())
    return op->emitOpError() << "scales and " << what << " differ in rank";
  for (unsigned i = 0; i + 1 < w.getRank(); ++i)
    if (!compatible(s.getDimSize(i), w.getDimSize(i)))
      return op->emitOpError() << "scales and " << what << " differ in dim " << i;
  int64_t blocks = s.getDimSize(s.getRank() - 1), stored = w.getDimSize(w.getRank() - 1);
  if (ShapedType::isDynamic(blocks) || ShapedType::isDynamic(stored))
    return op->emitOpError() << "a quantised " << what << " needs static inner dims";
  int64_t in = blocks * kQuantBlock;
  if (stored != in && 2 * stored != in)
    return op->emitOpError() << what << "'s last dim is " << stored << " but " << blocks
                             << " blocks of " << kQuantBlock << " need " << in
                             << " (int8) or " << in / 2 << " (int4)";
  return success();
}

/// The innermost dim must be static: kernels are specialised on it.
LogicalResult staticInner(Operation *op, Value v, StringRef what) {
  MemRefType t = memrefType(v);
  if (t.getRank() == 0 || ShapedType::isDynamic(t.getDimSize(t.getRank() - 1)))
    return op->emitOpError() << what << " needs a static innermost dimension";
  return success();
}
} // namespace

WeightFormat mlir::gemma::weightFormat(Value weight, Value scales) {
  if (!scales)
    return WeightFormat::Float;
  MemRefType w = memrefType(weight), s = memrefType(scales);
  int64_t stored = w.getDimSize(w.getRank() - 1), in = s.getDimSize(s.getRank() - 1) * kQuantBlock;
  return stored == in ? WeightFormat::Int8 : WeightFormat::Int4;
}

bool mlir::gemma::weightTiled(Value weight, Value scales) {
  MemRefType w = memrefType(weight);
  return scales && w.getRank() >= 2 && w.getDimSize(w.getRank() - 2) % kQuantTileRows == 0;
}

int64_t mlir::gemma::weightInFeatures(Value weight, Value scales) {
  MemRefType w = scales ? memrefType(scales) : memrefType(weight);
  int64_t last = w.getDimSize(w.getRank() - 1);
  if (!scales || ShapedType::isDynamic(last))
    return last;
  return last * kQuantBlock;
}

//===----------------------------------------------------------------------===//
// Arena views
//===----------------------------------------------------------------------===//

template <typename ViewOp> static LogicalResult verifyView(ViewOp op) {
  MemRefType t = op.getView().getType();
  if (!t.getLayout().isIdentity())
    return op.emitOpError("view must have the identity layout");
  if (static_cast<int64_t>(op.getDynamicSizes().size()) != t.getNumDynamicDims())
    return op.emitOpError() << "has " << op.getDynamicSizes().size()
                            << " dynamic sizes for " << t.getNumDynamicDims()
                            << " dynamic dims";
  // ODS's I64Attr getter returns uint64_t; the attribute's int is signed.
  if (op.getOffsetAttr().getInt() < 0)
    return op.emitOpError("offset must be non-negative");
  return success();
}
LogicalResult WeightOp::verify() {
  if (getView().getType().getNumDynamicDims() != 0)
    return emitOpError("weights have static shapes");
  return verifyView(*this);
}
LogicalResult ScratchOp::verify() { return verifyView(*this); }
LogicalResult KvCacheOp::verify() {
  if (getView().getType().getRank() != 3)
    return emitOpError("a KV cache is [n_kv, slots, head_dim]");
  return verifyView(*this);
}

//===----------------------------------------------------------------------===//
// Layer ops
//===----------------------------------------------------------------------===//

LogicalResult EmbedOp::verify() {
  if (failed(verifyWeight(*this, getTable(), getScales(), "table")))
    return failure();
  if (failed(expectDim(*this, getOut(), "out", 1, weightInFeatures(getTable(), getScales()),
                       "the table's row width")))
    return failure();
  if (failed(expectDim(*this, getOut(), "out", 0, memrefType(getIds()).getDimSize(0),
                       "the number of ids")))
    return failure();
  return staticInner(*this, getTable(), "table");
}

LogicalResult RmsNormOp::verify() {
  if (failed(sameShape(*this, getX(), "x", getOut(), "out")) ||
      failed(staticInner(*this, getX(), "x")))
    return failure();
  if (getWeight()) {
    MemRefType x = memrefType(getX());
    if (failed(expectDim(*this, getWeight(), "weight", 0,
                         x.getDimSize(x.getRank() - 1), "x's last dim")))
      return failure();
  }
  if (getEps().convertToFloat() <= 0.0f)
    return emitOpError("eps must be positive");
  return success();
}

LogicalResult LinearOp::verify() {
  MemRefType w = memrefType(getWeight());
  if (failed(verifyWeight(*this, getWeight(), getScales(), "weight")))
    return failure();
  int64_t in = weightInFeatures(getWeight(), getScales());
  if (failed(expectDim(*this, getX(), "x", 1, in, "the weight's in-features")) ||
      failed(expectDim(*this, getOut(), "out", 1, w.getDimSize(0), "the weight's out-features")) ||
      failed(expectDim(*this, getOut(), "out", 0, memrefType(getX()).getDimSize(0), "x's rows")))
    return failure();
  if (getSoftcap() && getSoftcap()->convertToFloat() <= 0.0f)
    return emitOpError("softcap must be positive");
  if (getArgmaxOnly() && !getSoftcap())
    return emitOpError("argmax_only only applies to a soft-capped linear");
  return staticInner(*this, getX(), "x");
}

LogicalResult RopeOp::verify() {
  if (failed(sameShape(*this, getX(), "x", getOut(), "out")) ||
      failed(staticInner(*this, getX(), "x")))
    return failure();
  int64_t d = memrefType(getX()).getDimSize(2);
  if (d % 2 != 0)
    return emitOpError("head dim must be even");
  if (getPairsAttr().getInt() < 0 || getPairsAttr().getInt() > d / 2)
    return emitOpError() << "pairs must be in [0, " << d / 2 << "]";
  if (getTheta().convertToDouble() <= 0.0)
    return emitOpError("theta must be positive");
  return success();
}

static LogicalResult verifyHalving(Operation *op, Value x, Value out) {
  MemRefType tx = memrefType(x), to = memrefType(out);
  if (tx.getRank() != to.getRank())
    return op->emitOpError("x and out differ in rank");
  unsigned last = tx.getRank() - 1;
  for (unsigned i = 0; i < last; ++i)
    if (!compatible(tx.getDimSize(i), to.getDimSize(i)))
      return op->emitOpError() << "x and out differ in dim " << i;
  if (failed(staticInner(op, x, "x")) || failed(staticInner(op, out, "out")))
    return failure();
  if (tx.getDimSize(last) != 2 * to.getDimSize(last))
    return op->emitOpError("x's last dim must be [gate | up], twice out's");
  return success();
}
LogicalResult GeluGluOp::verify() { return verifyHalving(*this, getX(), getOut()); }
LogicalResult GeluOp::verify() { return sameShape(*this, getX(), "x", getOut(), "out"); }
LogicalResult AddOp::verify() {
  if (failed(sameShape(*this, getLhs(), "lhs", getRhs(), "rhs")))
    return failure();
  return sameShape(*this, getLhs(), "lhs", getOut(), "out");
}
LogicalResult MulOp::verify() {
  if (failed(sameShape(*this, getLhs(), "lhs", getRhs(), "rhs")))
    return failure();
  return sameShape(*this, getLhs(), "lhs", getOut(), "out");
}
LogicalResult ScaleOp::verify() {
  if (getScalar() && !compatible(memrefType(getScalar()).getDimSize(0), 1))
    return emitOpError("scalar must have one element");
  return sameShape(*this, getX(), "x", getOut(), "out");
}
LogicalResult SoftcapOp::verify() {
  if (getCap().convertToFloat() <= 0.0f)
    return emitOpError("cap must be positive");
  return sameShape(*this, getX(), "x", getOut(), "out");
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  MemRefType q = memrefType(getQ()), kc = memrefType(getKCache());
  if (failed(sameShape(*this, getQ(), "q", getOut(), "out")) ||
      failed(sameShape(*this, getKCache(), "k_cache", getVCache(), "v_cache")) ||
      failed(staticInner(*this, getQ(), "q")))
    return failure();
  int64_t d = q.getDimSize(2), nq = q.getDimSize(1), nkv = kc.getDimSize(0);
  if (failed(expectDim(*this, getKCache(), "k_cache", 2, d, "q's head dim")))
    return failure();
  if (ShapedType::isDynamic(nq) || ShapedType::isDynamic(nkv) || nkv == 0 || nq % nkv != 0)
    return emitOpError() << "query heads (" << nq
                         << ") must be a static multiple of KV heads (" << nkv << ")";
  if (ShapedType::isDynamic(kc.getDimSize(1)))
    return emitOpError("cache slots must be static");
  const int64_t window = getWindowAttr().getInt(); // signed, unlike getWindow()
  if (window < 0)
    return emitOpError("window must be >= 0 (0: full causal)");
  // The ring size is not checked against the window: a cache of S >= the
  // context is enough even when the window is larger (short contexts), and
  // the context is not known here. The importer sizes it (kvSlots).
  return success();
}

LogicalResult QkNormRopeOp::verify() {
  MemRefType q = memrefType(getQ());
  if (failed(staticInner(*this, getQ(), "q")))
    return failure();
  int64_t d = q.getDimSize(2);
  if (d % 2 != 0)
    return emitOpError("head dim must be even");
  const int64_t pairs = getPairsAttr().getInt();
  if (pairs < 0 || pairs > d / 2)
    return emitOpError() << "pairs must be in [0, " << d / 2 << "]";
  if (getTheta().convertToDouble() <= 0.0)
    return emitOpError("theta must be positive");
  if (failed(expectDim(*this, getQNorm(), "q_norm", 0, d, "q's head dim")))
    return failure();
  bool anyKv = getK() || getKNorm() || getV() || getKCache() || getVCache();
  if (!anyKv)
    return success();
  if (!(getK() && getKNorm() && getV() && getKCache() && getVCache()))
    return emitOpError("the kv group needs k, k_norm, v and both caches");
  MemRefType k = memrefType(getK());
  if (failed(sameShape(*this, getK(), "k", getV(), "v")) ||
      failed(sameShape(*this, getKCache(), "k_cache", getVCache(), "v_cache")) ||
      failed(expectDim(*this, getK(), "k", 2, d, "q's head dim")) ||
      failed(expectDim(*this, getK(), "k", 0, q.getDimSize(0), "q's rows")) ||
      failed(expectDim(*this, getKNorm(), "k_norm", 0, d, "q's head dim")) ||
      failed(expectDim(*this, getKCache(), "k_cache", 0, k.getDimSize(1), "k's head count")) ||
      failed(expectDim(*this, getKCache(), "k_cache", 2, d, "q's head dim")))
    return failure();
  if (ShapedType::isDynamic(memrefType(getKCache()).getDimSize(1)))
    return emitOpError("cache slots must be static");
  return success();
}

LogicalResult KvWriteOp::verify() {
  if (failed(sameShape(*this, getK(), "k", getV(), "v")) ||
      failed(sameShape(*this, getKCache(), "k_cache", getVCache(), "v_cache")))
    return failure();
  MemRefType k = memrefType(getK());
  if (failed(expectDim(*this, getKCache(), "k_cache", 0, k.getDimSize(1), "k's head count")) ||
      failed(expectDim(*this, getKCache(), "k_cache", 2, k.getDimSize(2), "k's head dim")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// MoE
//===----------------------------------------------------------------------===//

LogicalResult MoeRouteOp::verify() {
  MemRefType proj = memrefType(getProj()), idx = memrefType(getIndices());
  int64_t h = memrefType(getX()).getDimSize(1), e = proj.getDimSize(0);
  if (failed(expectDim(*this, getProj(), "proj", 1, h, "x's width")) ||
      failed(expectDim(*this, getScale(), "scale", 0, h, "x's width")) ||
      failed(expectDim(*this, getPerExpertScale(), "per_expert_scale", 0, e, "the expert count")) ||
      failed(sameShape(*this, getIndices(), "indices", getWeights(), "weights")) ||
      failed(staticInner(*this, getIndices(), "indices")))
    return failure();
  int64_t k = idx.getDimSize(1);
  if (k < 1 || (!ShapedType::isDynamic(e) && k > e))
    return emitOpError() << "top-k " << k << " must be in [1, " << e << "]";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  if (failed(sameShape(*this, getX(), "x", getOut(), "out")))
    return failure();
  return staticInner(*this, getX(), "x");
}

LogicalResult TopKOp::verify() {
  if (failed(sameShape(*this, getValues(), "values", getIndices(), "indices")) ||
      failed(staticInner(*this, getX(), "x")) ||
      failed(staticInner(*this, getValues(), "values")) ||
      failed(expectDim(*this, getValues(), "values", 0, memrefType(getX()).getDimSize(0),
                       "x's rows")))
    return failure();
  int64_t k = memrefType(getValues()).getDimSize(1), e = memrefType(getX()).getDimSize(1);
  if (k < 1 || k > e)
    return emitOpError() << "k " << k << " must be in [1, " << e << "]";
  return success();
}

LogicalResult MoeWeightsOp::verify() {
  if (failed(sameShape(*this, getValues(), "values", getIndices(), "indices")) ||
      failed(sameShape(*this, getValues(), "values", getWeights(), "weights")))
    return failure();
  return staticInner(*this, getValues(), "values");
}

LogicalResult ExpertLinearOp::verify() {
  MemRefType x = memrefType(getX()), w = memrefType(getWeight()), idx = memrefType(getIndices()),
             out = memrefType(getOut());
  if (x.getRank() != 2 && x.getRank() != 3)
    return emitOpError("x must be [T, in] or [T, K, in]");
  if (failed(verifyWeight(*this, getWeight(), getScales(), "weight")))
    return failure();
  if (failed(expectDim(*this, getX(), "x", x.getRank() - 1,
                       weightInFeatures(getWeight(), getScales()), "the experts' in-features")) ||
      failed(expectDim(*this, getOut(), "out", 2, w.getDimSize(1), "the experts' out-features")) ||
      failed(expectDim(*this, getOut(), "out", 1, idx.getDimSize(1), "top-k")) ||
      failed(staticInner(*this, getX(), "x")))
    return failure();
  if (x.getRank() == 3 && failed(expectDim(*this, getX(), "x", 1, idx.getDimSize(1), "top-k")))
    return failure();
  (void)out;
  return success();
}

LogicalResult MoeCombineOp::verify() {
  MemRefType y = memrefType(getY());
  if (failed(expectDim(*this, getWeights(), "weights", 1, y.getDimSize(1), "y's top-k")) ||
      failed(expectDim(*this, getOut(), "out", 1, y.getDimSize(2), "y's width")))
    return failure();
  return staticInner(*this, getY(), "y");
}

#define GET_OP_CLASSES
#include "dialects/GemmaOps.cpp.inc"
