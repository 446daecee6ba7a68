//===- gemma-synth.cpp - Synthetic Gemma 4 checkpoints --------------------===//
//
// Writes a Hugging Face checkpoint folder (config.json, generation_config.json,
// sharded *.safetensors + model.safetensors.index.json) with the exact released
// geometry of a Gemma 4 variant and deterministic random weights, laid out as
// transformers saves Gemma4ForConditionalGeneration (released layout, prefix
// `model.language_model.`) or Gemma4ForCausalLM (prefix `model.`).
// Geometry: docs gemma4-spec.md sections 1.1-1.4 and 3.1-3.3.
//
//===----------------------------------------------------------------------===//

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include "PyJson.h"
#include "SynthPlan.h"

using namespace llvm;
using namespace gemma_synth;

namespace {

//===--------------------------------------------------------------------===//
// Options
//===--------------------------------------------------------------------===//

cl::OptionCategory cat("gemma-synth options");
cl::opt<std::string> optVariant("variant", cl::desc("26b-a4b | 31b | e4b | e2b (required)"),
                                cl::value_desc("name"), cl::cat(cat));
cl::opt<std::string> optOut("o", cl::desc("Output checkpoint folder (required)"),
                            cl::value_desc("DIR"), cl::cat(cat));
cl::opt<int64_t> optLayers("layers", cl::desc("Number of decoder layers (default: all; see layer rule above)"),
                           cl::value_desc("N"), cl::init(0), cl::cat(cat));
cl::opt<int64_t> optShards("shards", cl::desc("Split into exactly K shard files (by size)"),
                           cl::value_desc("K"), cl::init(0), cl::cat(cat));
cl::opt<std::string> optShardSize("shard-size",
    cl::desc("Max bytes per shard (suffixes KB/MB/GB decimal, KiB/MiB/GiB binary; default 2GiB); "
             "a tensor larger than this gets its own shard"),
    cl::value_desc("BYTES"), cl::cat(cat));
cl::opt<std::string> optLayout("layout",
    cl::desc("multimodal (default, released: Gemma4ForConditionalGeneration, prefix "
             "model.language_model.) | text (Gemma4ForCausalLM, prefix model.)"),
    cl::init("multimodal"), cl::cat(cat));
cl::opt<std::string> optConfigFormat("config-format",
    cl::desc("hub (default, released: global_head_dim / num_global_key_value_heads) | "
             "per-layer (transformers-5: per_layer_config for full layers)"),
    cl::init("hub"), cl::cat(cat));
cl::opt<std::string> optDType("dtype", cl::desc("bf16 (default) | f16 | f32"), cl::init("bf16"),
                              cl::cat(cat));
cl::opt<uint64_t> optSeed("seed", cl::desc("PRNG seed (default 0); output is a pure function of "
                                           "the flags"), cl::init(0), cl::cat(cat));
cl::opt<int64_t> optVocab("vocab", cl::desc("FOR TESTS ONLY: override vocab_size and "
                                            "vocab_size_per_layer_input (not a released geometry)"),
                          cl::value_desc("V"), cl::init(0), cl::cat(cat));
cl::opt<bool> optForce("force", cl::desc("Replace DIR if it exists and is not empty"), cl::cat(cat));
cl::opt<bool> optDryRun("dry-run", cl::desc("Print the plan (config, tensors, shapes, files) as "
                                            "JSON on stdout; write nothing"), cl::cat(cat));
cl::opt<bool> optQuiet("quiet", cl::desc("No progress or summary on stderr"), cl::cat(cat));

const char *kOverview = R"(gemma-synth: synthetic Gemma 4 checkpoint writer

Writes DIR/{config.json, generation_config.json, model.safetensors} or, when
sharded, DIR/model-0000i-of-0000K.safetensors + model.safetensors.index.json,
exactly as transformers saves them (BF16 by default, names sorted per file,
"__metadata__": {"format": "pt"}, no lm_head.weight since it is tied). The
folder is written as DIR.tmp (removed first if left over) and renamed to DIR
at the end; on any error DIR.tmp is deleted and nothing is left at DIR.

Geometry: the released values of the variant (vocab 262144, hidden size, heads,
head_dim 256 / global_head_dim 512, experts, PLE...). Not written: v_proj on
attention_k_eq_v full layers; k_proj/v_proj/k_norm on KV-shared layers.

Layer rule for --layers N (< released L): layer_types = released pattern
truncated to N with the last layer forced to full_attention. For E2B/E4B
(KV sharing): num_kv_shared_layers = min(round(N * shared / L), max(N - 2, 0))
(E2B 20/35, E4B 18/42); if the non-shared prefix (first N - shared layers)
then has no full layer, its last layer becomes full (so both KV sources exist;
layer 0 is always sliding). E.g. e2b/e4b N=4 -> [S, F, S, F], 2 shared.
E2B's use_double_wide_mlp doubles the MLP width (12288) on the shared layers.

Random values (uniform, then rounded to the dtype with round-to-nearest-even):
norm weights U(0.9, 1.1), except q_norm/k_norm U(0.9, 1.1) * head_dim^(-1/4)
(attention scale is 1.0, so scores keep unit scale); linear [out, in] and
experts U(-a, a), a = 0.5 / sqrt(in); embed_tokens U(-b, b), b = sqrt(3 / H)
(unit RMS after the sqrt(H) scale; also the tied LM head);
embed_tokens_per_layer b = sqrt(3 / 256); router.proj U(-sqrt 3, sqrt 3)
(its input carries H^-1/2, so router logits have unit variance);
router.scale U(0.9, 1.1); router.per_expert_scale U(0.5, 1.5);
layer_scalar U(0.5, 1.0). Each 64Ki-element block of a tensor has its own
splitmix64 stream keyed by (seed, tensor name, block), so values do not depend
on sharding or threads.

Errors print one line "gemma-synth: error: ..." and exit 1.
)";

//===--------------------------------------------------------------------===//
// Errors and cleanup
//===--------------------------------------------------------------------===//

std::string gTmpDir; // removed on failure

[[noreturn]] void fail(const Twine &msg) {
  errs() << "gemma-synth: error: " << msg << "\n";
  errs().flush();
  if (!gTmpDir.empty())
    (void)sys::fs::remove_directories(gTmpDir);
  std::exit(1);
}

//===--------------------------------------------------------------------===//
// Random data
//===--------------------------------------------------------------------===//

constexpr int64_t kBlock = 1 << 16; // elements per independent PRNG stream

inline uint64_t splitmix64(uint64_t &s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline uint16_t toBF16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40); // NaN
  u += 0x7fffu + ((u >> 16) & 1);                                        // RNE
  return uint16_t(u >> 16);
}

inline uint16_t toF16(float f) { // RNE, with subnormals (after F. Giesen)
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
  if (ax >= 0x47800000u) return uint16_t(sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (ax < 0x38800000u) { // half subnormal: let the FPU round at 2^-24
    float af;
    memcpy(&af, &ax, 4);
    af += 0.5f;
    uint32_t r;
    memcpy(&r, &af, 4);
    return uint16_t(sign | (r - 0x3f000000u));
  }
  ax += (uint32_t(15 - 127) << 23) + 0xfffu + ((ax >> 13) & 1);
  return uint16_t(sign | (ax >> 13));
}

template <DType D> inline void store(char *dst, int64_t k, float v) {
  if constexpr (D == DType::F32) memcpy(dst + 4 * k, &v, 4);
  else { uint16_t h = D == DType::BF16 ? toBF16(v) : toF16(v); memcpy(dst + 2 * k, &h, 2); }
}

template <DType D> void fillBlockT(const Tensor &t, uint64_t seed, int64_t block, char *dst) {
  int64_t n = std::min(kBlock, t.numel - block * kBlock);
  uint64_t s = seed * 0xD6E8FEB86659FD93ull ^ t.hash ^ (uint64_t(block) * 0xD1B54A32D192ED03ull);
  splitmix64(s);
  const float lo = t.lo, scale = (t.hi - t.lo) * (1.0f / 16777216.0f);
  int64_t k = 0;
  for (; k + 1 < n; k += 2) {
    uint64_t r = splitmix64(s);
    store<D>(dst, k, lo + scale * float(r >> 40));
    store<D>(dst, k + 1, lo + scale * float((r >> 8) & 0xffffffu));
  }
  if (k < n) store<D>(dst, k, lo + scale * float(splitmix64(s) >> 40));
}

void fillBlock(DType d, const Tensor &t, uint64_t seed, int64_t block, char *dst) {
  switch (d) {
  case DType::BF16: return fillBlockT<DType::BF16>(t, seed, block, dst);
  case DType::F16: return fillBlockT<DType::F16>(t, seed, block, dst);
  case DType::F32: return fillBlockT<DType::F32>(t, seed, block, dst);
  }
}

//===--------------------------------------------------------------------===//
// Output
//===--------------------------------------------------------------------===//

struct Progress {
  uint64_t done = 0, total = 0, next = 0;
  bool quiet = false;
  void add(uint64_t n) {
    done += n;
    if (quiet || done < next) return;
    while (next <= done) next += 256ull << 20;
    fprintf(stderr, "gemma-synth: %.2f / %.2f GiB (%.0f%%)\n", done / 1073741824.0,
            total / 1073741824.0, 100.0 * done / std::max<uint64_t>(total, 1));
  }
};

class FileWriter {
  std::string path;
  int fd;
  std::vector<char> buf;
  size_t used = 0;
  Progress &prog;

public:
  FileWriter(std::string p, Progress &pr) : path(std::move(p)), buf(64u << 20), prog(pr) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create '" + path + "': " + strerror(errno));
  }
  void flush() {
    for (size_t off = 0; off < used;) {
      ssize_t w = ::write(fd, buf.data() + off, used - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) fail("writing '" + path + "': " + (w < 0 ? strerror(errno) : "short write"));
      off += size_t(w);
    }
    prog.add(used);
    used = 0;
  }
  void append(const char *p, size_t n) {
    if (used + n > buf.size()) flush();
    memcpy(buf.data() + used, p, n); // callers pass n <= buffer size
    used += n;
  }
  /// Generates t's data into the buffer, many blocks at a time in parallel.
  void appendTensor(const Tensor &t, DType d, uint64_t seed) {
    const size_t blockBytes = size_t(kBlock) * dtypeSize(d);
    const int64_t nBlocks = (t.numel + kBlock - 1) / kBlock;
    for (int64_t b = 0; b < nBlocks;) {
      int64_t fit = int64_t((buf.size() - used) / blockBytes);
      if (fit == 0) { flush(); continue; }
      int64_t n = std::min(fit, nBlocks - b);
      char *base = buf.data() + used;
      parallelFor(0, size_t(n), [&](size_t k) {
        fillBlock(d, t, seed, b + int64_t(k), base + k * blockBytes);
      });
      int64_t elems = std::min<int64_t>((b + n) * kBlock, t.numel) - b * kBlock;
      used += size_t(elems) * dtypeSize(d);
      b += n;
    }
  }
  void close() {
    flush();
    if (::close(fd) != 0) fail("closing '" + path + "': " + strerror(errno));
  }
};

void writeTextFile(const std::string &path, const std::string &text) {
  Progress dummy{0, 0, ~0ull, true};
  FileWriter w(path, dummy);
  w.append(text.data(), text.size());
  w.close();
}

std::string shardName(size_t k, size_t n) {
  if (n == 1) return "model.safetensors";
  char b[64];
  snprintf(b, sizeof b, "model-%05zu-of-%05zu.safetensors", k + 1, n);
  return b;
}

/// safetensors header: 8-byte LE length + compact JSON padded with spaces to 8.
std::string shardHeader(const std::vector<Tensor *> &ts, DType d) {
  Json h = Json::object();
  Json meta = Json::object();
  meta.set("format", "pt");
  h.obj.emplace_back("__metadata__", meta);
  for (const Tensor *t : ts) {
    Json e = Json::object(), shape = Json::array();
    for (int64_t s : t->shape) shape.arr.push_back(s);
    e.set("dtype", dtypeName(d));
    e.set("shape", shape);
    e.set("data_offsets", Json::array({t->offset, t->offset + t->bytes}));
    h.obj.emplace_back(t->name, e);
  }
  std::string js;
  writeJson(h, js, false);
  js.append((8 - js.size() % 8) % 8, ' ');
  uint64_t n = js.size();
  std::string out(8, '\0');
  for (int k = 0; k < 8; ++k) out[k] = char((n >> (8 * k)) & 0xff);
  return out + js;
}

bool parseSize(std::string s, uint64_t &out) {
  static const std::pair<const char *, uint64_t> units[] = {
      {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"KB", 1000ull},
      {"MB", 1000000ull}, {"GB", 1000000000ull}, {"B", 1}};
  uint64_t mul = 1;
  for (auto &u : units) {
    size_t n = strlen(u.first);
    if (s.size() > n && s.compare(s.size() - n, n, u.first) == 0) { mul = u.second; s.resize(s.size() - n); break; }
  }
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 15) return false;
  out = std::stoull(s) * mul;
  return out > 0;
}

} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(cat);
  std::string clErr;
  raw_string_ostream clErrs(clErr);
  if (!cl::ParseCommandLineOptions(argc, argv, kOverview, &clErrs)) {
    std::string line = clErr.substr(0, clErr.find('\n'));
    if (line.rfind("gemma-synth: ", 0) == 0) line = line.substr(13);
    fail(line);
  }

  const Variant *v = nullptr;
  std::string vname = StringRef(optVariant).lower();
  for (const Variant &c : kVariants)
    if (vname == c.name) v = &c;
  if (optVariant.empty()) fail("--variant is required (26b-a4b, 31b, e4b, e2b)");
  if (!v) fail("unknown variant '" + optVariant + "' (expected 26b-a4b, 31b, e4b or e2b)");
  if (optOut.empty() && !optDryRun) fail("-o DIR is required");
  int64_t N = optLayers.getNumOccurrences() ? (int64_t)optLayers : v->layers;
  if (N < 1 || N > v->layers)
    fail("--layers must be in 1.." + Twine(v->layers) + " for " + v->name + ", got " + Twine(N));
  if (optLayout != "multimodal" && optLayout != "text")
    fail("unknown --layout '" + optLayout + "' (expected multimodal or text)");
  if (optConfigFormat != "hub" && optConfigFormat != "per-layer")
    fail("unknown --config-format '" + optConfigFormat + "' (expected hub or per-layer)");
  DType dt;
  if (optDType == "bf16") dt = DType::BF16;
  else if (optDType == "f16") dt = DType::F16;
  else if (optDType == "f32") dt = DType::F32;
  else fail("unknown --dtype '" + optDType + "' (expected bf16, f16 or f32)");
  if (optVocab.getNumOccurrences() && optVocab < 1) fail("--vocab must be positive");
  if (optShards.getNumOccurrences() && optShards < 1) fail("--shards must be positive");
  if (optShards > 0 && !optShardSize.empty()) fail("--shards and --shard-size are exclusive");
  uint64_t maxShard = 2ull << 30;
  if (!optShardSize.empty() && !parseSize(optShardSize, maxShard))
    fail("bad --shard-size '" + optShardSize + "' (e.g. 2147483648, 2GiB, 500MB)");

  const bool multimodal = optLayout == "multimodal", hub = optConfigFormat == "hub";
  Plan plan = makePlan(*v, N, optVocab ? (int64_t)optVocab : kVocab);
  std::vector<Tensor> ts = makeTensors(plan, multimodal ? "model.language_model." : "model.");
  uint64_t totalBytes = 0, totalParams = 0;
  for (Tensor &t : ts) {
    t.bytes = uint64_t(t.numel) * dtypeSize(dt);
    totalBytes += t.bytes;
    totalParams += uint64_t(t.numel);
  }
  if (optShards > int64_t(ts.size()))
    fail("--shards " + Twine(int64_t(optShards)) + " exceeds the tensor count " + Twine(ts.size()));
  size_t nShards = assignShards(ts, optShards, maxShard);

  // Per shard: tensors sorted by name (as safetensors writes them), contiguous offsets.
  std::vector<std::vector<Tensor *>> files(nShards);
  for (Tensor &t : ts) files[t.shard].push_back(&t);
  for (auto &f : files) {
    std::sort(f.begin(), f.end(), [](auto *a, auto *b) { return a->name < b->name; });
    uint64_t off = 0;
    for (Tensor *t : f) { t->offset = off; off += t->bytes; }
  }

  Json index = Json::object(), meta = Json::object(), wmap = Json::object();
  meta.set("total_parameters", totalParams);
  meta.set("total_size", totalBytes);
  for (const Tensor &t : ts) wmap.set(t.name, shardName(t.shard, nShards));
  index.set("metadata", meta);
  index.set("weight_map", wmap);
  Json config = modelConfig(plan, multimodal, hub, dt);

  if (optDryRun) {
    Json out = Json::object(), list = Json::array();
    for (auto &f : files)
      for (const Tensor *t : f) {
        Json e = Json::object(), shape = Json::array();
        for (int64_t s : t->shape) shape.arr.push_back(s);
        e.set("name", t->name);
        e.set("shape", shape);
        e.set("file", shardName(t->shard, nShards));
        e.set("range", Json::array({double(t->lo), double(t->hi)}));
        list.arr.push_back(e);
      }
    out.set("config", config);
    out.set("generation_config", generationConfig());
    out.set("index", index);
    out.set("tensors", list);
    outs() << pretty(out);
    return 0;
  }

  // Output folder: write DIR.tmp, then rename.
  std::string dir = optOut;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  bool dirIsEmpty = true;
  if (sys::fs::is_directory(dir)) {
    std::error_code ec;
    sys::fs::directory_iterator it(dir, ec);
    dirIsEmpty = !ec && it == sys::fs::directory_iterator();
    if (!dirIsEmpty && !optForce)
      fail("output directory '" + dir + "' exists and is not empty (use --force to replace it)");
  } else if (sys::fs::exists(dir)) {
    fail("output path '" + dir + "' exists and is not a directory");
  }
  std::string tmp = dir + ".tmp";
  if (sys::fs::exists(tmp) && sys::fs::remove_directories(tmp))
    fail("cannot remove stale '" + tmp + "'");
  if (std::error_code ec = sys::fs::create_directory(tmp, /*IgnoreExisting=*/false))
    fail("cannot create '" + tmp + "': " + ec.message());
  gTmpDir = tmp;

  auto start = std::chrono::steady_clock::now();
  writeTextFile(tmp + "/config.json", pretty(config));
  writeTextFile(tmp + "/generation_config.json", pretty(generationConfig()));
  if (nShards > 1) writeTextFile(tmp + "/model.safetensors.index.json", pretty(index));

  Progress prog;
  prog.quiet = optQuiet;
  prog.next = 256ull << 20;
  std::vector<std::string> headers(nShards);
  for (size_t k = 0; k < nShards; ++k) {
    headers[k] = shardHeader(files[k], dt);
    prog.total += headers[k].size();
  }
  prog.total += totalBytes;
  for (size_t k = 0; k < nShards; ++k) {
    FileWriter w(tmp + "/" + shardName(k, nShards), prog);
    w.append(headers[k].data(), headers[k].size());
    for (const Tensor *t : files[k]) w.appendTensor(*t, dt, optSeed);
    w.close();
  }

  if (sys::fs::is_directory(dir)) {
    std::error_code ec = dirIsEmpty ? sys::fs::remove(dir) : sys::fs::remove_directories(dir);
    if (ec) fail("cannot replace '" + dir + "': " + ec.message());
  }
  if (std::error_code ec = sys::fs::rename(tmp, dir))
    fail("cannot rename '" + tmp + "' to '" + dir + "': " + ec.message());
  gTmpDir.clear();

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!optQuiet)
    fprintf(stderr, "gemma-synth: wrote %s: %zu tensors, %.3f GiB in %zu file(s), %.1f s\n",
            dir.c_str(), ts.size(), prog.total / 1073741824.0, nShards, secs);
  return 0;
}
