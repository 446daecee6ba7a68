//===- BindWeights.cpp - ONNX initializers as a Checkpoint ----------------===//
//
// The second half of the ONNX frontend's assembly (Assemble.h): each
// initializer the walk bound to a canonical tensor name becomes a tensor of
// a Checkpoint (transposed where the export stored W^T for MatMul; FLOAT
// values that are all exact bf16 packed as bf16), checked against the shape
// the config implies, so importModel() reads it like safetensors.
//
//===----------------------------------------------------------------------===//
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

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::formatv;

namespace gemma::onnxfe {

static DType dtypeOf(int32_t onnxType) {
  switch (onnxType) {
  case kFloat16: return DType::F16;
  case kBFloat16: return DType::BF16;
  default: return DType::F32;
  }
}

static std::string shapeStr(llvm::ArrayRef<int64_t> d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

Expected<std::unique_ptr<Checkpoint>> bindWeights(const AssembledModel &assembled,
                                                  std::shared_ptr<const OnnxModel> model) {
  auto fail = [&](const llvm::Twine &msg) -> Error {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), model->path + ": " + msg.str());
  };
  std::map<std::string, std::vector<int64_t>> want;
  for (const ExpectedTensor &t : expectedTensors(assembled.cfg))
    want[t.name] = t.shape;
  // Transposed copies live as long as the checkpoint (with the model).
  struct Owner {
    std::shared_ptr<const OnnxModel> model;
    std::vector<std::unique_ptr<std::vector<uint8_t>>> copies;
  };
  auto owner = std::make_shared<Owner>();
  owner->model = model;
  std::vector<TensorInfo> tensors;
  std::set<std::string> seen;
  for (const WeightBinding &w : assembled.weights) {
    const OnnxTensor *t = model->initializer(w.initializer);
    if (!t)
      return fail("no initializer '" + w.initializer + "'");
    if (t->type != kFloat && t->type != kFloat16 && t->type != kBFloat16)
      return fail(formatv("initializer '{0}' ({1}), read by {2}, has type {3}; gemmac needs "
                          "FLOAT, FLOAT16 or BFLOAT16 weights",
                          w.initializer, w.name, w.user, onnxTypeName(t->type)));
    TensorInfo info;
    info.name = w.name;
    info.dtype = dtypeOf(t->type);
    info.file = t->file;
    info.shape = t->dims;
    info.data = t->data;
    info.nbytes = t->nbytes;
    // torch.onnx upcasts a bf16 model's weights to FLOAT. When every value
    // is exactly a bf16 (low 16 bits zero) the tensor is packed as bf16:
    // lossless, half the bytes, and the same pack as the safetensors path.
    if (t->type == kFloat && t->nbytes >= 4) {
      bool bf16 = true;
      for (uint64_t i = 0; i < t->nbytes && bf16; i += 4)
        bf16 = t->data[i] == 0 && t->data[i + 1] == 0;
      if (bf16) {
        auto copy = std::make_unique<std::vector<uint8_t>>(t->nbytes / 2);
        for (uint64_t i = 0; i < t->nbytes / 4; ++i) {
          (*copy)[2 * i] = t->data[4 * i + 2];
          (*copy)[2 * i + 1] = t->data[4 * i + 3];
        }
        info.dtype = DType::BF16;
        info.data = copy->data();
        info.nbytes = copy->size();
        owner->copies.push_back(std::move(copy));
      }
    }
    if (w.transpose) {
      if (t->dims.size() != 2)
        return fail(formatv("initializer '{0}' read by {1} as a matrix has shape {2}",
                            w.initializer, w.user, shapeStr(t->dims)));
      // Stored [in, out] (MatMul); the checkpoint layout is [out, in].
      int64_t rows = t->dims[0], cols = t->dims[1];
      size_t es = dtypeSize(info.dtype);
      const uint8_t *src = info.data;
      auto copy = std::make_unique<std::vector<uint8_t>>(info.nbytes);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          std::memcpy(copy->data() + (c * rows + r) * es, src + (r * cols + c) * es, es);
      info.shape = {cols, rows};
      info.data = copy->data();
      owner->copies.push_back(std::move(copy));
    }
    auto it = want.find(w.name);
    if (it != want.end() && it->second != info.shape)
      return fail(formatv("initializer '{0}' has shape {1}{2} but {3} uses it as {4}, which "
                          "needs {5}",
                          w.initializer, shapeStr(t->dims),
                          w.transpose ? " (used transposed)" : "", w.user, w.name,
                          shapeStr(it->second)));
    if (!seen.insert(w.name).second)
      return fail("tensor '" + w.name + "' is bound twice");
    tensors.push_back(std::move(info));
  }
  return Checkpoint::fromTensors(model->path, std::move(tensors), owner);
}

} // namespace gemma::onnxfe
