//===- gemmac.cpp - Gemma 4 checkpoint -> native deployable ---------------===//
//
//   gemmac MODEL_DIR -o OUT_DIR
//
// reads config.json + safetensors, builds the gemma-dialect model, runs the
// phases of codegen/Pipeline.cpp, emits an x86-64 object in-process, links it
// with the runtime into OUT_DIR/gemma-run and writes OUT_DIR/weights.gpack.
// OUT_DIR is assembled in a temporary folder and moved into place at the end,
// so a failed compile never leaves a half-written deployable.
//
//===----------------------------------------------------------------------===//
#include "Package.h"
#include "codegen/CpuTarget.h"
#include "codegen/EmitObject.h"
#include "codegen/Pipeline.h"
#include "frontend/Checkpoint.h"
#include "frontend/ModelConfig.h"
#include "frontend/WeightsPack.h"
#include "frontend/import/ImportModel.h"
#include "frontend/onnx/OnnxFrontend.h"
#include "passes/AmxDot.h"
#include "runtime/gemma_abi.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <chrono>

using namespace gemma;
namespace cl = llvm::cl;
namespace fs = llvm::sys::fs;

static cl::OptionCategory category("gemmac options");
static cl::opt<std::string> modelDir(cl::Positional, cl::desc("<model dir | model.onnx>"), cl::Required,
                                     cl::cat(category));
static cl::opt<std::string> outPath("o", cl::desc("Output: the deployable folder (or the file "
                                                  "for --emit=mlir/asm/llvm/obj)"),
                                    cl::value_desc("path"), cl::Required, cl::cat(category));
static cl::opt<std::string> cpuName("cpu",
                                    cl::desc("Target CPU: native (default), x86-64-v3 "
                                             "(AVX2+FMA), x86-64-v4 (AVX-512) or an LLVM "
                                             "CPU name such as znver3"),
                                    cl::init("native"), cl::cat(category));
static cl::opt<int64_t> contextSize("ctx",
                                    cl::desc("Context size the KV cache holds (default: "
                                             "min(max_position_embeddings, 4096))"),
                                    cl::init(0), cl::cat(category));
static cl::opt<int64_t> maxChunk("max-chunk",
                                 cl::desc("Most tokens per forward step; longer prompts are "
                                          "prefilled in chunks (default 256)"),
                                 cl::init(0), cl::cat(category));
enum class Emit { Deployable, Mlir, Lowered, Asm, LLVMIR, Obj, OnnxImport, OnnxRaised };
static cl::opt<Emit> emitKind(
    "emit", cl::desc("What to write"), cl::init(Emit::Deployable),
    cl::values(clEnumValN(Emit::Deployable, "deployable", "the deployable folder (default)"),
               clEnumValN(Emit::Mlir, "mlir", "the imported gemma-dialect IR"),
               clEnumValN(Emit::Lowered, "lowered", "the IR after all phases (LLVM dialect)"),
               clEnumValN(Emit::Asm, "asm", "x86-64 assembly of the model"),
               clEnumValN(Emit::LLVMIR, "llvm", "optimised LLVM IR of the model"),
               clEnumValN(Emit::Obj, "obj", "the model's object file"),
               clEnumValN(Emit::OnnxImport, "onnx-import",
                          "model.onnx only: the graph in the gemma_onnx import dialect"),
               clEnumValN(Emit::OnnxRaised, "onnx-raised",
                          "model.onnx only: the graph after the raising patterns")),
    cl::cat(category));
static cl::opt<bool> onnxReport("report",
                                cl::desc("model.onnx only: print, per ONNX op type, how many "
                                         "nodes were raised into which gemma op and how many "
                                         "were lowered generically"),
                                cl::cat(category));
static cl::opt<std::string> dumpDir("dump-after-phase",
                                    cl::desc("Write the IR after every phase into DIR "
                                             "(NN-<phase>.mlir)"),
                                    cl::value_desc("DIR"), cl::cat(category));
static cl::list<std::string> disabledPasses("disable-pass",
                                            cl::desc("Switch off a pass (repeatable); "
                                                     "--list-passes shows which can be"),
                                            cl::value_desc("NAME"), cl::cat(category));
static cl::opt<bool> profileOps("profile",
                                cl::desc("Time every op family at run time (gemma-run --profile "
                                         "prints where a token's time goes)"),
                                cl::cat(category));
static cl::opt<bool> listPasses("list-passes", cl::desc("List the phases and switchable passes"),
                                cl::cat(category));
static cl::opt<std::string> runtimeLib("runtime",
                                       cl::desc("libgemma_runtime.a to link (default: the one "
                                                "installed next to gemmac)"),
                                       cl::cat(category));
static cl::opt<std::string> tokenizerPath("tokenizer",
                                          cl::desc("tokenizer.json to bundle into the deployable "
                                                   "(default: the model folder's, when present)"),
                                          cl::value_desc("FILE"), cl::cat(category));
static cl::opt<WeightFormat> weightFormat(
    "weights",
    cl::desc("How the large matrices (attention q/k/v/o, MLP gate_up/down, experts, LM head "
             "and tied embedding table) are stored in weights.gpack (docs/weights.md). "
             "int8/int4 use one f16 scale per 32 weights along the input dimension; a matrix "
             "whose input dimension is not a multiple of 32 stays as in the checkpoint, and "
             "the router, norms, scalars and per-layer-input (PLE) tensors always do"),
    cl::init(WeightFormat::Checkpoint),
    cl::values(clEnumValN(WeightFormat::Checkpoint, "bf16",
                          "as in the checkpoint (bf16/f16/f32), widened in registers (default)"),
               clEnumValN(WeightFormat::Int8, "int8",
                          "q = round(w / s), s = max|w| / 127: 8.5 bits per weight (Q8_0)"),
               clEnumValN(WeightFormat::Int4, "int4",
                          "4-bit q in -8..7, s = w_maxabs / -8: 4.5 bits per weight (Q4_0)")),
    cl::cat(category));
enum class Activations { Auto, F32, Int8, Bf16 };
static cl::opt<Activations> activations(
    "activations",
    cl::desc("How activations enter the matrix products (docs/weights.md)"),
    cl::init(Activations::Auto),
    cl::values(clEnumValN(Activations::Auto, "auto",
                          "int8 with --weights int8|int4, f32 otherwise (default)"),
               clEnumValN(Activations::F32, "f32",
                          "f32, the weights dequantised to f32 in registers (with bf16 "
                          "weights on AMX-BF16 CPUs, prefill splits x into three bf16 terms "
                          "for AMX tiles, still f32-accurate)"),
               clEnumValN(Activations::Int8, "int8",
                          "quantised per block of 32 like the weights (llama.cpp's Q8_0 "
                          "activations); byte dot products, vpdpbusd with AVX-512 VNNI"),
               clEnumValN(Activations::Bf16, "bf16",
                          "rounded to bf16 for bf16 weights (llama.cpp's BF16 activations); "
                          "vdpbf16ps dot products, needs a --cpu with AVX512_BF16 (e.g. "
                          "sapphirerapids, cooperlake, znver4); with AMX-BF16 too "
                          "(sapphirerapids) prefills multiply on AMX tiles; logits differ "
                          "from f32 by ~1e-2")),
    cl::cat(category));
static cl::opt<bool> panelTiles(
    "panel-tiles",
    cl::desc("On AVX2 (8-lane) targets, prefill calls of 4+ tokens with bf16 weights and "
             "f32 activations re-lay each panel of weight rows once into tiles whose lanes "
             "are output rows (docs/passes.md). --panel-tiles=false keeps the row-major "
             "kernel: the same logits up to f32 rounding"),
    cl::init(true), cl::cat(category));
static cl::opt<bool> quiet("q", cl::desc("No progress output"), cl::cat(category));

namespace {
using Clock = std::chrono::steady_clock;
Clock::time_point start = Clock::now();

void progress(const std::string &msg) {
  if (quiet)
    return;
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  llvm::errs() << fmt::format("gemmac [{:6.1f}s] {}\n", s, msg);
}

[[noreturn]] void fail(const std::string &msg) {
  llvm::errs() << "gemmac: error: " << msg << "\n";
  std::exit(1);
}
void check(llvm::Error err) {
  if (err)
    fail(llvm::toString(std::move(err)));
}
template <typename T> T check(llvm::Expected<T> value) {
  if (!value)
    fail(llvm::toString(value.takeError()));
  return std::move(*value);
}

/// Weight bytes one decode step (T = 1) reads (GEMMA_INFO_DECODE_BYTES):
/// every packed entry once, except the routed experts (top_k of the
/// num_experts slices of each [E, ...] expert tensor) and the embedding
/// lookups (one row). A tied embedding is also the LM head, whose GEMV reads
/// all of it, on top of the looked-up row. The KV cache is not counted.
int64_t decodeBytesPerToken(const PackPlan &plan, const ModelConfig &cfg) {
  bool separateHead = false;
  for (const PackEntry &e : plan.entries())
    separateHead |= llvm::StringRef(e.name).starts_with("lm_head");
  uint64_t total = 0;
  for (const PackEntry &e : plan.entries()) {
    llvm::StringRef name(e.name);
    uint64_t row = e.shape.empty() || e.shape[0] <= 0 ? e.nbytes : e.nbytes / e.shape[0];
    if (name.starts_with("embed_tokens_per_layer"))
      total += row;
    else if (name.starts_with("embed_tokens"))
      total += row + (separateHead ? 0 : e.nbytes);
    else if (cfg.moe && name.contains(".experts.") && !e.shape.empty() &&
             e.shape[0] == cfg.numExperts)
      total += e.nbytes / uint64_t(cfg.numExperts) * uint64_t(cfg.topK);
    else
      total += e.nbytes;
  }
  return static_cast<int64_t>(total);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  cl::HideUnrelatedOptions(category);
  // --list-passes must work without the required arguments.
  for (int i = 1; i < argc; ++i)
    if (llvm::StringRef(argv[i]) == "--list-passes") {
      llvm::outs() << "phases (in order):\n  import: checkpoint -> gemma dialect\n";
      for (const mlir::gemma::Phase &p : mlir::gemma::phases())
        llvm::outs() << "  " << p.name << ": " << p.summary << "\n";
      llvm::outs() << "switchable passes (--disable-pass=NAME):\n";
      for (const std::string &p : mlir::gemma::switchablePasses())
        llvm::outs() << "  " << p << "\n";
      return 0;
    }
  cl::ParseCommandLineOptions(
      argc, argv,
      "gemmac: compile a Gemma 4 checkpoint (Hugging Face folder: config.json + "
      "*.safetensors) into a deployable folder\n\n  gemmac MODEL_DIR -o OUT_DIR\n\n"
      "OUT_DIR/gemma-run --ids 2,17,99 -n 16   runs it (see gemma-run --help).\n");

  std::vector<std::string> known = mlir::gemma::switchablePasses();
  for (const std::string &p : disabledPasses)
    if (std::find(known.begin(), known.end(), p) == known.end())
      fail(fmt::format("--disable-pass={}: no such switchable pass (see --list-passes)", p));

  if (!tokenizerPath.empty() && !fs::is_regular_file(tokenizerPath))
    fail(fmt::format("--tokenizer: {} does not exist or is not a file", tokenizerPath.getValue()));

  CpuTarget target = check(resolveCpuTarget(cpuName));
  if (activations == Activations::Auto)
    activations = weightFormat == WeightFormat::Checkpoint ? Activations::F32 : Activations::Int8;
  if (activations == Activations::Int8 && weightFormat == WeightFormat::Checkpoint)
    fail("--activations int8 multiplies int8 activations with quantised weights: add "
         "--weights int8 or --weights int4");
  if (activations == Activations::Bf16 && weightFormat != WeightFormat::Checkpoint)
    fail("--activations bf16 multiplies bf16 activations with bf16 weights: drop --weights "
         "int8/int4 (or use --activations int8 with them)");
  if (activations == Activations::Bf16 && !target.bf16Dot)
    fail(fmt::format("--activations bf16 needs AVX-512 with AVX512_BF16 (vdpbf16ps), which "
                     "--cpu {} lacks: pick a CPU that has it (sapphirerapids, cooperlake, "
                     "znver4) or --activations f32",
                     target.cpu));
  ModelConfig cfg;
  std::unique_ptr<Checkpoint> ckpt;
  std::string sideFiles = modelDir; // generation_config.json, tokenizer.json
  if (llvm::StringRef(modelDir).ends_with(".onnx")) {
    // ONNX frontend (docs/onnx.md): raised back to the same ModelConfig and
    // canonical tensors as a Hugging Face folder.
    progress("reading " + modelDir);
    using gemma::onnxfe::OnnxStop;
    OnnxStop stop = emitKind == Emit::OnnxImport   ? OnnxStop::AfterImport
                    : emitKind == Emit::OnnxRaised ? OnnxStop::AfterRaising
                                                   : OnnxStop::None;
    std::error_code ec;
    std::unique_ptr<llvm::raw_fd_ostream> irOut;
    if (stop != OnnxStop::None) {
      irOut = std::make_unique<llvm::raw_fd_ostream>(outPath, ec);
      if (ec)
        fail(fmt::format("cannot write {}: {}", outPath.getValue(), ec.message()));
    }
    gemma::onnxfe::OnnxInput in = check(gemma::onnxfe::readOnnxModel(modelDir, stop, irOut.get()));
    if (stop != OnnxStop::None)
      return 0;
    if (onnxReport)
      llvm::outs() << in.report;
    cfg = std::move(in.cfg);
    ckpt = std::move(in.ckpt);
    sideFiles = in.directory;
  } else {
    if (emitKind == Emit::OnnxImport || emitKind == Emit::OnnxRaised || onnxReport)
      fail("--emit=onnx-import, --emit=onnx-raised and --report need a model.onnx input");
    llvm::SmallString<256> configPath(modelDir);
    llvm::sys::path::append(configPath, "config.json");
    if (!fs::is_directory(modelDir))
      fail(fmt::format("model folder {} does not exist", modelDir.getValue()));
    progress("reading " + std::string(configPath));
    cfg = check(parseModelConfig(configPath));
    ckpt = check(Checkpoint::open(modelDir));
  }
  progress(fmt::format("model: {} layers, hidden {}, vocab {}{}{}", cfg.numLayers,
                       cfg.hiddenSize, cfg.vocabSize,
                       cfg.moe ? fmt::format(", {} experts top-{}", cfg.numExperts, cfg.topK) : "",
                       cfg.pleDim ? fmt::format(", per-layer inputs {}", cfg.pleDim) : ""));

  mlir::DialectRegistry registry;
  mlir::gemma::registerPipelineDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading(); // 2-core machines: threads buy nothing here

  ImportOptions importOptions;
  importOptions.context = contextSize;
  importOptions.maxChunk = maxChunk;
  importOptions.weights = weightFormat;
  ImportedModel model = check(importModel(context, cfg, *ckpt, importOptions));
  std::string salt = model.geometry + " cpu=" + target.cpu + " lanes=" +
                     std::to_string(target.vectorWidth) +
                     " weights=" + weightFormatName(weightFormat).str() +
                     (activations == Activations::Int8   ? " activations=int8"
                      : activations == Activations::Bf16 ? " activations=bf16"
                                                         : "");
  for (const std::string &p : disabledPasses)
    salt += " -" + p;
  uint64_t hash = model.pack.hash(salt);
  std::vector<int64_t> info(GEMMA_INFO_COUNT, 0);
  info[GEMMA_INFO_ABI_VERSION] = GEMMA_ABI_VERSION;
  info[GEMMA_INFO_MODEL_HASH] = static_cast<int64_t>(hash);
  info[GEMMA_INFO_VOCAB] = cfg.vocabSize;
  info[GEMMA_INFO_CONTEXT] = model.context;
  info[GEMMA_INFO_MAX_CHUNK] = model.maxChunk;
  info[GEMMA_INFO_KV_BYTES] = static_cast<int64_t>(model.kvBytes);
  info[GEMMA_INFO_SCRATCH_BYTES] = static_cast<int64_t>(model.scratchBytes);
  info[GEMMA_INFO_WEIGHTS_BYTES] = static_cast<int64_t>(model.pack.dataSize());
  // AMX is the one feature the code may need that LLVM never emits on its
  // own: required only where the AMX kernels are generated.
  bool useAmx = target.amxBf16 && mlir::gemma::moduleUsesAmx(*model.module);
  info[GEMMA_INFO_CPU_FEATURES] =
      static_cast<int64_t>(target.requiredBits | (useAmx ? GEMMA_CPU_AMXBF16 : 0));
  info[GEMMA_INFO_BOS] = cfg.bosTokenId;
  info[GEMMA_INFO_EOS] = cfg.eosTokenIds.empty() ? -1 : cfg.eosTokenIds.front();
  info[GEMMA_INFO_NUM_LAYERS] = cfg.numLayers;
  info[GEMMA_INFO_HIDDEN] = cfg.hiddenSize;
  info[GEMMA_INFO_DECODE_BYTES] = decodeBytesPerToken(model.pack, cfg);
  setModelInfo(*model.module, info);
  progress(fmt::format("imported: {} weight tensors ({:.1f} MiB), KV cache {:.1f} MiB for {} "
                       "positions, scratch {:.1f} MiB for {} tokens per step",
                       model.pack.entries().size(), model.pack.dataSize() / 1048576.0,
                       model.kvBytes / 1048576.0, model.context, model.scratchBytes / 1048576.0,
                       model.maxChunk));

  if (emitKind == Emit::Mlir) {
    std::error_code ec;
    llvm::raw_fd_ostream os(outPath, ec);
    if (ec)
      fail(fmt::format("cannot write {}: {}", outPath.getValue(), ec.message()));
    model.module->print(os);
    return 0;
  }

  mlir::gemma::PipelineOptions pipeline;
  pipeline.vectorWidth = target.vectorWidth;
  pipeline.dumpDir = dumpDir;
  pipeline.disabledPasses.insert(disabledPasses.begin(), disabledPasses.end());
  pipeline.profile = profileOps;
  pipeline.int8Activations = activations == Activations::Int8;
  pipeline.vnni = target.vnni;
  pipeline.bf16Activations = activations == Activations::Bf16;
  pipeline.amx = useAmx;
  pipeline.panelTiles = panelTiles;
  pipeline.verbose = !quiet;
  progress("compiling for " + target.describe());
  if (mlir::failed(mlir::gemma::runPhases(*model.module, pipeline)))
    fail("compilation failed (see the diagnostics above)");

  if (emitKind == Emit::Lowered) {
    std::error_code ec;
    llvm::raw_fd_ostream os(outPath, ec);
    if (ec)
      fail(fmt::format("cannot write {}: {}", outPath.getValue(), ec.message()));
    model.module->print(os);
    return 0;
  }
  if (emitKind == Emit::Asm || emitKind == Emit::LLVMIR || emitKind == Emit::Obj) {
    EmitKind k = emitKind == Emit::Asm    ? EmitKind::Assembly
                 : emitKind == Emit::Obj ? EmitKind::Object
                                         : EmitKind::LLVMIR;
    check(emitModule(*model.module, target, k, outPath));
    return 0;
  }

  std::string runtime = check(findRuntimeArchive(runtimeLib, argv[0]));
  std::string tmpDir = outPath + ".gemmac-tmp";
  fs::remove_directories(tmpDir);
  if (std::error_code ec = fs::create_directories(tmpDir))
    fail(fmt::format("cannot create {}: {}", tmpDir, ec.message()));
  auto cleanupAndFail = [&](llvm::Error err) {
    fs::remove_directories(tmpDir);
    check(std::move(err));
  };
  llvm::SmallString<256> object(tmpDir);
  llvm::sys::path::append(object, "model.o");
  progress("emitting x86-64 code");
  if (llvm::Error err = emitModule(*model.module, target, EmitKind::Object, object))
    cleanupAndFail(std::move(err));
  progress("linking gemma-run");
  if (llvm::Error err = linkDeployable(object, runtime, tmpDir))
    cleanupAndFail(std::move(err));
  progress("linking libgemma.so (C API)");
  if (llvm::Error err = linkCApi(object, runtime, tmpDir))
    cleanupAndFail(std::move(err));
  fs::remove(object);
  llvm::SmallString<256> packPath(tmpDir);
  llvm::sys::path::append(packPath, "weights.gpack");
  progress(fmt::format("writing weights.gpack ({:.1f} MiB)", model.pack.dataSize() / 1048576.0));
  uint64_t lastReport = 0;
  if (llvm::Error err = writePack(model.pack, hash, packPath, [&](uint64_t done, uint64_t total) {
        if (done - lastReport >= (uint64_t(1) << 30) || done == total) {
          lastReport = done;
          progress(fmt::format("  {:.1f} / {:.1f} GiB", done / 1073741824.0, total / 1073741824.0));
        }
      }))
    cleanupAndFail(std::move(err));
  if (llvm::Error err = copyModelFiles(sideFiles, tokenizerPath, tmpDir))
    cleanupAndFail(std::move(err));
  if (llvm::Error err = commitDirectory(tmpDir, outPath))
    cleanupAndFail(std::move(err));
  progress(fmt::format("wrote {}/gemma-run and {}/weights.gpack", outPath.getValue(),
                       outPath.getValue()));
  return 0;
}
