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

using namespace llvm;

namespace {

//===--------------------------------------------------------------------===//
// Released variants (spec 1.1). period = layer_types period (last one full).
//===--------------------------------------------------------------------===//

struct Variant {
  const char *name;
  int64_t hidden, layers, heads, kvHeads, globalKvHeads; // globalKv 0 = null
  int64_t headDim, globalHeadDim;
  bool kEqV;
  int64_t window, period, maxPos, intermediate;
  bool doubleWide, moe;
  int64_t experts, topK, moeIntermediate, ple, kvShared;
  const char *bidirectional; // nullptr = null
};

// clang-format off
const Variant kVariants[] = {
//  name       H     L   nq  kv gkv  hd  ghd  k_eq_v  W    per maxpos  I      dblwide moe    E    K  MI   PLE shared bidir
  {"26b-a4b",  2816, 30, 16,  8, 2, 256, 512, true,  1024, 6, 262144,  2112, false,  true,  128, 8, 704,   0,  0, "vision"},
  {"31b",      5376, 60, 32, 16, 4, 256, 512, true,  1024, 6, 262144, 21504, false,  false,   0, 0,   0,   0,  0, "vision"},
  {"e4b",      2560, 42,  8,  2, 0, 256, 512, false,  512, 6, 131072, 10240, false,  false,   0, 0,   0, 256, 18, nullptr},
  {"e2b",      1536, 35,  8,  1, 0, 256, 512, false,  512, 5, 131072,  6144, true,   false,   0, 0,   0, 256, 20, nullptr},
};
// clang-format on
constexpr int64_t kVocab = 262144;

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
// Minimal JSON tree; printed like Python's json.dumps (sort_keys, indent=2)
// for config/index files, or compactly in insertion order for headers.
//===--------------------------------------------------------------------===//

struct Json {
  enum Kind { Null, Bool, Int, Float, Str, Arr, Obj } kind = Null;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;

  Json() = default;
  Json(bool v) : kind(Bool), b(v) {}
  Json(int v) : kind(Int), i(v) {}
  Json(int64_t v) : kind(Int), i(v) {}
  Json(uint64_t v) : kind(Int), i(int64_t(v)) {}
  Json(double v) : kind(Float), f(v) {}
  Json(const char *v) : kind(v ? Str : Null), s(v ? v : "") {}
  Json(std::string v) : kind(Str), s(std::move(v)) {}
  static Json array(std::vector<Json> a = {}) { Json j; j.kind = Arr; j.arr = std::move(a); return j; }
  static Json object() { Json j; j.kind = Obj; return j; }
  Json &set(const std::string &k, Json v) {
    for (auto &kv : obj)
      if (kv.first == k) return kv.second = std::move(v);
    obj.emplace_back(k, std::move(v));
    return obj.back().second;
  }
  void erase(const std::string &k) {
    obj.erase(std::remove_if(obj.begin(), obj.end(), [&](auto &kv) { return kv.first == k; }),
              obj.end());
  }
};

/// Python float repr: shortest round-trip digits, exponent form if exp < -4 or >= 16.
std::string pyFloat(double v) {
  char buf[40];
  for (int p = 1; p <= 17; ++p) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    if (strtod(buf, nullptr) == v) break;
  }
  std::string str(buf), sign, digits;
  size_t pos = 0;
  if (str[0] == '-') { sign = "-"; pos = 1; }
  size_t e = str.find('e');
  for (size_t k = pos; k < e; ++k)
    if (str[k] != '.') digits += str[k];
  int exp = atoi(str.c_str() + e + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exp < -4 || exp >= 16) {
    std::string m = digits.substr(0, 1);
    if (digits.size() > 1) m += "." + digits.substr(1);
    snprintf(buf, sizeof buf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return sign + m + buf;
  }
  if (exp < 0) return sign + "0." + std::string(-exp - 1, '0') + digits;
  if ((int)digits.size() <= exp + 1) return sign + digits + std::string(exp + 1 - digits.size(), '0') + ".0";
  return sign + digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
}

void writeJson(const Json &j, std::string &out, bool pretty, int depth = 0) {
  auto nl = [&](int d) { if (pretty) { out += '\n'; out.append(2 * d, ' '); } };
  switch (j.kind) {
  case Json::Null: out += "null"; return;
  case Json::Bool: out += j.b ? "true" : "false"; return;
  case Json::Int: out += std::to_string(j.i); return;
  case Json::Float: out += pyFloat(j.f); return;
  case Json::Str:
    out += '"';
    for (char c : j.s) {
      if (c == '"' || c == '\\') { out += '\\'; out += c; }
      else if ((unsigned char)c < 0x20) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); out += b; }
      else out += c;
    }
    out += '"';
    return;
  case Json::Arr:
    if (j.arr.empty()) { out += "[]"; return; }
    out += '[';
    for (size_t k = 0; k < j.arr.size(); ++k) {
      if (k) out += ',';
      nl(depth + 1);
      writeJson(j.arr[k], out, pretty, depth + 1);
    }
    nl(depth);
    out += ']';
    return;
  case Json::Obj: {
    if (j.obj.empty()) { out += "{}"; return; }
    std::vector<const std::pair<std::string, Json> *> kv;
    for (auto &p : j.obj) kv.push_back(&p);
    if (pretty) // sort_keys=True
      std::sort(kv.begin(), kv.end(), [](auto *a, auto *b) { return a->first < b->first; });
    out += '{';
    for (size_t k = 0; k < kv.size(); ++k) {
      if (k) out += ',';
      nl(depth + 1);
      writeJson(Json(kv[k]->first), out, pretty);
      out += pretty ? ": " : ":";
      writeJson(kv[k]->second, out, pretty, depth + 1);
    }
    nl(depth);
    out += '}';
    return;
  }
  }
}

std::string pretty(const Json &j) { std::string s; writeJson(j, s, true); return s + "\n"; }

//===--------------------------------------------------------------------===//
// Model plan: layer types, config, tensor list
//===--------------------------------------------------------------------===//

enum class DType { BF16, F16, F32 };
int dtypeSize(DType d) { return d == DType::F32 ? 4 : 2; }
const char *dtypeName(DType d) { return d == DType::BF16 ? "BF16" : d == DType::F16 ? "F16" : "F32"; }
const char *torchDType(DType d) { return d == DType::BF16 ? "bfloat16" : d == DType::F16 ? "float16" : "float32"; }

struct Plan {
  const Variant *v;
  int64_t L, vocab, shared;
  std::vector<bool> full; // layer_types: true = full_attention
};

Plan makePlan(const Variant &v, int64_t N, int64_t vocab) {
  Plan p{&v, N, vocab, 0, std::vector<bool>(N)};
  for (int64_t l = 0; l < N; ++l) p.full[l] = l % v.period == v.period - 1;
  p.full[N - 1] = true;
  if (v.kvShared) {
    p.shared = std::min<int64_t>(std::llround(double(N) * v.kvShared / v.layers),
                                 std::max<int64_t>(N - 2, 0));
    int64_t first = N - p.shared;
    if (p.shared && std::find(p.full.begin(), p.full.begin() + first, true) == p.full.begin() + first)
      p.full[first - 1] = true;
  }
  return p;
}

Json rope() {
  Json full = Json::object(), sliding = Json::object(), r = Json::object();
  full.set("partial_rotary_factor", 0.25);
  full.set("rope_theta", 1000000.0);
  full.set("rope_type", "proportional");
  sliding.set("rope_theta", 10000.0);
  sliding.set("rope_type", "default");
  r.set("full_attention", full);
  r.set("sliding_attention", sliding);
  return r;
}

Json textConfig(const Plan &p, bool hub) {
  const Variant &v = *p.v;
  Json c = Json::object();
  auto orNull = [](bool present, int64_t x) { return present ? Json(x) : Json(); };
  c.set("attention_bias", false);
  c.set("attention_dropout", 0.0);
  c.set("attention_k_eq_v", v.kEqV);
  c.set("bos_token_id", 2);
  c.set("enable_moe_block", v.moe);
  c.set("eos_token_id", 1);
  c.set("final_logit_softcapping", 30.0);
  c.set("head_dim", v.headDim);
  c.set("hidden_activation", "gelu_pytorch_tanh");
  c.set("hidden_size", v.hidden);
  c.set("hidden_size_per_layer_input", v.ple);
  c.set("initializer_range", 0.02);
  c.set("intermediate_size", v.intermediate);
  Json types = Json::array();
  for (bool f : p.full) types.arr.push_back(f ? "full_attention" : "sliding_attention");
  c.set("layer_types", types);
  c.set("max_position_embeddings", v.maxPos);
  c.set("model_type", "gemma4_text");
  c.set("moe_intermediate_size", orNull(v.moe, v.moeIntermediate));
  c.set("num_attention_heads", v.heads);
  c.set("num_experts", orNull(v.moe, v.experts));
  c.set("num_hidden_layers", p.L);
  c.set("num_key_value_heads", v.kvHeads);
  c.set("num_kv_shared_layers", p.shared);
  c.set("pad_token_id", 0);
  if (hub) {
    c.set("global_head_dim", v.globalHeadDim);
    c.set("num_global_key_value_heads", orNull(v.globalKvHeads, v.globalKvHeads));
  } else {
    Json plc = Json::object();
    for (int64_t l = 0; l < p.L; ++l) {
      if (!p.full[l]) continue;
      Json o = Json::object();
      o.set("head_dim", v.globalHeadDim);
      if (v.kEqV) o.set("num_key_value_heads", v.globalKvHeads);
      plc.set(std::to_string(l), o);
    }
    c.set("per_layer_config", plc);
  }
  c.set("rms_norm_eps", 1e-06);
  c.set("rope_parameters", rope());
  c.set("sliding_window", v.window);
  c.set("tie_word_embeddings", true);
  c.set("top_k_experts", orNull(v.moe, v.topK));
  c.set("use_bidirectional_attention", Json(v.bidirectional));
  c.set("use_cache", true);
  c.set("use_double_wide_mlp", v.doubleWide);
  c.set("vocab_size", p.vocab);
  c.set("vocab_size_per_layer_input", p.vocab);
  return c;
}

const char *kTransformersVersion = "5.17.0";

Json modelConfig(const Plan &p, bool multimodal, bool hub, DType dt) {
  Json t = textConfig(p, hub);
  if (!multimodal) {
    t.set("architectures", Json::array({"Gemma4ForCausalLM"}));
    t.set("dtype", torchDType(dt));
    t.set("transformers_version", kTransformersVersion);
    return t;
  }
  Json c = Json::object();
  c.set("architectures", Json::array({"Gemma4ForConditionalGeneration"}));
  c.set("audio_config", Json());
  c.set("audio_token_id", 258881);
  c.set("boa_token_id", 256000);
  c.set("boi_token_id", 255999);
  c.set("dtype", torchDType(dt));
  c.set("eoa_token_index", 258883);
  c.set("eoi_token_id", 258882);
  if (hub) // released -it config.json
    c.set("eos_token_id", Json::array({1, 106}));
  c.set("image_token_id", 258880);
  c.set("initializer_range", 0.02);
  c.set("model_type", "gemma4");
  c.set("text_config", t);
  c.set("tie_word_embeddings", true);
  c.set("transformers_version", kTransformersVersion);
  c.set("video_token_id", 258884);
  c.set("vision_config", Json());
  return c;
}

Json generationConfig() {
  Json g = Json::object();
  g.set("bos_token_id", 2);
  g.set("do_sample", true);
  g.set("eos_token_id", Json::array({1, 106, 50}));
  g.set("pad_token_id", 0);
  g.set("temperature", 1.0);
  g.set("top_k", 64);
  g.set("top_p", 0.95);
  g.set("transformers_version", kTransformersVersion);
  return g;
}

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  float lo, hi; // values ~ U(lo, hi)
  int64_t numel = 1;
  uint64_t hash = 0, bytes = 0, offset = 0; // offset within its shard's data
  size_t shard = 0;
};

std::vector<Tensor> makeTensors(const Plan &p, const std::string &prefix) {
  const Variant &v = *p.v;
  const int64_t H = v.hidden, P = v.ple;
  std::vector<Tensor> ts;
  auto add = [&](const std::string &n, std::vector<int64_t> shape, double lo, double hi) {
    ts.push_back({prefix + n, std::move(shape), float(lo), float(hi)});
  };
  auto linear = [&](const std::string &n, std::vector<int64_t> shape) {
    double a = 0.5 / std::sqrt(double(shape.back())); // in_features = last dim
    add(n, std::move(shape), -a, a);
  };
  auto norm = [&](const std::string &n, int64_t w, double s = 1.0) { add(n, {w}, 0.9 * s, 1.1 * s); };

  double b = std::sqrt(3.0 / double(H));
  add("embed_tokens.weight", {p.vocab, H}, -b, b);
  norm("norm.weight", H);
  if (P) {
    double bp = std::sqrt(3.0 / double(P));
    add("embed_tokens_per_layer.weight", {p.vocab, p.L * P}, -bp, bp);
    linear("per_layer_model_projection.weight", {p.L * P, H});
    norm("per_layer_projection_norm.weight", P);
  }
  for (int64_t l = 0; l < p.L; ++l) {
    std::string ln = "layers." + std::to_string(l) + ".";
    bool full = p.full[l], shared = l >= p.L - p.shared, kvEq = v.kEqV && full;
    int64_t d = full ? v.globalHeadDim : v.headDim;
    int64_t nkv = kvEq ? v.globalKvHeads : v.kvHeads;
    int64_t I = v.intermediate * (v.doubleWide && shared ? 2 : 1);
    double qk = std::pow(double(d), -0.25);

    for (const char *n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"})
      norm(ln + n + ".weight", H);
    add(ln + "layer_scalar", {1}, 0.5, 1.0);
    linear(ln + "self_attn.q_proj.weight", {v.heads * d, H});
    linear(ln + "self_attn.o_proj.weight", {H, v.heads * d});
    norm(ln + "self_attn.q_norm.weight", d, qk);
    if (!shared) {
      linear(ln + "self_attn.k_proj.weight", {nkv * d, H});
      if (!kvEq) linear(ln + "self_attn.v_proj.weight", {nkv * d, H});
      norm(ln + "self_attn.k_norm.weight", d, qk);
    }
    linear(ln + "mlp.gate_proj.weight", {I, H});
    linear(ln + "mlp.up_proj.weight", {I, H});
    linear(ln + "mlp.down_proj.weight", {H, I});
    if (v.moe) {
      for (const char *n : {"pre_feedforward_layernorm_2", "post_feedforward_layernorm_1",
                            "post_feedforward_layernorm_2"})
        norm(ln + n + ".weight", H);
      add(ln + "router.proj.weight", {v.experts, H}, -std::sqrt(3.0), std::sqrt(3.0));
      norm(ln + "router.scale", H);
      add(ln + "router.per_expert_scale", {v.experts}, 0.5, 1.5);
      linear(ln + "experts.gate_up_proj", {v.experts, 2 * v.moeIntermediate, H});
      linear(ln + "experts.down_proj", {v.experts, H, v.moeIntermediate});
    }
    if (P) {
      linear(ln + "per_layer_input_gate.weight", {P, H});
      linear(ln + "per_layer_projection.weight", {H, P});
      norm(ln + "post_per_layer_input_norm.weight", H);
    }
  }
  for (Tensor &t : ts) {
    for (int64_t s : t.shape) t.numel *= s;
    t.hash = 0xcbf29ce484222325ull; // FNV-1a
    for (char c : t.name) t.hash = (t.hash ^ (unsigned char)c) * 0x100000001b3ull;
  }
  return ts;
}

/// "layers.2." < "layers.10.": module order for shard assignment.
bool naturalLess(const std::string &a, const std::string &b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (isdigit((unsigned char)a[i]) && isdigit((unsigned char)b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && isdigit((unsigned char)a[i2])) ++i2;
      while (j2 < b.size() && isdigit((unsigned char)b[j2])) ++j2;
      long long x = atoll(a.substr(i, i2 - i).c_str()), y = atoll(b.substr(j, j2 - j).c_str());
      if (x != y) return x < y;
      i = i2, j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

/// Assigns t.shard; returns the shard count.
size_t assignShards(std::vector<Tensor> &ts, int64_t shards, uint64_t maxBytes) {
  std::sort(ts.begin(), ts.end(), [](auto &a, auto &b) { return naturalLess(a.name, b.name); });
  uint64_t total = 0;
  for (auto &t : ts) total += t.bytes;
  size_t shard = 0;
  uint64_t cum = 0, cur = 0;
  for (size_t k = 0; k < ts.size(); ++k) {
    if (shards > 0) { // exactly K: cut at the k/K size quantiles, never leave a shard empty
      ts[k].shard = shard;
      cum += ts[k].bytes;
      int64_t shardsLeft = shards - 1 - int64_t(shard), tensorsLeft = int64_t(ts.size() - k - 1);
      if (shardsLeft > 0 &&
          (cum * (unsigned __int128)shards >= total * (unsigned __int128)(shard + 1) ||
           tensorsLeft == shardsLeft))
        ++shard;
    } else { // greedy like huggingface_hub: start a new shard when this one would overflow
      if (cur > 0 && cur + ts[k].bytes > maxBytes) { ++shard; cur = 0; }
      ts[k].shard = shard;
      cur += ts[k].bytes;
    }
  }
  return shards > 0 ? size_t(shards) : shard + 1;
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
