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
// dtype is a DType (0 f32, 1 bf16, 2 f16, 3 i32) or, for block-quantised
// matrices (gemmac --weights int8|int4, docs/weights.md), kPackInt8 /
// kPackInt4: dims are then the logical [..., in] and nbytes numel (int8) or
// numel / 2 (int4); the matrix's f16 block scales follow as the entry
// "NAME.scales" of dims [..., in / 32]. Matrices whose row count is a
// multiple of 16 hold their values and scales in tiles of 16 rows
// (kQuantTileRows, docs/weights.md).
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
constexpr uint32_t kPackVersion = 2; // 2: quantised matrices in tiles

/// How gemmac stores the large matrices (gemmac --weights).
enum class WeightFormat : uint32_t {
  Checkpoint = 0, // as in the checkpoint (bf16/f16/f32), widened in registers
  Int8 = 1,       // q = round(w / s), s = max|w| / 127 per 32 inputs (Q8_0)
  Int4 = 2,       // 4-bit, s = w_maxabs / -8 per 32 inputs, q in -8..7 (Q4_0)
};
llvm::StringRef weightFormatName(WeightFormat f); // "bf16", "int8", "int4"

/// Weights per block scale, along the input (last) dimension.
constexpr int64_t kQuantBlockSize = 32;
/// Rows per tile of a quantised matrix stored in tiles (docs/weights.md): a
/// matrix [..., rows, in] with rows a multiple of this is stored as 64-byte
/// vectors of 16 rows' consecutive 4 (int8) or 8 (int4) inputs, so that a
/// dot-product kernel's vector lanes are output rows. Others stay row-major.
constexpr int64_t kQuantTileRows = 16;
inline bool quantTiled(const std::vector<int64_t> &shape) {
  return shape.size() >= 2 && shape[shape.size() - 2] % kQuantTileRows == 0;
}
/// Pack header dtype codes of quantised values (beyond DType's).
constexpr uint32_t kPackInt8 = 16, kPackInt4 = 17;

struct PackEntry {
  std::string name;             // packed name, e.g. "layers.3.mlp.gate_up"
  DType dtype;                  // stored dtype (converted from the sources)
  std::vector<int64_t> shape;   // stored shape
  std::vector<const TensorInfo *> sources; // concatenated along dim 0, in order
  uint64_t offset = 0;          // from the start of the data section
  uint64_t nbytes = 0;
  /// Int8/Int4: the quantised values of the sources (shape is the logical
  /// [..., in]), or with `scales` their f16 block scales [..., in / 32].
  WeightFormat quant = WeightFormat::Checkpoint;
  bool scales = false;
};

struct QuantOffsets {
  uint64_t values, scales;
};

class PackPlan {
public:
  /// Adds an entry whose data is `sources` concatenated along dim 0 and
  /// converted to `dtype`; returns its offset (64-byte aligned). The caller
  /// has already checked the sources' shapes (Checkpoint::require).
  uint64_t add(llvm::StringRef name, DType dtype, std::vector<int64_t> shape,
               std::vector<const TensorInfo *> sources);
  /// Adds a block-quantised matrix (`shape` is the logical [..., in], in a
  /// multiple of kQuantBlockSize) as two entries: `name` (the i8 values or
  /// packed nibbles) and `name.scales` (f16); returns both offsets.
  QuantOffsets addQuantized(llvm::StringRef name, WeightFormat format,
                            std::vector<int64_t> shape,
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
