//===- Assembler.h - the walk behind assembleGemma -------------*- C++ -*-===//
//
// Private to frontend/onnx/Assemble*.cpp. The decoder is read backwards
// (logits -> final norm -> layer L-1 -> ... -> embedding) because every
// layer has a single output, the residual stream, while its input fans out
// to many readers. Each step names what it expected and what it found, so an
// unsupported graph fails at the first node that does not fit.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_ASSEMBLER_H
#define GEMMA_FRONTEND_ONNX_ASSEMBLER_H

#include "frontend/onnx/Assemble.h"
#include "frontend/onnx/Match.h"

#include "frontend/TensorManifest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <set>

namespace gemma::onnxfe::detail {

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::formatv;

/// The first ONNX node name recorded in a (fused) location.
inline std::string firstName(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations()) {
      std::string s = firstName(l);
      if (!s.empty())
        return s;
    }
  return "";
}

struct Bound {
  std::string suffix; // below "model." or "model.layers.N."
  Value weight;
  bool transpose;
  Operation *user;
};

struct LayerRec {
  LayerGeometry g;
  std::vector<Bound> weights;
  Value k, v;           // attention's K and V operands (identity = KV sharing)
  go::RmsNormOp input;  // input_layernorm: K/V of an owning layer read it
  int64_t pleLayer = -1;
  Operation *pleInputs = nullptr;
  go::MoeRouteOp route;
};

class Assembler {
public:
  Assembler(const OnnxModel &model, int64_t opset) : model(model), opset(opset) {}
  Error run(ModuleOp module);
  AssembledModel out;

private:
  // --- diagnostics -----------------------------------------------------
  std::string describe(Operation *op) {
    if (auto n = dyn_cast<go::NodeOp>(op))
      return formatv("node '{0}' (op {1}, opset {2})", strAttr(n, "name"), n.getOpType(), opset);
    return formatv("{0} (raised from node '{1}')", op->getName().getStringRef(),
                   firstName(op->getLoc()));
  }
  Error fail(const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), model.path + ": " + msg.str());
  }
  /// "expected WHAT, found <node>": the generic unsupported-graph error.
  Error unexpected(Value v, llvm::StringRef what) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return fail(formatv("expected {0}, found the graph input", what));
    if (auto n = dyn_cast<go::NodeOp>(def))
      return fail(formatv("{0} was not raised to a gemma op and has no generic lowering here "
                          "(expected {1})",
                          describe(def), what));
    return fail(formatv("expected {0}, found {1}", what, describe(def)));
  }

  // --- generic lowerings ------------------------------------------------
  void generic(Operation *op, llvm::StringRef kind) {
    if (auto n = dyn_cast<go::NodeOp>(op))
      out.generic.emplace(strAttr(n, "name").str(), kind.str());
  }
  /// Layout-only nodes are views of the same arena rows; so is the shape
  /// arithmetic that feeds their shape operand.
  Value view(Value v) {
    while (auto n = v.getDefiningOp<go::NodeOp>()) {
      StringRef t = n.getOpType();
      if (t != "Reshape" && t != "Squeeze" && t != "Unsqueeze" && t != "Identity" &&
          t != "Flatten")
        break;
      generic(n, "view");
      for (Value s : n.getInputs().drop_front())
        shapeArithmetic(s);
      v = n.getInputs()[0];
    }
    return v;
  }
  void shapeArithmetic(Value v) {
    auto n = v.getDefiningOp<go::NodeOp>();
    if (!n || out.generic.count(strAttr(n, "name").str()))
      return;
    generic(n, "view");
    for (Value in : n.getInputs())
      shapeArithmetic(in);
  }
  template <typename T> Expected<T> expect(Value v, llvm::StringRef what) {
    v = view(v);
    if (auto op = v.getDefiningOp<T>())
      return op;
    return unexpected(v, what);
  }
  Expected<go::RmsNormOp> norm(Value v, bool weighted, llvm::StringRef what) {
    auto n = expect<go::RmsNormOp>(v, what);
    if (!n)
      return n.takeError();
    if (bool(n->getWeight()) != weighted)
      return fail(formatv("{0}: expected {1} {2} weight", describe(*n), what,
                          weighted ? "with a" : "without"));
    eps.insert(n->getEps().convertToDouble());
    return *n;
  }

  // --- weights ------------------------------------------------------------
  std::vector<int64_t> dims(Value w) {
    auto t = cast<RankedTensorType>(w.getType());
    return std::vector<int64_t>(t.getShape().begin(), t.getShape().end());
  }
  /// Output features of a projection weight.
  int64_t outDim(Value w, bool inOut) {
    std::vector<int64_t> d = dims(w);
    return d.size() == 2 ? d[inOut ? 1 : 0] : -1;
  }
  Error bindTo(std::vector<Bound> &list, std::string suffix, Value w, bool transpose,
               Operation *user) {
    if (!initOf(w))
      return unexpected(w, "an initializer holding '" + suffix + "'");
    list.push_back({std::move(suffix), w, transpose, user});
    return Error::success();
  }

  Expected<Value> layer(Value out, LayerRec &r);
  Error attention(go::AttentionOp attn, LayerRec &r);
  Error keysValues(LayerRec &r);
  Error ffn(Value f, Value hmid, LayerRec &r);

  enum class Branch { None, Ple, Ffn, Attention };
  Branch classify(Value v);

  const OnnxModel &model;
  int64_t opset;
  std::set<double> eps;
  std::set<int64_t> windows, topKs, experts_, moeWidths;
  std::vector<int64_t> headsTimesDim; // q_proj widths, last layer first
  std::vector<Bound> globals;
  std::vector<double> moeInputScales;
};

} // namespace gemma::onnxfe::detail

#endif
