//===- WeightsPack.cpp - write weights.gpack -------------------------------===//
//
// Implements WeightsPack.h: the pack plan (64-byte aligned entries), the
// model hash (FNV-1a 64) and the writer (dtype conversion, concatenation along
// dim 0, tmp file + rename, progress about every 64 MiB).
//
//===----------------------------------------------------------------------===//

#include "frontend/WeightsPack.h"

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

// --- scalar conversions ---------------------------------------------------

uint32_t bf16ToF32Bits(uint16_t h) { return (uint32_t)h << 16; }

/// Round-to-nearest-even; NaN stays a (quiet) NaN with its sign.
uint16_t f32BitsToBF16(uint32_t b) {
  if ((b & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t)((b >> 16) | 0x0040u);
  uint32_t lsb = (b >> 16) & 1u;
  return (uint16_t)((b + 0x7fffu + lsb) >> 16);
}

uint32_t f16ToF32Bits(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t man = h & 0x3ffu;
  if (exp == 0x1f) // Inf / NaN (payload kept, quiet bit set)
    return sign | 0x7f800000u | (man << 13) | (man ? 0x00400000u : 0u);
  if (exp == 0) {
    if (man == 0)
      return sign;
    // Subnormal: normalise.
    int e = -1;
    do {
      ++e;
      man <<= 1;
    } while (!(man & 0x400u));
    man &= 0x3ffu;
    return sign | ((uint32_t)(127 - 15 - e) << 23) | (man << 13);
  }
  return sign | ((exp + 127 - 15) << 23) | (man << 13);
}

/// Round-to-nearest-even, with overflow to Inf, subnormals and NaN.
uint16_t f32BitsToF16(uint32_t b) {
  uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
  uint32_t abs = b & 0x7fffffffu;
  if (abs > 0x7f800000u) // NaN: quiet, keep top payload bits
    return sign | 0x7e00u | (uint16_t)((abs >> 13) & 0x1ffu);
  if (abs >= 0x477ff000u) // >= 65520 rounds to Inf (incl. Inf itself)
    return sign | 0x7c00u;
  if (abs < 0x38800000u) { // below 2^-14: f16 subnormal or zero
    if (abs < 0x33000000u) // below 2^-25: rounds to zero
      return sign;
    uint32_t exp = abs >> 23;
    uint32_t man = (abs & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - exp; // 14..24
    uint32_t res = man >> shift;
    uint32_t rem = man & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (res & 1u)))
      ++res;
    return sign | (uint16_t)res;
  }
  uint32_t res = abs - 0x38000000u; // rebias exponent 127 -> 15
  uint32_t rem = res & 0x1fffu;
  res >>= 13;
  if (rem > 0x1000u || (rem == 0x1000u && (res & 1u)))
    ++res; // may carry into the exponent, which is correct
  return sign | (uint16_t)res;
}

uint32_t loadF32Bits(DType t, const uint8_t *p) {
  switch (t) {
  case DType::F32: return support::endian::read32le(p);
  case DType::BF16: return bf16ToF32Bits(support::endian::read16le(p));
  case DType::F16: return f16ToF32Bits(support::endian::read16le(p));
  case DType::I32: break;
  }
  return 0;
}

/// Converts `n` elements from `src` (dtype `from`) into `dst` (dtype `to`).
void convert(DType from, DType to, const uint8_t *src, uint8_t *dst, size_t n) {
  if (from == to) {
    std::memcpy(dst, src, n * dtypeSize(from));
    return;
  }
  size_t fs = dtypeSize(from);
  for (size_t i = 0; i < n; ++i) {
    uint32_t b = loadF32Bits(from, src + i * fs);
    switch (to) {
    case DType::F32:
      support::endian::write32le(dst + 4 * i, b);
      break;
    case DType::BF16:
      support::endian::write16le(dst + 2 * i, f32BitsToBF16(b));
      break;
    case DType::F16:
      support::endian::write16le(dst + 2 * i, f32BitsToF16(b));
      break;
    case DType::I32:
      break; // rejected before
    }
  }
}

// --- block quantisation (docs/weights.md) ----------------------------------

/// Quantises `n` consecutive weights (n a multiple of 32) from element
/// `first` of `src` into q (int8: -127..127; int4: -8..7) and one f16 scale
/// per block of 32 into `scales`. Each value is w / s rounded with s as
/// stored (f16).
void quantizeBlocks(WeightFormat f, const TensorInfo &src, uint64_t first, uint64_t n,
                    int8_t *q, uint16_t *scales) {
  size_t es = dtypeSize(src.dtype);
  float w[kQuantBlockSize];
  for (uint64_t b = 0; b < n; b += kQuantBlockSize) {
    float amax = 0.0f, extreme = 0.0f;
    for (int64_t i = 0; i < kQuantBlockSize; ++i) {
      uint32_t bits = loadF32Bits(src.dtype, src.data + (first + b + i) * es);
      std::memcpy(&w[i], &bits, 4);
      if (std::fabs(w[i]) > amax) {
        amax = std::fabs(w[i]);
        extreme = w[i];
      }
    }
    // int8: s = max|w| / 127, q in [-127, 127]. int4 (Q4_0): s = w* / -8
    // for the w* of largest magnitude, so w* is exactly -8; q in [-8, 7].
    float d = f == WeightFormat::Int8 ? amax / 127.0f : extreme / -8.0f;
    float dBits;
    uint32_t db;
    std::memcpy(&db, &d, 4);
    uint16_t h = f32BitsToF16(db);
    uint32_t back = f16ToF32Bits(h);
    std::memcpy(&dBits, &back, 4);
    int lo = f == WeightFormat::Int8 ? -127 : -8, hi = f == WeightFormat::Int8 ? 127 : 7;
    for (int64_t i = 0; i < kQuantBlockSize; ++i) {
      float r = dBits != 0.0f && std::isfinite(dBits) ? std::round(w[i] / dBits) : 0.0f;
      q[b + i] = static_cast<int8_t>(r < lo ? lo : r > hi ? hi : static_cast<int>(r));
    }
    *scales++ = h;
  }
}

/// Quantises the rows of `in` weights of entry `e`'s sources, in order, and
/// hands their packed values and f16 scales to `values` / `scales` in the
/// layout of docs/weights.md: row-major (int4: byte j of a block = weight j
/// low | weight j + 16 high, two's complement), or where the matrix has a
/// multiple of kQuantTileRows rows, in tiles of 16 rows: int8 as 64-byte
/// vectors of 16 rows x 4 columns (row r's 4 bytes at 4r), int4 as 64-byte
/// vectors of 16 rows x 8 columns (byte 4r + j: column j low | column j + 4
/// high, as q + 8), the scales as [in / 32][16].
void quantizeEntry(const PackEntry &e, function_ref<void(ArrayRef<uint8_t>)> values,
                   function_ref<void(ArrayRef<uint16_t>)> scales) {
  int64_t in = e.shape.back() * (e.scales ? kQuantBlockSize : 1);
  int64_t blocks = in / kQuantBlockSize;
  bool tiled = quantTiled(e.shape);
  int64_t groupRows = tiled ? kQuantTileRows : std::max<int64_t>(1, (1 << 20) / in);
  std::vector<int8_t> q(groupRows * in);
  std::vector<uint16_t> s(groupRows * blocks), sOut;
  std::vector<uint8_t> out;
  bool int8 = e.quant == WeightFormat::Int8;
  auto nibble = [](int v) { return static_cast<uint8_t>(v & 0xf); };
  auto flush = [&](int64_t rows) {
    out.clear();
    sOut.clear();
    if (!tiled) {
      for (int64_t i = 0; i < rows * in; i += kQuantBlockSize)
        for (int64_t j = 0; j < (int8 ? kQuantBlockSize : kQuantBlockSize / 2); ++j)
          out.push_back(int8 ? static_cast<uint8_t>(q[i + j])
                             : nibble(q[i + j]) | nibble(q[i + j + 16]) << 4);
      sOut.assign(s.begin(), s.begin() + rows * blocks);
    } else if (int8) {
      for (int64_t c = 0; c < in; c += 4)
        for (int64_t r = 0; r < kQuantTileRows; ++r)
          for (int64_t j = 0; j < 4; ++j)
            out.push_back(static_cast<uint8_t>(q[r * in + c + j]));
    } else {
      for (int64_t c = 0; c < in; c += 8)
        for (int64_t r = 0; r < kQuantTileRows; ++r)
          for (int64_t j = 0; j < 4; ++j)
            out.push_back(nibble(q[r * in + c + j] + 8) | nibble(q[r * in + c + j + 4] + 8) << 4);
    }
    if (tiled)
      for (int64_t b = 0; b < blocks; ++b)
        for (int64_t r = 0; r < kQuantTileRows; ++r)
          sOut.push_back(s[r * blocks + b]);
    values(out);
    scales(sOut);
  };
  int64_t filled = 0;
  for (const TensorInfo *src : e.sources) {
    uint64_t rows = (uint64_t)src->numElements() / in;
    for (uint64_t r = 0; r < rows; ++r) {
      quantizeBlocks(e.quant, *src, r * in, in, &q[filled * in], &s[filled * blocks]);
      if (++filled == groupRows) {
        flush(filled);
        filled = 0;
      }
    }
  }
  if (filled) // (a tiled matrix has whole tiles: quantTiled)
    flush(filled);
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
