//===- weights_pack.h - the deployable's weights.gpack, mapped -----------===//
//
// Maps weights.gpack read-only and validates it against this deployable
// before any generated code touches it (layout: frontend/WeightsPack.h;
// this file re-reads it without LLVM since the runtime must not link LLVM).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_WEIGHTS_PACK_H
#define GEMMA_RUNTIME_WEIGHTS_PACK_H

#include "runtime/status.h"

#include <cstdint>
#include <string>

namespace gemma_rt {

class WeightsPack {
public:
  WeightsPack() = default;
  WeightsPack(const WeightsPack &) = delete;
  WeightsPack &operator=(const WeightsPack &) = delete;
  ~WeightsPack();

  /// Maps `path` and checks magic, version, header entries, that the model
  /// hash is `expectedHash`, that the data section lies inside the file and
  /// holds `expectedDataSize` bytes.
  Status open(const std::string &path, uint64_t expectedHash,
              uint64_t expectedDataSize);

  const uint8_t *data() const { return base + dataOffset; }
  uint64_t dataSize() const { return dataBytes; }
  uint64_t fileSize() const { return size; }
  /// Total elements over all entries (the model's parameter count), or -1
  /// when the pack lists no entries.
  int64_t paramCount() const { return params; }
  const std::string &path() const { return filePath; }

private:
  const uint8_t *base = nullptr;
  uint64_t size = 0, dataOffset = 0, dataBytes = 0;
  int64_t params = -1;
  std::string filePath;
};

/// Default weights path: weights.gpack in the directory of /proc/self/exe.
std::string defaultWeightsPath();

} // namespace gemma_rt

#endif
