//===- gemma-inspect.cpp - print a Gemma 4 checkpoint's resolved geometry -===//
//
// gemma-inspect MODEL_DIR
//
// Parses MODEL_DIR/config.json exactly as gemmac does, prints the resolved
// model and per-layer geometry, then opens the safetensors checkpoint and
// checks that every tensor the model needs exists with the expected shape
// (the same checks as the compiler's importer). Any problem: one line
// "gemma-inspect: error: ..." on stderr and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "frontend/Checkpoint.h"
#include "frontend/ModelConfig.h"
#include "frontend/TensorManifest.h"
#include "frontend/WeightsPack.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace gemma;

static cl::OptionCategory category("gemma-inspect options");

static cl::opt<std::string> modelDir(cl::Positional, cl::Required,
                                     cl::desc("<model dir>"),
                                     cl::cat(category));

static cl::opt<bool> configOnly(
    "config-only",
    cl::desc("Only parse config.json and print the geometry; do not open the "
             "safetensors files"),
    cl::init(false), cl::cat(category));

static cl::opt<bool> listTensors(
    "list-tensors",
    cl::desc("Also print every tensor the model needs, with its expected shape "
             "(and its stored dtype unless --config-only)"),
    cl::init(false), cl::cat(category));

static cl::opt<std::string> writePackPath(
    "write-pack",
    cl::desc("Write every tensor the model needs into a weights.gpack-format "
             "file (to test the pack writer): entries are named like the "
             "checkpoint tensors, except that each layer's mlp.gate_proj and "
             "mlp.up_proj are concatenated into one entry "
             "'<prefix>layers.N.mlp.gate_up_proj'; the model hash uses the salt "
             "'gemma-inspect'"),
    cl::value_desc("file"), cl::cat(category));

static cl::opt<std::string> packDtype(
    "pack-dtype", cl::desc("Stored dtype of --write-pack entries: f32, bf16 "
                           "(default) or f16"),
    cl::init("bf16"), cl::cat(category));

static int fail(const Twine &msg) {
  outs().flush();
  WithColor::error(errs(), "gemma-inspect") << msg << "\n";
  return 1;
}

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

static std::string num(double v) { return formatv("{0}", format("%g", v)).str(); }

int main(int argc, char **argv) {
  InitLLVM x(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "gemma-inspect: print the resolved geometry of a Gemma 4 checkpoint\n\n"
      "Reads MODEL_DIR/config.json (text-only gemma4_text or multimodal "
      "gemma4;\nhub or transformers-5 per_layer_config format) and prints one "
      "line per decoder\nlayer: attention type, head_dim, KV heads, k_eq_v, "
      "KV-cache source layer,\nMLP width, RoPE theta and rotated pairs. Then "
      "opens the safetensors checkpoint\n(model.safetensors, a sharded "
      "model.safetensors.index.json, or every\n*.safetensors) and checks that "
      "every tensor the model needs is present with\nthe shape config.json "
      "implies, as gemmac does.\n\nExit status 0 if everything is "
      "consistent; otherwise 1 with a one-line\n'gemma-inspect: error: ...' "
      "on stderr.\n");

  if (!sys::fs::is_directory(modelDir))
    return fail(sys::fs::exists(modelDir)
                    ? "'" + modelDir + "' is not a directory"
                    : "model directory '" + modelDir + "' does not exist");
  SmallString<256> cfgPath(modelDir);
  sys::path::append(cfgPath, "config.json");
  Expected<ModelConfig> cfgOr = parseModelConfig(cfgPath);
  if (!cfgOr)
    return fail(toString(cfgOr.takeError()));
  const ModelConfig &c = *cfgOr;

  std::unique_ptr<Checkpoint> ckpt;
  if (!configOnly) {
    auto ck = Checkpoint::open(modelDir);
    if (!ck)
      return fail(toString(ck.takeError()));
    ckpt = std::move(*ck);
    if (Error e = checkTensors(c, *ckpt))
      return fail(toString(std::move(e)));
  }

  raw_ostream &os = outs();
  os << "config: " << c.configPath << "\n";
  os << "layout: "
     << (c.tensorPrefix == "model." ? "text-only" : "multimodal")
     << " prefix='" << c.tensorPrefix << "'\n";
  os << formatv("model: vocab={0} hidden={1} layers={2} heads={3} "
                "sliding_window={4} max_positions={5} rms_norm_eps={6} "
                "final_softcap={7} tie_word_embeddings={8}\n",
                c.vocabSize, c.hiddenSize, c.numLayers, c.numHeads,
                c.slidingWindow, c.maxPositions, num(c.rmsNormEps),
                num(c.finalSoftcap),
                c.tieWordEmbeddings ? "true" : "false");
  if (c.moe)
    os << formatv("moe: experts={0} top_k={1} moe_intermediate={2}\n",
                  c.numExperts, c.topK, c.moeIntermediateSize);
  else
    os << "moe: none\n";
  if (c.pleDim)
    os << formatv("ple: dim={0} vocab={1}\n", c.pleDim, c.pleVocabSize);
  else
    os << "ple: none\n";
  os << formatv("kv_shared_layers={0} double_wide_mlp={1}\n",
                c.numKvSharedLayers, c.doubleWideMlp ? "true" : "false");
  os << "tokens: bos=" << c.bosTokenId << " eos=[";
  for (size_t i = 0; i < c.eosTokenIds.size(); ++i)
    os << (i ? ", " : "") << c.eosTokenIds[i];
  os << "] pad=" << c.padTokenId << "\n";

  for (size_t l = 0; l < c.layers.size(); ++l) {
    const LayerGeometry &g = c.layers[l];
    os << formatv("layer {0}: {1} head_dim={2} kv_heads={3} k_eq_v={4} "
                  "kv_source={5} mlp={6} rope_theta={7} rope_pairs={8}\n",
                  l, g.sliding ? "sliding" : "full", g.headDim, g.numKvHeads,
                  g.kEqV ? 1 : 0,
                  g.kvSourceLayer >= 0 ? std::to_string(g.kvSourceLayer)
                                       : std::string("self"),
                  g.intermediateSize, num(g.ropeTheta), g.ropePairs);
  }

  std::vector<ExpectedTensor> manifest = expectedTensors(c);
  if (listTensors) {
    for (const ExpectedTensor &t : manifest) {
      os << "tensor " << t.name << " " << shapeStr(t.shape);
      if (ckpt) {
        if (const TensorInfo *ti = ckpt->find(t.name))
          os << " " << dtypeName(ti->dtype);
        else
          os << " absent";
      }
      if (t.optional)
        os << " (optional)";
      os << "\n";
    }
  }
  if (ckpt) {
    size_t required = 0, optionalPresent = 0;
    for (const ExpectedTensor &t : manifest) {
      if (!t.optional)
        ++required;
      else if (ckpt->find(t.name))
        ++optionalPresent;
    }
    size_t unused = ckpt->names().size() - required - optionalPresent;
    os << formatv("tensors: ok, {0} required present with the expected shapes, "
                  "{1} optional present, {2} unused\n",
                  required, optionalPresent, unused);
  }
  if (!writePackPath.empty()) {
    if (!ckpt)
      return fail("--write-pack needs the checkpoint (drop --config-only)");
    DType dt;
    if (packDtype == "f32")
      dt = DType::F32;
    else if (packDtype == "bf16")
      dt = DType::BF16;
    else if (packDtype == "f16")
      dt = DType::F16;
    else
      return fail("--pack-dtype must be f32, bf16 or f16, not '" + packDtype +
                  "'");
    PackPlan plan;
    for (const ExpectedTensor &t : manifest) {
      const TensorInfo *ti = ckpt->find(t.name);
      if (!ti || StringRef(t.name).ends_with(".mlp.up_proj.weight"))
        continue;
      StringRef name(t.name);
      if (name.consume_back(".mlp.gate_proj.weight")) {
        std::string up = (name + ".mlp.up_proj.weight").str();
        const TensorInfo *u = ckpt->find(up);
        std::vector<int64_t> shape = t.shape;
        shape[0] *= 2;
        plan.add((name + ".mlp.gate_up_proj").str(), dt, shape, {ti, u});
        continue;
      }
      plan.add(t.name, dt, t.shape, {ti});
    }
    uint64_t hash = plan.hash("gemma-inspect");
    uint64_t calls = 0;
    if (Error e = writePack(plan, hash, writePackPath,
                            [&](uint64_t, uint64_t) { ++calls; }))
      return fail(toString(std::move(e)));
    os << formatv("pack: wrote {0} entries, {1} data bytes, hash {2:x16}, "
                  "{3} progress calls\n",
                  plan.entries().size(), plan.dataSize(), hash, calls);
  }
  return 0;
}
