//===- Checkpoint.cpp - safetensors checkpoint reader ---------------------===//
//
// Implements Checkpoint.h. Every safetensors header is validated completely
// when the folder is opened, so that a TensorInfo's [data, data + nbytes)
// always lies inside its mmapped file.
//
//===----------------------------------------------------------------------===//

#include "frontend/Checkpoint.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace llvm;

namespace gemma {

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F32: return 4;
  case DType::BF16: return 2;
  case DType::F16: return 2;
  case DType::I32: return 4;
  }
  return 0;
}

StringRef dtypeName(DType t) {
  switch (t) {
  case DType::F32: return "f32";
  case DType::BF16: return "bf16";
  case DType::F16: return "f16";
  case DType::I32: return "i32";
  }
  return "?";
}

int64_t TensorInfo::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str().c_str());
}

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

/// Parses and validates the header of one mmapped safetensors file, adding its
/// tensors to `out` (duplicates across files are an error).
Error readSafetensors(const MemoryBuffer &buf, StringRef file,
                      StringMap<TensorInfo> &out) {
  uint64_t size = buf.getBufferSize();
  const uint8_t *base = reinterpret_cast<const uint8_t *>(buf.getBufferStart());
  if (size < 8)
    return fail(formatv("{0} is too small to be a safetensors file ({1} bytes)",
                        file, size));
  uint64_t hlen = support::endian::read64le(base);
  if (hlen > size - 8)
    return fail(formatv("header length {0} past the end of {1} ({2} bytes)",
                        hlen, file, size));
  StringRef hdr(reinterpret_cast<const char *>(base + 8), hlen);
  Expected<json::Value> root = json::parse(hdr);
  if (!root)
    return fail(formatv("{0}: malformed safetensors header: {1}", file,
                        toString(root.takeError())));
  const json::Object *obj = root->getAsObject();
  if (!obj)
    return fail(formatv("{0}: malformed safetensors header: expected a JSON "
                        "object",
                        file));
  const uint64_t dataStart = 8 + hlen;
  const uint64_t dataSize = size - dataStart;

  struct Span {
    uint64_t begin, end;
    const std::string *name;
  };
  std::vector<Span> spans;
  std::vector<std::string> names;
  names.reserve(obj->size());

  // Visit in sorted order for deterministic diagnostics.
  std::vector<StringRef> keys;
  for (const auto &kv : *obj)
    keys.push_back(kv.first);
  llvm::sort(keys);

  for (StringRef name : keys) {
    if (name == "__metadata__")
      continue;
    const json::Object *t = obj->get(name)->getAsObject();
    auto bad = [&](const Twine &what) {
      return fail("tensor '" + name + "' in " + file + ": " + what);
    };
    if (!t)
      return bad("header entry is not an object");
    std::optional<StringRef> dt = t->getString("dtype");
    if (!dt)
      return bad("missing or non-string 'dtype'");
    DType dtype;
    if (*dt == "F32")
      dtype = DType::F32;
    else if (*dt == "BF16")
      dtype = DType::BF16;
    else if (*dt == "F16")
      dtype = DType::F16;
    else if (*dt == "I32")
      dtype = DType::I32;
    else
      return fail("tensor '" + name + "' in " + file +
                  " has unsupported dtype '" + *dt +
                  "' (gemmac reads F32, BF16, F16)");
    const json::Array *shape = t->getArray("shape");
    if (!shape)
      return bad("missing or non-array 'shape'");
    TensorInfo info;
    info.name = name.str();
    info.dtype = dtype;
    info.file = file.str();
    uint64_t numel = 1;
    bool overflow = false;
    for (const json::Value &d : *shape) {
      std::optional<int64_t> v = d.getAsInteger();
      if (!v || *v < 0)
        return bad("'shape' must hold non-negative integers");
      info.shape.push_back(*v);
      numel = SaturatingMultiply(numel, (uint64_t)*v, &overflow);
    }
    const json::Array *offs = t->getArray("data_offsets");
    if (!offs || offs->size() != 2)
      return bad("missing 'data_offsets' (expected [begin, end])");
    std::optional<int64_t> b = (*offs)[0].getAsInteger();
    std::optional<int64_t> e = (*offs)[1].getAsInteger();
    if (!b || !e || *b < 0 || *e < 0)
      return bad("'data_offsets' must be two non-negative integers");
    if (*b > *e)
      return bad(formatv("'data_offsets' [{0}, {1}] are not ordered", *b, *e));
    if ((uint64_t)*e > dataSize)
      return fail(formatv("truncated: tensor '{0}' ends at byte {1} but {2} "
                          "has {3}",
                          name, dataStart + (uint64_t)*e, file, size));
    uint64_t nbytes = (uint64_t)(*e - *b);
    uint64_t want = SaturatingMultiply(numel, (uint64_t)dtypeSize(dtype),
                                       &overflow);
    if (overflow || nbytes != want)
      return bad(formatv("data_offsets span {0} bytes but shape {1} of {2} "
                         "needs {3}",
                         nbytes, shapeStr(info.shape), *dt,
                         overflow ? std::string("more than 2^64")
                                  : std::to_string(want)));
    info.data = base + dataStart + (uint64_t)*b;
    info.nbytes = nbytes;
    auto ins = out.try_emplace(name, std::move(info));
    if (!ins.second)
      return fail("tensor '" + name + "' appears in both " +
                  ins.first->second.file + " and " + file);
    spans.push_back({(uint64_t)*b, (uint64_t)*e, &ins.first->second.name});
  }

  // Tensors must not overlap.
  llvm::sort(spans, [](const Span &a, const Span &b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].begin < spans[i - 1].end)
      return fail(formatv("{0}: tensors '{1}' and '{2}' overlap (bytes {3}..{4} "
                          "and {5}..{6} of the data section)",
                          file, *spans[i - 1].name, *spans[i].name,
                          spans[i - 1].begin, spans[i - 1].end, spans[i].begin,
                          spans[i].end));
  return Error::success();
}

} // namespace

Expected<std::unique_ptr<Checkpoint>> Checkpoint::open(StringRef dirArg) {
  std::string dir = dirArg.str();
  if (!sys::fs::exists(dir))
    return fail("model directory '" + dir + "' does not exist");
  if (!sys::fs::is_directory(dir))
    return fail("'" + dir + "' is not a directory");

  auto join = [&](StringRef name) {
    SmallString<256> p(dir);
    sys::path::append(p, name);
    return std::string(p);
  };

  std::unique_ptr<Checkpoint> ck(new Checkpoint());
  ck->dir = dir;

  std::vector<std::string> files;
  // For a sharded checkpoint: tensor -> shard file named by the index.
  StringMap<std::string> weightMap;
  std::string indexPath = join("model.safetensors.index.json");
  if (sys::fs::exists(indexPath)) {
    auto buf = MemoryBuffer::getFile(indexPath, /*IsText=*/true);
    if (!buf)
      return fail(indexPath + ": cannot read: " + buf.getError().message());
    Expected<json::Value> root = json::parse((*buf)->getBuffer());
    if (!root)
      return fail(indexPath + ": malformed JSON: " + toString(root.takeError()));
    const json::Object *o = root->getAsObject();
    const json::Object *wm = o ? o->getObject("weight_map") : nullptr;
    if (!wm)
      return fail(indexPath + ": field 'weight_map': missing or not an object");
    StringSet<> seen;
    std::vector<StringRef> keys;
    for (const auto &kv : *wm)
      keys.push_back(kv.first);
    llvm::sort(keys);
    for (StringRef k : keys) {
      std::optional<StringRef> shard = wm->getString(k);
      if (!shard)
        return fail(indexPath + ": field 'weight_map." + k +
                    "': expected a file name");
      if (shard->empty() || sys::path::filename(*shard) != *shard)
        return fail(indexPath + ": field 'weight_map." + k +
                    "': shard name '" + *shard +
                    "' must be a plain file name in the same folder");
      weightMap[k] = shard->str();
      if (seen.insert(*shard).second)
        files.push_back(join(*shard));
    }
    llvm::sort(files);
    for (const std::string &f : files)
      if (!sys::fs::exists(f))
        return fail(indexPath + " names shard '" +
                    sys::path::filename(f) + "' which is missing from " + dir);
  } else if (sys::fs::exists(join("model.safetensors"))) {
    files.push_back(join("model.safetensors"));
  } else {
    std::error_code ec;
    for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      if (StringRef(it->path()).ends_with(".safetensors"))
        files.push_back(it->path());
    if (ec)
      return fail("cannot list " + dir + ": " + ec.message());
    llvm::sort(files);
    if (files.empty())
      return fail("no model weights in " + dir +
                  " (looked for model.safetensors.index.json, "
                  "model.safetensors and *.safetensors)");
  }

  for (const std::string &f : files) {
    auto buf = MemoryBuffer::getFile(f, /*IsText=*/false,
                                     /*RequiresNullTerminator=*/false);
    if (!buf)
      return fail(f + ": cannot read: " + buf.getError().message());
    if (Error e = readSafetensors(**buf, f, ck->tensors))
      return std::move(e);
    ck->files.push_back(std::move(*buf));
  }

  // Every tensor the index names must be in the shard it names.
  for (const auto &kv : weightMap) {
    const TensorInfo *t = ck->find(kv.first());
    std::string shard = join(kv.second);
    if (!t || t->file != shard)
      return fail(indexPath + " says tensor '" + kv.first() + "' is in '" +
                  kv.second + "' but " +
                  (t ? "it is in '" + sys::path::filename(t->file).str() + "'"
                     : std::string("no shard has it")));
  }
  return std::move(ck);
}

std::unique_ptr<Checkpoint> Checkpoint::fromTensors(StringRef origin,
                                                    std::vector<TensorInfo> list,
                                                    std::shared_ptr<void> keepAlive) {
  std::unique_ptr<Checkpoint> ck(new Checkpoint());
  ck->dir = origin.str();
  ck->keepAlive = std::move(keepAlive);
  for (TensorInfo &t : list) {
    std::string name = t.name;
    ck->tensors.try_emplace(name, std::move(t));
  }
  return ck;
}

const TensorInfo *Checkpoint::find(StringRef name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

Expected<const TensorInfo *> Checkpoint::require(StringRef name,
                                                 ArrayRef<int64_t> shape) const {
  const TensorInfo *t = find(name);
  if (!t)
    return fail("missing tensor '" + name + "' in " + dir);
  if (ArrayRef<int64_t>(t->shape) != shape)
    return fail("tensor '" + name + "' in " + t->file + " has shape " +
                shapeStr(t->shape) + " but config.json implies " +
                shapeStr(shape));
  return t;
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  out.reserve(tensors.size());
  for (const auto &kv : tensors)
    out.push_back(kv.first().str());
  llvm::sort(out);
  return out;
}

} // namespace gemma
