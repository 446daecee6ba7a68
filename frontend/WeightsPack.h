//===- WeightsPack.h - the deployable's packed weights file --------------===//
//
// gemmac decides how each tensor is laid out for its kernels (dtype,
// concatenations such as gate|up), records that as a PackPlan while it builds
// the IR (each gemma.weight op carries its entry's byte offset), then writes
// the plan to `weights.gpack`. Layout of the file (little endian):
//
//   char     magic[8]  = "GEMMAPK1"
//   uint32   version   = 1
//   uint32   entryCount
//   uint64   modelHash        must equal the hash compiled into gemma-run
//   uint64   dataOffset       start of tensor data (64-byte aligned)
//   uint64   dataSize
//   entries: uint32 nameLen, name bytes, uint32 dtype, uint32 rank,
//            int64 dims[rank], uint64 offset (from dataOffset), uint64 nbytes
//   zero padding up to dataOffset, then the data; every tensor 64-byte aligned.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_WEIGHTSPACK_H
#define GEMMA_FRONTEND_WEIGHTSPACK_H

#include "frontend/Checkpoint.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gemma {

constexpr char kPackMagic[8] = {'G', 'E', 'M', 'M', 'A', 'P', 'K', '1'};
constexpr uint32_t kPackVersion = 1;

struct PackEntry {
  std::string name;             // packed name, e.g. "layers.3.mlp.gate_up"
  DType dtype;                  // stored dtype (converted from the sources)
  std::vector<int64_t> shape;   // stored shape
  std::vector<const TensorInfo *> sources; // concatenated along dim 0, in order
  uint64_t offset = 0;          // from the start of the data section
  uint64_t nbytes = 0;
};

class PackPlan {
public:
  /// Adds an entry whose data is `sources` concatenated along dim 0 and
  /// converted to `dtype`; returns its offset (64-byte aligned). The caller
  /// has already checked the sources' shapes (Checkpoint::require).
  uint64_t add(llvm::StringRef name, DType dtype, std::vector<int64_t> shape,
               std::vector<const TensorInfo *> sources);
  const std::vector<PackEntry> &entries() const { return list; }
  uint64_t dataSize() const { return size; }

  /// FNV-1a 64 over `salt` (the compiled geometry and options), every
  /// entry's name/dtype/shape/offset and a fingerprint of each source's
  /// first and last 64 bytes: a pack from another model or another compile
  /// does not match.
  uint64_t hash(llvm::StringRef salt) const;

private:
  std::vector<PackEntry> list;
  uint64_t size = 0;
};

/// Writes the pack to `path` through a temporary file renamed into place
/// (a failed write leaves no partial file). `progress(bytesDone, bytesTotal)`
/// is called now and then.
llvm::Error writePack(const PackPlan &plan, uint64_t modelHash,
                      llvm::StringRef path,
                      const std::function<void(uint64_t, uint64_t)> &progress);

} // namespace gemma

#endif
