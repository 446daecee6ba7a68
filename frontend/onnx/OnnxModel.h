//===- OnnxModel.h - an ONNX model file, read with Debian's libonnx -------===//
//
// Parses model.onnx with the protobuf classes of libonnx_proto (onnx-ml.pb.h)
// and exposes the graph as plain structs, so that no other file of the
// frontend includes protobuf headers. Initializer data is never copied when
// it can be avoided: raw_data is taken over from the parsed message, external
// data files (ONNX "external_data": location/offset/length, relative to the
// model's folder) are memory-mapped. Everything is validated on load (opset,
// dtypes, data sizes, external files inside the model folder), so later
// stages can index initializer data without further checks.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_ONNXMODEL_H
#define GEMMA_FRONTEND_ONNX_ONNXMODEL_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gemma::onnxfe {

/// ONNX TensorProto::DataType values gemmac understands.
enum OnnxType : int32_t {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kBool = 9,
  kFloat16 = 10, kDouble = 11, kBFloat16 = 16
};
/// Bytes per element, 0 for a type gemmac does not read.
size_t onnxTypeSize(int32_t type);
llvm::StringRef onnxTypeName(int32_t type);

/// The ai.onnx opsets whose operator semantics the raising patterns assume
/// (ReduceMean/ReduceSum with axes as an input, Split num_outputs, Gelu).
constexpr int64_t kMinOpset = 18;
constexpr int64_t kMaxOpset = 23;

struct OnnxTensor {
  std::string name;
  int32_t type = 0;
  std::vector<int64_t> dims;
  const uint8_t *data = nullptr; // little endian, dense, row major
  uint64_t nbytes = 0;
  std::string file; // where the bytes are (model.onnx or an external file)
  int64_t numElements() const;
};

struct OnnxAttr {
  enum Kind { Int, Float, String, Ints, Floats, Strings, Tensor, Unsupported } kind = Unsupported;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  int tensor = -1; // index into OnnxModel::attrTensors
};

struct OnnxNode {
  std::string name, opType, domain;
  std::vector<std::string> inputs, outputs; // "" = optional input left out
  std::vector<std::pair<std::string, OnnxAttr>> attrs;
};

struct OnnxValueInfo {
  std::string name;
  int32_t type = 0;     // element type, 0 if unknown
  bool ranked = false;  // shape known
  std::vector<int64_t> dims; // -1: dynamic (dim_param or missing)
};

class OnnxModel {
public:
  /// Reads and validates `path`. Errors name the file and, where one is to
  /// blame, the node or initializer.
  static llvm::Expected<std::unique_ptr<OnnxModel>> load(llvm::StringRef path);
  ~OnnxModel();

  std::string path;      // the .onnx file
  std::string directory; // its folder (external data and side files)
  int64_t opset = 0;     // the ai.onnx version imported
  std::string producer;
  std::vector<OnnxNode> nodes;            // in the file's (topological) order
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxTensor> attrTensors;    // tensor-valued attributes (Constant.value)
  std::vector<OnnxValueInfo> inputs, outputs;
  llvm::StringMap<OnnxValueInfo> valueInfo; // value_info + inputs + outputs
  std::map<std::string, std::string> metadata;

  const OnnxTensor *initializer(llvm::StringRef name) const;

private:
  OnnxModel() = default;
  llvm::StringMap<size_t> initIndex;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> files; // model + external data
  // Raw bytes taken over from the message or converted from typed fields
  // (unique_ptr: a short string's bytes would move with it).
  std::vector<std::unique_ptr<std::string>> owned;
  friend struct OnnxLoader;
};

} // namespace gemma::onnxfe

#endif
