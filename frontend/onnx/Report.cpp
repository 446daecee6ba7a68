//===- Report.cpp - what became of each ONNX node -------------------------===//
#include "frontend/onnx/Report.h"
#include "frontend/onnx/GemmaOnnxDialect.h"

#include "llvm/Support/FormatVariadic.h"

#include <set>

using namespace mlir;

namespace gemma::onnxfe {

static void names(Location loc, std::vector<std::string> &out) {
  if (auto n = dyn_cast<NameLoc>(loc))
    out.push_back(n.getName().str());
  else if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      names(l, out);
}

std::string raisingReport(const OnnxModel &model, ModuleOp raised,
                          const std::map<std::string, std::string> &generic) {
  // Node -> the raised op whose location lists it (first in program order),
  // and the nodes still present.
  std::map<std::string, std::string> raisedInto;
  std::set<std::string> alive;
  raised.walk([&](Operation *op) {
    if (auto n = dyn_cast<gemma_onnx::NodeOp>(op)) {
      if (auto a = n->getAttrOfType<StringAttr>("name"))
        alive.insert(a.str());
      return;
    }
    if (op->getDialect() == nullptr || !isa<gemma_onnx::GemmaOnnxDialect>(op->getDialect()) ||
        isa<gemma_onnx::InitializerOp, gemma_onnx::NoneOp>(op))
      return;
    std::vector<std::string> absorbed;
    names(op->getLoc(), absorbed);
    std::string kind = op->getName().stripDialect().str();
    for (const std::string &name : absorbed)
      raisedInto.emplace(name, kind);
  });

  struct Row {
    int total = 0;
    std::map<std::string, int> raised, lowered;
    int left = 0, folded = 0;
  };
  std::map<std::string, Row> rows;
  Row all;
  for (const OnnxNode &n : model.nodes) {
    Row &r = rows[n.opType];
    ++r.total;
    ++all.total;
    auto g = generic.find(n.name);
    if (g != generic.end()) {
      ++r.lowered[g->second];
      ++all.lowered[g->second];
    } else if (alive.count(n.name)) {
      ++r.left;
      ++all.left;
    } else if (auto it = raisedInto.find(n.name); it != raisedInto.end()) {
      ++r.raised[it->second];
      ++all.raised[it->second];
    } else {
      ++r.folded;
      ++all.folded;
    }
  }
  auto list = [](const std::map<std::string, int> &m) {
    std::string s;
    for (const auto &[k, v] : m)
      s += (s.empty() ? "" : ", ") + k + " " + std::to_string(v);
    return s.empty() ? std::string("-") : s;
  };
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "ONNX raising report for " << model.path << " (opset " << model.opset << ", "
     << model.nodes.size() << " nodes)\n";
  os << llvm::formatv("{0,-14} {1,6}  {2}\n", "op type", "nodes", "raised into | generic | unraised | dead");
  for (const auto &[type, r] : rows)
    os << llvm::formatv("{0,-14} {1,6}  raised: {2} | generic: {3} | unraised: {4} | dead: {5}\n",
                        type, r.total, list(r.raised), list(r.lowered), r.left, r.folded);
  os << llvm::formatv("{0,-14} {1,6}  raised: {2} | generic: {3} | unraised: {4} | dead: {5}\n",
                      "total", all.total, list(all.raised), list(all.lowered), all.left,
                      all.folded);
  return out;
}

} // namespace gemma::onnxfe
