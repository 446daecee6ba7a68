//===- OnnxImport.cpp - ONNX graph -> gemma_onnx import IR ----------------===//
#include "frontend/onnx/OnnxImport.h"
#include "frontend/onnx/GemmaOnnxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace llvm;
namespace go = mlir::gemma_onnx;

namespace gemma::onnxfe {

static Error fail(const Twine &msg) { return createStringError(inconvertibleErrorCode(), msg.str()); }

static Type elementType(Builder &b, int32_t t) {
  switch (t) {
  case kFloat: return b.getF32Type();
  case kFloat16: return b.getF16Type();
  case kBFloat16: return b.getBF16Type();
  case kDouble: return b.getF64Type();
  case kInt64: return b.getI64Type();
  case kInt32: return b.getI32Type();
  case kInt8: return b.getIntegerType(8);
  case kUint8: return b.getIntegerType(8, /*isSigned=*/false);
  case kBool: return b.getI1Type();
  default: return {};
  }
}

static Type valueType(Builder &b, const OnnxValueInfo *info) {
  Type elem = info ? elementType(b, info->type) : Type();
  if (!elem)
    elem = b.getF32Type(); // no value_info: the patterns do not depend on it
  if (!info || !info->ranked)
    return UnrankedTensorType::get(elem);
  SmallVector<int64_t> dims;
  for (int64_t d : info->dims)
    dims.push_back(d < 0 ? ShapedType::kDynamic : d);
  return RankedTensorType::get(dims, elem);
}

static Attribute tensorValue(Builder &b, const OnnxTensor &t) {
  auto type = RankedTensorType::get(t.dims, elementType(b, t.type));
  if (t.type == kBool) {
    SmallVector<bool> bits;
    for (uint64_t i = 0; i < t.nbytes; ++i)
      bits.push_back(t.data[i] != 0);
    return DenseElementsAttr::get(type, bits);
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(reinterpret_cast<const char *>(t.data), t.nbytes));
}

Expected<OwningOpRef<ModuleOp>> importOnnxGraph(MLIRContext &ctx, const OnnxModel &model) {
  ctx.loadDialect<go::GemmaOnnxDialect, func::FuncDialect>();
  OpBuilder b(&ctx);
  Location fileLoc = FileLineColLoc::get(&ctx, model.path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  (*module)->setAttr("gemma_onnx.opset", b.getI64IntegerAttr(model.opset));
  (*module)->setAttr("gemma_onnx.source", b.getStringAttr(model.path));

  auto info = [&](StringRef name) -> const OnnxValueInfo * {
    auto it = model.valueInfo.find(name);
    return it == model.valueInfo.end() ? nullptr : &it->second;
  };
  SmallVector<Type> inTypes, outTypes;
  for (const OnnxValueInfo &v : model.inputs)
    inTypes.push_back(valueType(b, &v));
  for (const OnnxValueInfo &v : model.outputs)
    outTypes.push_back(valueType(b, &v));
  b.setInsertionPointToEnd(module->getBody());
  auto fn = b.create<func::FuncOp>(fileLoc, "main", b.getFunctionType(inTypes, outTypes));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);

  StringMap<Value> values;
  for (size_t i = 0; i < model.inputs.size(); ++i) {
    values[model.inputs[i].name] = entry->getArgument(i);
    fn.setArgAttr(i, "gemma_onnx.name", b.getStringAttr(model.inputs[i].name));
  }
  for (const OnnxTensor &t : model.initializers) {
    if (values.count(t.name))
      continue; // a graph input of the same name wins (ONNX: overridable default)
    Type elem = elementType(b, t.type);
    auto type = RankedTensorType::get(t.dims, elem);
    auto op = b.create<go::InitializerOp>(NameLoc::get(b.getStringAttr(t.name)), type,
                                          b.getStringAttr(t.name), ElementsAttr());
    if (t.numElements() <= kInlineElements)
      op.setValueAttr(cast<ElementsAttr>(tensorValue(b, t)));
    values[t.name] = op;
  }

  Value none;
  for (const OnnxNode &n : model.nodes) {
    if (!n.domain.empty())
      return fail(formatv("{0}: node '{1}' (op {2}, domain '{3}') is outside the default ONNX "
                          "domain, which gemmac does not support",
                          model.path, n.name, n.opType, n.domain));
    SmallVector<Value> operands;
    for (const std::string &in : n.inputs) {
      if (in.empty()) {
        if (!none)
          none = b.create<go::NoneOp>(fileLoc, b.getNoneType());
        operands.push_back(none);
        continue;
      }
      auto it = values.find(in);
      if (it == values.end())
        return fail(formatv("{0}: node '{1}' (op {2}) reads '{3}', which no earlier node, graph "
                            "input or initializer defines",
                            model.path, n.name, n.opType, in));
      operands.push_back(it->second);
    }
    SmallVector<Type> results;
    for (const std::string &out : n.outputs)
      results.push_back(valueType(b, out.empty() ? nullptr : info(out)));
    SmallVector<NamedAttribute> attrs;
    attrs.push_back(b.getNamedAttr("name", b.getStringAttr(n.name)));
    for (const auto &[key, a] : n.attrs) {
      Attribute v;
      switch (a.kind) {
      case OnnxAttr::Int: v = b.getI64IntegerAttr(a.i); break;
      case OnnxAttr::Float: v = b.getF32FloatAttr(float(a.f)); break;
      case OnnxAttr::String: v = b.getStringAttr(a.s); break;
      case OnnxAttr::Ints: v = b.getDenseI64ArrayAttr(a.ints); break;
      case OnnxAttr::Floats: {
        SmallVector<float> f(a.floats.begin(), a.floats.end());
        v = b.getDenseF32ArrayAttr(f);
        break;
      }
      case OnnxAttr::Strings: {
        SmallVector<StringRef> s(a.strings.begin(), a.strings.end());
        v = b.getStrArrayAttr(s);
        break;
      }
      case OnnxAttr::Tensor: v = tensorValue(b, model.attrTensors[a.tensor]); break;
      case OnnxAttr::Unsupported:
        return fail(formatv("{0}: node '{1}' (op {2}, opset {3}) has attribute '{4}' of a kind "
                            "gemmac does not read (graph or sparse tensor)",
                            model.path, n.name, n.opType, model.opset, key));
      }
      if (key == "name" || key == "op_type")
        return fail(formatv("{0}: node '{1}' (op {2}) has an attribute named '{3}'", model.path,
                            n.name, n.opType, key));
      attrs.push_back(b.getNamedAttr(key, v));
    }
    auto op = b.create<go::NodeOp>(NameLoc::get(b.getStringAttr(n.name)), results, operands,
                                   b.getStringAttr(n.opType));
    for (const NamedAttribute &a : attrs)
      op->setAttr(a.getName(), a.getValue());
    for (size_t i = 0; i < n.outputs.size(); ++i)
      if (!n.outputs[i].empty())
        values[n.outputs[i]] = op->getResult(i);
  }

  SmallVector<Value> outs;
  for (const OnnxValueInfo &v : model.outputs) {
    auto it = values.find(v.name);
    if (it == values.end())
      return fail(formatv("{0}: graph output '{1}' is produced by no node", model.path, v.name));
    outs.push_back(it->second);
  }
  b.create<func::ReturnOp>(fileLoc, outs);
  return std::move(module);
}

} // namespace gemma::onnxfe
