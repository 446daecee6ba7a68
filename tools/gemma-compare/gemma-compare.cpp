//===- gemma-compare.cpp - compare tensors in safetensors files ----------===//
//
// Test helper: checks gemma-run's --logits-out / --ids-out against a
// reference dumped from another implementation (e.g. Hugging Face).
//
//   gemma-compare A.safetensors:NAME B.safetensors:NAME
//                 [--rows-a i:j] [--rows-b k:l] [--atol X]
//     max |a - b| over rows i..j-1 of A and k..l-1 of B (first dimension);
//     prints "max_abs_diff=D at [r, c] (a=.., b=..)", exit 1 if D > atol.
//   gemma-compare --ids FILE B.safetensors:NAME [--rows-b k:l]
//     FILE: comma-separated ints; exact match with the integer tensor slice.
//   gemma-compare A:NAME B:NAME [--rows-a i:j] [--rows-b k:l]
//                 [--min-top1 P] [--max-kl K]
//     logits rows (B the reference): the fraction of rows whose argmax
//     agrees and the mean KL(softmax(B) || softmax(A)) in nats; prints
//     "top1=F (n/N) mean_kl=K max_kl=M", exit 1 if top1 < P or mean_kl > K.
//
// Any dtype among F64/F32/F16/BF16/I64/I32/I16/I8/U8/BOOL is read as double.
//
//===----------------------------------------------------------------------===//
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace llvm;

namespace {

[[noreturn]] void fail(const Twine &msg) {
  errs() << "gemma-compare: error: " << msg << "\n";
  std::exit(2);
}

struct Tensor {
  std::unique_ptr<MemoryBuffer> file;
  std::string where; // "FILE:NAME" for messages
  std::string dtype;
  std::vector<int64_t> shape;
  const uint8_t *data = nullptr;
  size_t elemSize = 0;

  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  int64_t rowElems() const {
    int64_t n = 1;
    for (size_t i = 1; i < shape.size(); ++i)
      n *= shape[i];
    return n;
  }
  bool isInteger() const {
    return dtype == "I64" || dtype == "I32" || dtype == "I16" ||
           dtype == "I8" || dtype == "U8" || dtype == "BOOL";
  }

  double at(int64_t i) const {
    const uint8_t *p = data + static_cast<size_t>(i) * elemSize;
    if (dtype == "F32") {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    if (dtype == "F64") {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    if (dtype == "BF16") {
      uint32_t bits = static_cast<uint32_t>(p[0] | (p[1] << 8)) << 16;
      float v;
      std::memcpy(&v, &bits, 4);
      return v;
    }
    if (dtype == "F16") {
      uint16_t h = static_cast<uint16_t>(p[0] | (p[1] << 8));
      int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
      double v;
      if (exp == 0)
        v = std::ldexp(static_cast<double>(man), -24);
      else if (exp == 31)
        v = man ? NAN : INFINITY;
      else
        v = std::ldexp(static_cast<double>(man | 0x400), exp - 25);
      return sign ? -v : v;
    }
    if (dtype == "I64") {
      int64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<double>(v);
    }
    if (dtype == "I32") {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    if (dtype == "I16") {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    if (dtype == "I8")
      return static_cast<int8_t>(p[0]);
    return p[0]; // U8, BOOL
  }

  int64_t intAt(int64_t i) const {
    const uint8_t *p = data + static_cast<size_t>(i) * elemSize;
    if (dtype == "I64") {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    return static_cast<int64_t>(at(i));
  }
};

size_t dtypeSize(StringRef d) {
  if (d == "F64" || d == "I64")
    return 8;
  if (d == "F32" || d == "I32")
    return 4;
  if (d == "F16" || d == "BF16" || d == "I16")
    return 2;
  if (d == "I8" || d == "U8" || d == "BOOL")
    return 1;
  return 0;
}

/// Loads "FILE:NAME" (the name is after the last ':').
Tensor load(StringRef spec) {
  size_t colon = spec.rfind(':');
  if (colon == StringRef::npos || colon == 0 || colon + 1 == spec.size())
    fail("'" + spec + "' is not FILE.safetensors:TENSOR");
  StringRef path = spec.substr(0, colon), name = spec.substr(colon + 1);
  Tensor t;
  t.where = spec.str();
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!buf)
    fail("cannot open '" + path + "': " + buf.getError().message());
  t.file = std::move(*buf);
  StringRef bytes = t.file->getBuffer();
  if (bytes.size() < 8)
    fail("'" + path + "' is not a safetensors file (shorter than 8 bytes)");
  uint64_t hlen = 0;
  for (int i = 0; i < 8; ++i)
    hlen |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  if (hlen > bytes.size() - 8)
    fail("'" + path + "' has a bad safetensors header (length " + Twine(hlen) +
         " exceeds the file)");
  Expected<json::Value> header = json::parse(bytes.substr(8, hlen));
  if (!header)
    fail("'" + path + "' has a bad safetensors header: " +
         toString(header.takeError()));
  const json::Object *root = header->getAsObject();
  if (!root)
    fail("'" + path + "' has a bad safetensors header (not a JSON object)");
  const json::Object *entry = root->getObject(name);
  if (!entry) {
    std::string names;
    for (const auto &kv : *root)
      if (kv.first != "__metadata__")
        names += (names.empty() ? "" : ", ") + kv.first.str();
    fail("no tensor '" + name + "' in '" + path + "' (it has: " + names + ")");
  }
  auto dtype = entry->getString("dtype");
  const json::Array *shape = entry->getArray("shape");
  const json::Array *offs = entry->getArray("data_offsets");
  if (!dtype || !shape || !offs || offs->size() != 2)
    fail("'" + path + "': tensor '" + name +
         "' lacks dtype/shape/data_offsets");
  t.dtype = dtype->str();
  t.elemSize = dtypeSize(t.dtype);
  if (!t.elemSize)
    fail("'" + path + "': tensor '" + name + "' has unsupported dtype " +
         t.dtype);
  uint64_t numel = 1;
  for (const json::Value &d : *shape) {
    auto v = d.getAsInteger();
    if (!v || *v < 0)
      fail("'" + path + "': tensor '" + name + "' has a bad shape");
    t.shape.push_back(*v);
    numel *= static_cast<uint64_t>(*v);
  }
  auto b = (*offs)[0].getAsUINT64(), e = (*offs)[1].getAsUINT64();
  uint64_t dataStart = 8 + hlen;
  if (!b || !e || *b > *e || *e > bytes.size() - dataStart)
    fail("'" + path + "': tensor '" + name +
         "' has data_offsets outside the file");
  if (*e - *b != numel * t.elemSize)
    fail("'" + path + "': tensor '" + name + "' has " + Twine(*e - *b) +
         " bytes of data but its shape needs " + Twine(numel * t.elemSize));
  t.data = reinterpret_cast<const uint8_t *>(bytes.data()) + dataStart + *b;
  return t;
}

struct Range {
  bool set = false;
  int64_t begin = 0, end = 0;
};

Range parseRange(StringRef flag, StringRef text) {
  Range r;
  r.set = true;
  auto [lo, hi] = text.split(':');
  if (!text.contains(':') || (!lo.empty() && lo.getAsInteger(10, r.begin)) ||
      (!hi.empty() && hi.getAsInteger(10, r.end)))
    fail(flag + ": '" + text + "' is not a row range i:j");
  if (lo.empty())
    r.begin = 0;
  if (hi.empty())
    r.end = -1; // to the end
  return r;
}

/// Resolves a range against `rows`; errors name the flag.
void resolve(Range &r, int64_t rows, StringRef flag, StringRef where) {
  if (!r.set) {
    r.begin = 0;
    r.end = rows;
    return;
  }
  if (r.end == -1)
    r.end = rows;
  if (r.begin < 0 || r.begin > r.end || r.end > rows)
    fail(flag + " " + Twine(r.begin) + ":" + Twine(r.end) +
         " is out of range for '" + where + "' with " + Twine(rows) + " rows");
}

std::string shapeStr(const std::vector<int64_t> &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string indexStr(const std::vector<int64_t> &shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 0)
      continue;
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return shapeStr(idx);
}

std::string fmt(double v) {
  std::string s;
  raw_string_ostream os(s);
  os << format("%.6g", v);
  return os.str();
}

void usage() {
  outs() << "usage: gemma-compare A.safetensors:NAME B.safetensors:NAME\n"
            "                     [--rows-a i:j] [--rows-b k:l] [--atol X]\n"
            "       gemma-compare --ids FILE B.safetensors:NAME [--rows-b k:l]\n"
            "\n"
            "Compares rows i..j-1 (first dimension) of A with rows k..l-1 of B\n"
            "and prints max_abs_diff=D at [r, c] (a=.., b=..); exit code 1\n"
            "when D > atol (default 1e-3). --ids compares a comma-separated id\n"
            "list exactly with an integer tensor. Exit code 2 on errors.\n"
            "\n"
            "With --min-top1 P and/or --max-kl K, A and B are logits rows (B the\n"
            "reference): prints top1=F (agreeing argmax rows / rows) and the\n"
            "mean and max KL(softmax(B) || softmax(A)) in nats; exit code 1\n"
            "when top1 < P or mean_kl > K.\n";
}

int compareIds(StringRef idsPath, Tensor &b, Range rb) {
  auto buf = MemoryBuffer::getFile(idsPath, /*IsText=*/true);
  if (!buf)
    fail("cannot open '" + idsPath + "': " + buf.getError().message());
  StringRef text = (*buf)->getBuffer().trim();
  std::vector<int64_t> ids;
  if (!text.empty()) {
    SmallVector<StringRef, 16> parts;
    text.split(parts, ',');
    for (size_t i = 0; i < parts.size(); ++i) {
      int64_t v;
      if (parts[i].trim().getAsInteger(10, v))
        fail("'" + idsPath + "': '" + parts[i] + "' at index " + Twine(i) +
             " is not an integer");
      ids.push_back(v);
    }
  }
  if (!b.isInteger())
    fail("'" + b.where + "' has dtype " + b.dtype +
         "; --ids needs an integer tensor");
  resolve(rb, b.rows(), "--rows-b", b.where);
  int64_t begin = rb.begin * b.rowElems();
  int64_t count = (rb.end - rb.begin) * b.rowElems();
  if (count != static_cast<int64_t>(ids.size())) {
    outs() << "length mismatch: " << ids.size() << " ids in '" << idsPath
           << "', " << count << " in '" << b.where << "'\n";
    return 1;
  }
  for (int64_t i = 0; i < count; ++i) {
    int64_t ref = b.intAt(begin + i);
    if (ids[i] != ref) {
      outs() << "mismatch at index " << i << ": ids=" << ids[i]
             << ", reference=" << ref << "\n";
      return 1;
    }
  }
  outs() << "ids match (" << count << " ids)\n";
  return 0;
}

/// Top-1 agreement and KL(softmax(b) || softmax(a)) per row (b: reference).
int compareDistributions(Tensor &a, Tensor &b, Range ra, Range rb, double minTop1,
                         double maxKl) {
  resolve(ra, a.rows(), "--rows-a", a.where);
  resolve(rb, b.rows(), "--rows-b", b.where);
  int64_t rows = ra.end - ra.begin, n = a.rowElems();
  if (rows != rb.end - rb.begin || n != b.rowElems() || n == 0)
    fail("shape mismatch: '" + a.where + "' has " + Twine(rows) + " rows of " + Twine(n) +
         ", '" + b.where + "' " + Twine(rb.end - rb.begin) + " rows of " +
         Twine(b.rowElems()));
  int64_t agree = 0;
  double klSum = 0, klMax = 0;
  std::vector<double> x(n), y(n);
  auto logSoftmax = [&](std::vector<double> &v) {
    double m = *std::max_element(v.begin(), v.end()), s = 0;
    for (double e : v)
      s += std::exp(e - m);
    double lse = m + std::log(s);
    for (double &e : v)
      e -= lse;
  };
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < n; ++c) {
      x[c] = a.at((ra.begin + r) * n + c);
      y[c] = b.at((rb.begin + r) * n + c);
    }
    if (std::max_element(x.begin(), x.end()) - x.begin() ==
        std::max_element(y.begin(), y.end()) - y.begin())
      ++agree;
    logSoftmax(x);
    logSoftmax(y);
    double kl = 0;
    for (int64_t c = 0; c < n; ++c)
      kl += std::exp(y[c]) * (y[c] - x[c]);
    klSum += kl;
    klMax = std::max(klMax, kl);
  }
  double top1 = rows ? double(agree) / rows : 1.0, meanKl = rows ? klSum / rows : 0.0;
  outs() << "top1=" << fmt(top1) << " (" << agree << "/" << rows << ") mean_kl=" << fmt(meanKl)
         << " max_kl=" << fmt(klMax) << "\n";
  if (top1 < minTop1 || meanKl > maxKl) {
    outs().flush();
    errs() << "gemma-compare: FAIL: top1 " << fmt(top1) << " (min " << fmt(minTop1)
           << "), mean_kl " << fmt(meanKl) << " (max " << fmt(maxKl) << ")\n";
    return 1;
  }
  return 0;
}

int compareTensors(Tensor &a, Tensor &b, Range ra, Range rb, double atol) {
  resolve(ra, a.rows(), "--rows-a", a.where);
  resolve(rb, b.rows(), "--rows-b", b.where);
  std::vector<int64_t> sa = a.shape, sb = b.shape;
  if (sa.empty())
    sa.push_back(1);
  if (sb.empty())
    sb.push_back(1);
  sa[0] = ra.end - ra.begin;
  sb[0] = rb.end - rb.begin;
  if (sa != sb)
    fail("shape mismatch: '" + a.where + "' rows " + Twine(ra.begin) + ":" +
         Twine(ra.end) + " is " + shapeStr(sa) + ", '" + b.where + "' rows " +
         Twine(rb.begin) + ":" + Twine(rb.end) + " is " + shapeStr(sb));
  int64_t count = sa[0] * a.rowElems();
  int64_t offA = ra.begin * a.rowElems(), offB = rb.begin * b.rowElems();
  double worst = -1;
  int64_t worstAt = 0;
  for (int64_t i = 0; i < count; ++i) {
    double x = a.at(offA + i), y = b.at(offB + i);
    double d;
    if (std::isnan(x) || std::isnan(y))
      d = (std::isnan(x) && std::isnan(y)) ? 0.0 : INFINITY;
    else if (x == y)
      d = 0.0; // also equal infinities
    else
      d = std::fabs(x - y);
    if (d > worst) {
      worst = d;
      worstAt = i;
    }
  }
  if (count == 0) {
    outs() << "max_abs_diff=0 (no elements)\n";
    return 0;
  }
  outs() << "max_abs_diff=" << fmt(worst) << " at " << indexStr(sa, worstAt)
         << " (a=" << fmt(a.at(offA + worstAt))
         << ", b=" << fmt(b.at(offB + worstAt)) << ")\n";
  if (worst > atol) {
    outs().flush();
    errs() << "gemma-compare: FAIL: max_abs_diff " << fmt(worst)
           << " exceeds atol " << fmt(atol) << "\n";
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<StringRef> positional;
  std::string idsFile;
  Range ra, rb;
  double atol = 1e-3, minTop1 = -1, maxKl = -1;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    auto value = [&]() -> StringRef {
      if (i + 1 >= argc)
        fail(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      usage();
      return 0;
    } else if (arg == "--rows-a") {
      ra = parseRange(arg, value());
    } else if (arg == "--rows-b") {
      rb = parseRange(arg, value());
    } else if (arg == "--atol") {
      StringRef v = value();
      if (v.getAsDouble(atol) || atol < 0)
        fail("--atol: '" + v + "' is not a non-negative number");
    } else if (arg == "--min-top1" || arg == "--max-kl") {
      StringRef v = value();
      double &dst = arg == "--min-top1" ? minTop1 : maxKl;
      if (v.getAsDouble(dst) || dst < 0)
        fail(arg + ": '" + v + "' is not a non-negative number");
    } else if (arg == "--ids") {
      idsFile = value().str();
    } else if (arg.starts_with("-")) {
      fail("unknown flag '" + arg + "' (see gemma-compare --help)");
    } else {
      positional.push_back(arg);
    }
  }
  if (!idsFile.empty()) {
    if (positional.size() != 1)
      fail("--ids FILE needs exactly one B.safetensors:NAME");
    if (ra.set)
      fail("--rows-a does not apply to --ids");
    Tensor b = load(positional[0]);
    return compareIds(idsFile, b, rb);
  }
  if (positional.size() != 2)
    fail("expected A.safetensors:NAME B.safetensors:NAME (see --help)");
  Tensor a = load(positional[0]);
  Tensor b = load(positional[1]);
  if (minTop1 >= 0 || maxKl >= 0)
    return compareDistributions(a, b, ra, rb, minTop1 < 0 ? 0.0 : minTop1,
                                maxKl < 0 ? INFINITY : maxKl);
  return compareTensors(a, b, ra, rb, atol);
}
