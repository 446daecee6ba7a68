//===- weights_pack.h - the deployable's weights.gpack, read or mapped ---===//
//
// Validates weights.gpack against this deployable before any generated code
// touches it (layout: frontend/WeightsPack.h; this file re-reads it without
// LLVM since the runtime must not link LLVM), then reads it into memory on
// huge pages (runtime/page_memory.h) or, with --mmap, leaves it mapped.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_WEIGHTS_PACK_H
#define GEMMA_RUNTIME_WEIGHTS_PACK_H

#include "runtime/status.h"

#include <cstdint>
#include <memory>
#include <string>

namespace gemma_rt {

class HugePageBuffer;

/// Where the weights live while the model runs.
enum class WeightsLoad {
  /// Read into anonymous memory on huge pages: decode streams the weights
  /// without a TLB miss every 4 KiB. Falls back to Map (with a note) when
  /// the pack does not fit in the available memory.
  Read,
  /// Mapped from the file (llama.cpp's default): starts at once and shares
  /// the page cache between processes, but runs on whatever pages the page
  /// cache holds the file in (often 4 KiB).
  Map,
};

class WeightsPack {
public:
  WeightsPack();
  WeightsPack(const WeightsPack &) = delete;
  WeightsPack &operator=(const WeightsPack &) = delete;
  ~WeightsPack();

  /// Maps `path` and checks magic, version, header entries, that the model
  /// hash is `expectedHash`, that the data section lies inside the file and
  /// holds `expectedDataSize` bytes; then loads it as `load` says.
  Status open(const std::string &path, uint64_t expectedHash,
              uint64_t expectedDataSize, WeightsLoad load = WeightsLoad::Read);

  const uint8_t *data() const { return base + dataOffset; }
  uint64_t dataSize() const { return dataBytes; }
  uint64_t fileSize() const { return size; }
  /// Total elements over all entries (the model's parameter count), or -1
  /// when the pack lists no entries.
  int64_t paramCount() const { return params; }
  const std::string &path() const { return filePath; }
  /// True when the weights were read into memory (not mapped).
  bool inMemory() const { return memory != nullptr; }
  /// Why a requested read fell back to the mapping ("" when it did not).
  const std::string &loadNote() const { return note; }

private:
  Status readIntoMemory(int fd);

  const uint8_t *base = nullptr;   // the pack's first byte, wherever it lives
  const uint8_t *mapped = nullptr; // the file mapping while there is one
  std::unique_ptr<HugePageBuffer> memory;
  std::string note;
  uint64_t size = 0, dataOffset = 0, dataBytes = 0;
  int64_t params = -1;
  std::string filePath;
};

/// Default weights path: weights.gpack in the directory of /proc/self/exe.
std::string defaultWeightsPath();

} // namespace gemma_rt

#endif
