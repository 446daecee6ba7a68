//===- BufferAccess.cpp ---------------------------------------------------===//
#include "passes/BufferAccess.h"
#include "dialects/GemmaOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::gemma;

std::string mlir::gemma::bufferRoot(Value memref) {
  while (auto sub = memref.getDefiningOp<memref::SubViewOp>())
    memref = sub.getSource();
  if (auto op = memref.getDefiningOp<ScratchOp>())
    return "scratch:" + op.getName().str();
  if (auto op = memref.getDefiningOp<KvCacheOp>())
    return "kv:" + op.getName().str();
  if (auto op = memref.getDefiningOp<WeightOp>())
    return "weight:" + op.getName().str();
  return "value:" + std::to_string(reinterpret_cast<uintptr_t>(memref.getAsOpaquePointer()));
}

SmallVector<Value> mlir::gemma::writtenBuffers(Operation *op) {
  return llvm::TypeSwitch<Operation *, SmallVector<Value>>(op)
      .Case<EmbedOp, RmsNormOp, LinearOp, RopeOp, GeluGluOp, GeluOp, AddOp, MulOp, ScaleOp,
            SoftcapOp, AttentionOp, SoftmaxOp, ExpertLinearOp, MoeCombineOp>(
          [](auto o) { return SmallVector<Value>{o.getOut()}; })
      .Case<KvWriteOp>([](KvWriteOp o) { return SmallVector<Value>{o.getKCache(), o.getVCache()}; })
      .Case<QkNormRopeOp>([](QkNormRopeOp o) {
        SmallVector<Value> w = {o.getQ()};
        if (o.getKCache())
          w.append({o.getKCache(), o.getVCache()});
        return w;
      })
      .Case<MoeRouteOp>([](MoeRouteOp o) { return SmallVector<Value>{o.getIndices(), o.getWeights()}; })
      .Case<TopKOp>([](TopKOp o) { return SmallVector<Value>{o.getValues(), o.getIndices()}; })
      .Case<MoeWeightsOp>([](MoeWeightsOp o) { return SmallVector<Value>{o.getWeights()}; })
      .Default([](Operation *other) {
        // Unknown ops: assume every memref operand may be written.
        SmallVector<Value> w;
        for (Value v : other->getOperands())
          if (isa<MemRefType>(v.getType()))
            w.push_back(v);
        return w;
      });
}

SmallVector<Value> mlir::gemma::readBuffers(Operation *op) {
  SmallVector<Value> written = writtenBuffers(op), r;
  bool inPlaceQ = isa<QkNormRopeOp>(op); // q is normalised in place
  for (OpOperand &use : op->getOpOperands()) {
    Value v = use.get();
    if (!isa<MemRefType>(v.getType()))
      continue;
    bool isDest = llvm::is_contained(written, v) &&
                  !(inPlaceQ && use.getOperandNumber() == 0);
    // A destination that also appears as a source operand is read too.
    unsigned count = 0;
    for (Value o : op->getOperands())
      count += o == v;
    if (!isDest || count > 1)
      r.push_back(v);
  }
  return r;
}

bool mlir::gemma::writes(Operation *op, const std::string &root) {
  for (Value v : writtenBuffers(op))
    if (bufferRoot(v) == root)
      return true;
  return false;
}

bool mlir::gemma::reads(Operation *op, const std::string &root) {
  for (Value v : readBuffers(op))
    if (bufferRoot(v) == root)
      return true;
  return false;
}

bool mlir::gemma::touches(Operation *op, const std::string &root) {
  return writes(op, root) || reads(op, root);
}

Operation *mlir::gemma::lastWriterBefore(Operation *at, Value buffer) {
  std::string root = bufferRoot(buffer);
  for (Operation *op = at->getPrevNode(); op; op = op->getPrevNode()) {
    if (op->getNumRegions() != 0)
      return nullptr;
    if (writes(op, root))
      return op;
  }
  return nullptr;
}

bool mlir::gemma::untouchedBetween(Operation *from, Operation *to, const std::string &root,
                                   const llvm::SmallPtrSetImpl<Operation *> &ignore) {
  for (Operation *op = from->getNextNode(); op && op != to; op = op->getNextNode()) {
    if (ignore.contains(op))
      continue;
    if (op->getNumRegions() != 0 || touches(op, root))
      return false;
  }
  return true;
}

bool mlir::gemma::deadAfter(Operation *op, const std::string &root) {
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    if (next->getNumRegions() != 0)
      return false;
    if (reads(next, root))
      return false;
    if (writes(next, root))
      return true;
  }
  return root.rfind("scratch:", 0) == 0;
}
