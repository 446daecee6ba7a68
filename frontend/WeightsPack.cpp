//===- WeightsPack.cpp - write weights.gpack -------------------------------===//
//
// Implements WeightsPack.h: the pack plan (64-byte aligned entries), the
// model hash (FNV-1a 64) and the writer (concatenation along dim 0, tmp file
// + rename, progress about every 64 MiB); the bytes of each entry come from
// PackEncoding.h (dtype conversion, block quantisation).
//
//===----------------------------------------------------------------------===//

#include "frontend/WeightsPack.h"
#include "frontend/PackEncoding.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace llvm;

namespace gemma {

namespace {

constexpr uint64_t kAlign = 64;
constexpr uint64_t kProgressStep = 64ull << 20;

Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str().c_str());
}

int64_t numel(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// --- hashing --------------------------------------------------------------

struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void bytes(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    for (size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 0x100000001b3ull;
    }
  }
  void u64(uint64_t v) {
    uint8_t b[8];
    support::endian::write64le(b, v);
    bytes(b, 8);
  }
  void str(StringRef s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
};

} // namespace

StringRef weightFormatName(WeightFormat f) {
  switch (f) {
  case WeightFormat::Checkpoint: return "bf16";
  case WeightFormat::Int8: return "int8";
  case WeightFormat::Int4: return "int4";
  }
  return "?";
}

QuantOffsets PackPlan::addQuantized(StringRef name, WeightFormat format,
                                    std::vector<int64_t> shape,
                                    std::vector<const TensorInfo *> sources) {
  int64_t n = numel(shape);
  std::vector<int64_t> scaleShape = shape;
  scaleShape.back() /= kQuantBlockSize;
  QuantOffsets o;
  o.values = add(name, DType::F32, std::move(shape), sources);
  list.back().quant = format;
  list.back().nbytes = format == WeightFormat::Int8 ? n : n / 2;
  size = list.back().offset + list.back().nbytes;
  o.scales = add((name + ".scales").str(), DType::F16, std::move(scaleShape), std::move(sources));
  list.back().quant = format;
  list.back().scales = true;
  return o;
}

uint64_t PackPlan::add(StringRef name, DType dtype, std::vector<int64_t> shape,
                       std::vector<const TensorInfo *> sources) {
  PackEntry e;
  e.name = name.str();
  e.dtype = dtype;
  e.nbytes = (uint64_t)numel(shape) * dtypeSize(dtype);
  e.shape = std::move(shape);
  e.sources = std::move(sources);
  e.offset = alignTo(size, kAlign);
  size = e.offset + e.nbytes;
  list.push_back(std::move(e));
  return list.back().offset;
}

// Hash input, in order (integers as 8-byte little endian, strings as their
// length then their bytes): salt; entry count; per entry: name, dtype, rank,
// dims, offset, nbytes, for a quantised entry 0x5100 (0x5200 if tiled) +
// 2 * format + (1 if scales), source count, and per source: its nbytes, its first
// min(64, nbytes) bytes and its last min(64, nbytes) bytes.
uint64_t PackPlan::hash(StringRef salt) const {
  Fnv f;
  f.str(salt);
  f.u64(list.size());
  for (const PackEntry &e : list) {
    f.str(e.name);
    f.u64((uint64_t)e.dtype);
    f.u64(e.shape.size());
    for (int64_t d : e.shape)
      f.u64((uint64_t)d);
    f.u64(e.offset);
    f.u64(e.nbytes);
    if (e.quant != WeightFormat::Checkpoint) // (bf16 packs hash as before)
      f.u64((quantTiled(e.shape) ? 0x5200 : 0x5100) + (uint64_t)e.quant * 2 + e.scales);
    f.u64(e.sources.size());
    for (const TensorInfo *s : e.sources) {
      if (!s) {
        f.u64(~0ull);
        continue;
      }
      uint64_t n = std::min<uint64_t>(64, s->nbytes);
      f.u64(s->nbytes);
      f.bytes(s->data, n);
      f.bytes(s->data + s->nbytes - n, n);
    }
  }
  return f.h;
}

Error writePack(const PackPlan &plan, uint64_t modelHash, StringRef path,
                const std::function<void(uint64_t, uint64_t)> &progress) {
  // Validate the plan first so that nothing is written for a bad one.
  for (const PackEntry &e : plan.entries()) {
    if (e.offset % kAlign)
      return fail(formatv("pack entry '{0}' has unaligned offset {1}", e.name,
                          e.offset));
    int64_t want = numel(e.shape);
    int64_t have = 0;
    for (const TensorInfo *s : e.sources) {
      if (!s)
        return fail("pack entry '" + e.name + "' has a null source");
      if ((s->dtype == DType::I32) != (e.dtype == DType::I32))
        return fail(formatv("pack entry '{0}': cannot convert tensor '{1}' "
                            "from {2} to {3}",
                            e.name, s->name, dtypeName(s->dtype),
                            dtypeName(e.dtype)));
      have += s->numElements();
    }
    uint64_t bytes = (uint64_t)want * dtypeSize(e.dtype);
    if (e.quant != WeightFormat::Checkpoint) {
      // Values: the logical shape, one byte (int8) or half a byte (int4) per
      // weight; scales: [..., in / 32] f16 of the same sources.
      for (const TensorInfo *src : e.sources)
        if (src->dtype == DType::I32 || src->shape.empty() ||
            src->shape.back() % kQuantBlockSize)
          return fail(formatv("pack entry '{0}': cannot quantise tensor '{1}'", e.name,
                              src->name));
      if (e.scales) {
        want *= kQuantBlockSize;
        bytes = (uint64_t)want / kQuantBlockSize * 2;
      } else {
        bytes = e.quant == WeightFormat::Int8 ? want : want / 2;
      }
    }
    if (have != want || e.nbytes != bytes)
      return fail(formatv("pack entry '{0}': sources hold {1} elements but its "
                          "shape needs {2}",
                          e.name, have, want));
  }

  // Header.
  std::string hdr;
  raw_string_ostream hs(hdr);
  using namespace support;
  auto w32 = [&](uint32_t v) { support::endian::write<uint32_t>(hs, v, llvm::endianness::little); };
  auto w64 = [&](uint64_t v) { support::endian::write<uint64_t>(hs, v, llvm::endianness::little); };
  hs.write(kPackMagic, 8);
  w32(kPackVersion);
  w32((uint32_t)plan.entries().size());
  w64(modelHash);
  size_t dataOffsetPos = hdr.size();
  w64(0); // dataOffset, patched below
  w64(plan.dataSize());
  for (const PackEntry &e : plan.entries()) {
    w32((uint32_t)e.name.size());
    hs << e.name;
    uint32_t code = (uint32_t)e.dtype;
    if (e.quant != WeightFormat::Checkpoint && !e.scales)
      code = e.quant == WeightFormat::Int8 ? kPackInt8 : kPackInt4;
    w32(code);
    w32((uint32_t)e.shape.size());
    for (int64_t d : e.shape)
      w64((uint64_t)d);
    w64(e.offset);
    w64(e.nbytes);
  }
  hs.flush();
  uint64_t dataOffset = alignTo(hdr.size(), kAlign);
  endian::write64le(&hdr[dataOffsetPos], dataOffset);
  hdr.resize(dataOffset, '\0');

  std::string tmp = (path + ".tmp").str();
  std::error_code ec;
  raw_fd_ostream os(tmp, ec, sys::fs::OF_None);
  if (ec)
    return fail("cannot create " + tmp + ": " + ec.message());

  auto abort = [&](const Twine &why) -> Error {
    os.clear_error();
    os.close();
    os.clear_error();
    sys::fs::remove(tmp);
    return fail("cannot write " + path + ": " + why);
  };

  const uint64_t total = plan.dataSize();
  uint64_t done = 0, nextReport = kProgressStep;
  if (progress)
    progress(0, total);
  os << hdr;

  std::vector<uint8_t> buf(1 << 20);
  static const char zeros[kAlign] = {};
  auto emit = [&](const void *p, uint64_t n) {
    os.write(static_cast<const char *>(p), n);
    done += n;
    if (progress && done >= nextReport) {
      progress(done, total);
      nextReport = (done / kProgressStep + 1) * kProgressStep;
    }
  };
  // A quantised matrix's scales are computed with its values and written
  // from here when its ".scales" entry comes (right after it).
  std::vector<uint16_t> pendingScales;
  const PackEntry *pendingFor = nullptr;
  for (const PackEntry &e : plan.entries()) {
    if (e.offset > done)
      emit(zeros, e.offset - done);
    if (e.quant != WeightFormat::Checkpoint) {
      if (e.scales && pendingFor && pendingFor->sources == e.sources &&
          pendingFor->quant == e.quant) {
        emit(pendingScales.data(), pendingScales.size() * 2);
        pendingFor = nullptr;
        pendingScales.clear();
        if (os.has_error())
          return abort(os.error().message());
        continue;
      }
      pendingScales.clear();
      quantizeEntry(
          e,
          [&](ArrayRef<uint8_t> bytes) {
            if (!e.scales)
              emit(bytes.data(), bytes.size());
          },
          [&](ArrayRef<uint16_t> halves) {
            for (uint16_t h : halves) {
              if (e.scales) {
                uint8_t le[2] = {(uint8_t)(h & 0xff), (uint8_t)(h >> 8)};
                emit(le, 2);
              } else { // stored little endian
                pendingScales.push_back(
                    support::endian::byte_swap<uint16_t>(h, llvm::endianness::little));
              }
            }
          });
      if (os.has_error())
        return abort(os.error().message());
      pendingFor = e.scales ? nullptr : &e;
      continue;
    }
    size_t outSize = dtypeSize(e.dtype);
    for (const TensorInfo *s : e.sources) {
      size_t inSize = dtypeSize(s->dtype);
      uint64_t n = (uint64_t)s->numElements();
      uint64_t chunk = s->dtype == e.dtype ? (16ull << 20) / inSize
                                           : buf.size() / outSize;
      for (uint64_t i = 0; i < n; i += chunk) {
        uint64_t m = std::min(chunk, n - i);
        if (s->dtype == e.dtype) {
          emit(s->data + i * inSize, m * inSize);
        } else {
          convert(s->dtype, e.dtype, s->data + i * inSize, buf.data(), m);
          emit(buf.data(), m * outSize);
        }
        if (os.has_error())
          return abort(os.error().message());
      }
    }
  }
  os.close();
  if (os.has_error())
    return abort(os.error().message());
  if (std::error_code rc = sys::fs::rename(tmp, path)) {
    sys::fs::remove(tmp);
    return fail("cannot rename " + tmp + " to " + path + ": " + rc.message());
  }
  if (progress)
    progress(total, total);
  return Error::success();
}

} // namespace gemma
