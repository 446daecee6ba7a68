//===- PackEncoding.cpp ---------------------------------------------------===//
#include "frontend/PackEncoding.h"

#include "llvm/Support/Endian.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace llvm;

namespace gemma {

namespace {

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

} // namespace

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

} // namespace gemma
