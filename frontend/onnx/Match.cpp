//===- Match.cpp - helpers shared by the raising patterns -----------------===//
#include "frontend/onnx/Match.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;

namespace gemma::onnxfe {

go::NodeOp nodeOf(Value v, llvm::StringRef type) {
  auto n = v ? v.getDefiningOp<go::NodeOp>() : go::NodeOp();
  return n && n.getOpType() == type ? n : go::NodeOp();
}

bool isNode(Operation *op, llvm::StringRef type) {
  auto n = dyn_cast_or_null<go::NodeOp>(op);
  return n && n.getOpType() == type;
}

go::InitializerOp initOf(Value v) { return v ? v.getDefiningOp<go::InitializerOp>() : nullptr; }

std::optional<llvm::SmallVector<double>> constValues(Value v) {
  go::InitializerOp init = initOf(v);
  if (!init || !init.getValue())
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(*init.getValue());
  if (!dense)
    return std::nullopt;
  llvm::SmallVector<double> out;
  Type elem = dense.getElementType();
  if (isa<FloatType>(elem)) {
    for (APFloat f : dense.getValues<APFloat>())
      out.push_back(f.convertToDouble());
  } else if (elem.isInteger(1)) {
    for (bool b : dense.getValues<bool>())
      out.push_back(b ? 1.0 : 0.0);
  } else if (isa<IntegerType>(elem)) {
    for (APInt i : dense.getValues<APInt>())
      out.push_back(double(elem.isUnsignedInteger() ? int64_t(i.getZExtValue()) : i.getSExtValue()));
  } else {
    return std::nullopt;
  }
  return out;
}

std::optional<llvm::SmallVector<int64_t>> constInts(Value v) {
  // Integers directly: shape vectors hold INT64_MAX ("to the end"), which a
  // double cannot carry back.
  go::InitializerOp init = initOf(v);
  auto dense = init && init.getValue() ? dyn_cast<DenseElementsAttr>(*init.getValue())
                                       : DenseElementsAttr();
  if (dense && isa<IntegerType>(dense.getElementType()) && !dense.getElementType().isInteger(1)) {
    llvm::SmallVector<int64_t> out;
    for (APInt i : dense.getValues<APInt>())
      out.push_back(dense.getElementType().isUnsignedInteger() ? int64_t(i.getZExtValue())
                                                               : i.getSExtValue());
    return out;
  }
  auto vals = constValues(v);
  if (!vals)
    return std::nullopt;
  llvm::SmallVector<int64_t> out;
  for (double d : *vals) {
    if (d != std::floor(d))
      return std::nullopt;
    out.push_back(int64_t(d));
  }
  return out;
}

std::optional<double> constScalar(Value v) {
  auto vals = constValues(v);
  if (!vals || vals->size() != 1)
    return std::nullopt;
  return (*vals)[0];
}

bool isConst(Value v, double c) {
  std::optional<double> s = constScalar(v);
  if (!s)
    return false;
  if (c == 0)
    return *s == 0;
  return std::fabs(*s - c) <= 1e-6 * std::fabs(c);
}

int64_t intAttr(Operation *op, llvm::StringRef name, int64_t dflt) {
  if (auto a = op->getAttrOfType<IntegerAttr>(name))
    return a.getInt();
  return dflt;
}

llvm::StringRef strAttr(Operation *op, llvm::StringRef name) {
  if (auto a = op->getAttrOfType<StringAttr>(name))
    return a.getValue();
  return "";
}

int64_t rankOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? t.getRank() : -1;
}

int64_t lastDim(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() == 0 || t.isDynamicDim(t.getRank() - 1))
    return -1;
  return t.getShape().back();
}

bool isLastAxis(Value axes, int64_t rank) {
  auto a = constInts(axes);
  if (!a || a->size() != 1)
    return false;
  return (*a)[0] == -1 || (rank > 0 && (*a)[0] == rank - 1);
}

double shortestDouble(float f) {
  char buf[64];
  for (int prec = 1; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, double(f));
    if (float(std::strtod(buf, nullptr)) == f)
      return std::strtod(buf, nullptr);
  }
  return double(f);
}

Location fusedLoc(PatternRewriter &rewriter, llvm::ArrayRef<Operation *> ops) {
  llvm::SmallVector<Location> locs;
  for (Operation *op : ops)
    if (op)
      locs.push_back(op->getLoc());
  return FusedLoc::get(rewriter.getContext(), locs);
}

llvm::SmallVector<Operation *> defs(llvm::ArrayRef<Value> values) {
  llvm::SmallVector<Operation *> out;
  for (Value v : values)
    if (v && v.getDefiningOp())
      out.push_back(v.getDefiningOp());
  return out;
}

llvm::ArrayRef<PatternGroup> patternGroups() {
  static const PatternGroup groups[] = {
      {"rms-norm", "Pow/ReduceMean/Add/Pow/Mul -> rms_norm, then Mul by a weight"},
      {"linear", "MatMul/Gemm by an initializer -> linear"},
      {"embed", "Gather(table, ids) * scale -> embed"},
      {"softcap", "Mul(Tanh(Div(x, c)), c) -> softcap"},
      {"mask", "Where(causal/window predicate, 0, -inf) -> mask"},
      {"rope", "x*cos + rotate_half(x)*sin from an inv_freq table -> rope"},
      {"gqa", "Transpose/Unsqueeze/Expand/Reshape -> repeat_kv"},
      {"mlp", "down(gelu_tanh(gate x) * up x) -> gelu_mlp"},
      {"moe", "Softmax/TopK/GatherND routing and bmm experts -> moe_route, moe_experts"},
      {"ple", "per-layer embeddings -> ple_inputs, ple_layer"},
      {"attention", "MatMul/Softmax/Where/MatMul with a mask -> attention"},
  };
  return groups;
}

} // namespace gemma::onnxfe
