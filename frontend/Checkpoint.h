//===- Checkpoint.h - Hugging Face safetensors checkpoint reader ---------===//
//
// Opens a model folder: single `model.safetensors`, or sharded
// `model-0000x-of-0000y.safetensors` + `model.safetensors.index.json`.
// Files are mmapped with llvm::MemoryBuffer; nothing is copied. Every header
// is validated when the folder is opened (header length within the file,
// JSON well formed, dtype known, data_offsets inside the file and equal to
// prod(shape) * element size), so later lookups cannot read out of bounds.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_CHECKPOINT_H
#define GEMMA_FRONTEND_CHECKPOINT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gemma {

enum class DType : uint32_t { F32 = 0, BF16 = 1, F16 = 2, I32 = 3 };
size_t dtypeSize(DType t);
llvm::StringRef dtypeName(DType t); // "f32", "bf16", "f16", "i32"

struct TensorInfo {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const uint8_t *data = nullptr; // points into the mmapped file
  uint64_t nbytes = 0;
  std::string file; // the .safetensors file holding it (for errors)
  int64_t numElements() const;
};

class Checkpoint {
public:
  /// Opens `dir`. Errors name the file (missing, truncated, malformed header,
  /// unsupported dtype such as I64 or F8_E4M3, index naming a missing shard).
  static llvm::Expected<std::unique_ptr<Checkpoint>> open(llvm::StringRef dir);

  /// A checkpoint over tensors from another source (the ONNX frontend binds
  /// initializers to canonical Hugging Face names). The tensors point into
  /// memory owned by `keepAlive`; `origin` names the source in errors.
  static std::unique_ptr<Checkpoint> fromTensors(llvm::StringRef origin,
                                                 std::vector<TensorInfo> tensors,
                                                 std::shared_ptr<void> keepAlive);

  /// nullptr if absent.
  const TensorInfo *find(llvm::StringRef name) const;

  /// The tensor, or an error "missing tensor 'NAME' in DIR" /
  /// "tensor 'NAME' in FILE has shape [a, b] but config.json implies [c, d]".
  llvm::Expected<const TensorInfo *> require(llvm::StringRef name,
                                             llvm::ArrayRef<int64_t> shape) const;

  /// Tensor names, sorted.
  std::vector<std::string> names() const;
  llvm::StringRef directory() const { return dir; }

private:
  std::string dir;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> files;
  llvm::StringMap<TensorInfo> tensors;
  std::shared_ptr<void> keepAlive; // fromTensors: the source's memory
};

} // namespace gemma

#endif
