//===- main.cpp - gemma-run entry point ----------------------------------===//
//
// The order of checks before any generated code runs: flags, the generated
// model's ABI version, the CPU, generation_config.json, the tokenizer and
// the prompt against vocab/context, the weights pack, the output files.
// Then generation (--ids, -p/-f, --chat) or the benchmark. Any failure ends
// as one "gemma-run: error: ..." line and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "runtime/bench.h"
#include "runtime/chat.h"
#include "runtime/cli.h"
#include "runtime/cpu_features.h"
#include "runtime/driver.h"
#include "runtime/generation_config.h"
#include "runtime/profile.h"
#include "runtime/safetensors_writer.h"
#include "runtime/sampler.h"
#include "runtime/tokenizer.h"
#include "runtime/weights_pack.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <omp.h>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace gemma_rt;

namespace {

bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status checkContext(int64_t n, int64_t nPredict, const ModelInfo &m) {
  if (nPredict > m.context || n > m.context - std::max<int64_t>(nPredict, 0) ||
      (nPredict < 0 && n >= m.context))
    return Status::error(format(
        "prompt of %lld tokens + %lld to generate exceeds the context of %lld "
        "tokens (recompile with gemmac --ctx)",
        static_cast<long long>(n),
        static_cast<long long>(nPredict < 0 ? 1 : nPredict),
        static_cast<long long>(m.context)));
  return Status::ok();
}

Status validatePrompt(const Options &opts, const ModelInfo &m) {
  if (opts.ids.empty())
    return Status::error("--ids: the prompt needs at least one token id");
  for (size_t i = 0; i < opts.ids.size(); ++i)
    if (opts.ids[i] >= m.vocab)
      return Status::error(format(
          "--ids: token id %lld at index %zu is out of range (vocab size %lld)",
          static_cast<long long>(opts.ids[i]), i,
          static_cast<long long>(m.vocab)));
  return checkContext(static_cast<int64_t>(opts.ids.size()), opts.nPredict, m);
}

/// Ids from the tokenizer must exist in the compiled model.
Status checkTokenizerIds(const std::vector<int32_t> &ids, const ModelInfo &m) {
  for (int32_t id : ids)
    if (id < 0 || id >= m.vocab)
      return Status::error(format(
          "the tokenizer produced token id %d, outside the model's vocabulary "
          "of %lld (tokenizer and model do not match; see --tokenizer)",
          id, static_cast<long long>(m.vocab)));
  return Status::ok();
}

int setupThreads(const Options &opts) {
  if (opts.threads > 0)
    omp_set_num_threads(opts.threads);
  else if (!std::getenv("OMP_NUM_THREADS"))
    omp_set_num_threads(omp_get_num_procs());
  return omp_get_max_threads();
}

std::string joinIds(const std::vector<int32_t> &ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i)
      s += ',';
    s += std::to_string(ids[i]);
  }
  return s;
}

uint64_t randomSeed() {
  std::random_device rd;
  uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return s ^ static_cast<uint64_t>(nowSeconds() * 1e9);
}

/// Text modes start from generation_config.json's defaults; --ids mode is
/// the exact, reproducible path (scripts compare its ids with references),
/// so it stays greedy unless --temp asks for sampling.
SamplingParams resolveSampling(const Options &opts, const GenerationConfig &gen) {
  SamplingParams sp = gen.samplingDefaults();
  if (opts.haveIds)
    sp.temperature = 0;
  if (opts.haveTemp)
    sp.temperature = opts.temp;
  if (opts.haveTopK)
    sp.topK = opts.topK;
  if (opts.haveTopP)
    sp.topP = opts.topP;
  if (opts.haveMinP)
    sp.minP = opts.minP;
  if (opts.haveRepeatPenalty)
    sp.repeatPenalty = opts.repeatPenalty;
  if (opts.haveRepeatLastN)
    sp.repeatLastN = opts.repeatLastN;
  sp.seed = opts.haveSeed ? opts.seed : randomSeed();
  return sp;
}

/// Prints generated text as it becomes valid UTF-8.
class TextStream {
public:
  TextStream(const Tokenizer &tok, bool special, bool enabled)
      : tok(tok), dec(tok, !special), enabled(enabled) {}
  void push(int32_t id) {
    // Ids the tokenizer does not know (a model vocabulary padded past the
    // tokenizer's) have no text.
    if (!enabled || id >= tok.vocabSize())
      return;
    write(dec.push(id));
  }
  void finish() {
    if (!enabled)
      return;
    write(dec.finish());
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

private:
  void write(const std::string &s) {
    if (s.empty())
      return;
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  }
  const Tokenizer &tok;
  StreamDecoder dec;
  bool enabled;
};

void printTimings(const GenerationResult &r, int threads) {
  auto rate = [](int64_t tokens, double s) {
    return s > 0 ? static_cast<double>(tokens) / s : 0.0;
  };
  std::fprintf(stderr,
               "gemma-run: prompt eval: %lld tokens, %.2f t/s (%.2f ms); "
               "eval: %lld tokens, %.2f t/s (%.2f ms); threads: %d\n",
               static_cast<long long>(r.promptTokens),
               rate(r.promptTokens, r.promptSeconds), r.promptSeconds * 1e3,
               static_cast<long long>(r.evalRuns), rate(r.evalRuns, r.evalSeconds),
               r.evalSeconds * 1e3, threads);
}

/// --profile: time per op family (models compiled with gemmac --profile).
Status reportProfile(const Options &opts, const GenerationResult &r) {
  if (!opts.profile)
    return Status::ok();
  if (!profileHasData())
    return Status::error("--profile: this model was compiled without gemmac --profile");
  profilePrint(stderr, "per-op time over prompt and generation (ms per processed token)",
               static_cast<double>(r.promptTokens + r.evalRuns));
  return Status::ok();
}

void printPromptIds(int64_t pos, const std::vector<int32_t> &ids) {
  std::fprintf(stderr, "gemma-run: prefill at position %lld, %zu tokens: %s\n",
               static_cast<long long>(pos), ids.size(), joinIds(ids).c_str());
}

/// Whether the deployable's chat_template.jinja renders an empty thought
/// channel after the model header when thinking is off.
bool templateHasEmptyThought(const std::string &dir) {
  std::ifstream in(dir + "chat_template.jinja", std::ios::binary);
  if (!in)
    return false;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string t = ss.str();
  return t.find("<|channel>thought\\n<channel|>") != std::string::npos ||
         t.find("<|channel>thought\n<channel|>") != std::string::npos;
}

/// Reads one user turn: a line, continued while it ends with '\'.
bool readTurn(std::string &out) {
  out.clear();
  std::string line;
  bool any = false;
  while (std::getline(std::cin, line)) {
    any = true;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (!line.empty() && line.back() == '\\') {
      line.pop_back();
      out += line + "\n";
      continue;
    }
    out += line;
    return true;
  }
  return any;
}

Status run(int argc, char **argv) {
  Options opts;
  GEMMA_RT_TRY(parseArgs(argc, argv, opts));
  if (opts.help) {
    printUsage(stdout);
    return Status::ok();
  }

  const ModelInfo m = ModelInfo::fromGenerated();
  GEMMA_RT_TRY(m.validate());
  GEMMA_RT_TRY(checkCpuFeatures(static_cast<uint64_t>(m.cpuFeatures)));
  if (opts.bench)
    GEMMA_RT_TRY(validateBench(opts, m));
  else if (opts.haveIds)
    GEMMA_RT_TRY(validatePrompt(opts, m));

  const std::string dir = executableDir();
  GenerationConfig gen;
  if (!opts.bench)
    GEMMA_RT_TRY(GenerationConfig::load(dir + "generation_config.json", gen));

  // Text modes: the tokenizer and the first prompt are checked before the
  // weights are touched.
  std::unique_ptr<Tokenizer> tok;
  ChatTemplate chat;
  const bool templated = opts.chat || (opts.havePrompt && !opts.raw);
  std::vector<int32_t> prompt;
  if (opts.textMode()) {
    std::string path = opts.tokenizer.empty() ? dir + "tokenizer.json" : opts.tokenizer;
    if (opts.tokenizer.empty() && !fileExists(path))
      return Status::error(format(
          "%s needs a tokenizer, and this deployable has none (%s does not "
          "exist): pass --tokenizer FILE, or give token ids with --ids",
          opts.chat ? "--chat" : opts.promptFlag.c_str(), path.c_str()));
    GEMMA_RT_TRY(Tokenizer::load(path, tok));
    if (templated) {
      GEMMA_RT_TRY(ChatTemplate::create(*tok, static_cast<int32_t>(m.bos), chat));
      chat.setEmptyThoughtChannel(templateHasEmptyThought(dir));
    }
    if (opts.haveSystem)
      GEMMA_RT_TRY(ChatTemplate::checkUtf8(opts.system, "--system"));
    if (opts.havePrompt) {
      GEMMA_RT_TRY(ChatTemplate::checkUtf8(opts.prompt, opts.promptFlag.c_str()));
      if (templated) {
        GEMMA_RT_TRY(chat.firstTurn(opts.haveSystem ? &opts.system : nullptr,
                                    opts.think == 1, opts.prompt, prompt));
      } else {
        Status st = tok->encode(opts.prompt, /*addSpecial=*/true, prompt);
        if (!st.isOk())
          return Status::error(format("%s: %s", opts.promptFlag.c_str(),
                                      st.message().c_str()));
        int32_t bos = tok->bosId() >= 0 ? tok->bosId() : static_cast<int32_t>(m.bos);
        if (bos >= 0 && (prompt.empty() || prompt.front() != bos))
          prompt.insert(prompt.begin(), bos);
      }
      GEMMA_RT_TRY(checkTokenizerIds(prompt, m));
      GEMMA_RT_TRY(checkContext(static_cast<int64_t>(prompt.size()), opts.nPredict, m));
    }
  }

  const int threads = setupThreads(opts);

  WeightsPack pack;
  GEMMA_RT_TRY(pack.open(opts.weights.empty() ? defaultWeightsPath() : opts.weights,
                         static_cast<uint64_t>(m.modelHash),
                         static_cast<uint64_t>(m.weightsBytes),
                         opts.mmap ? WeightsLoad::Map : WeightsLoad::Read));
  if (!pack.loadNote().empty() && !opts.quiet)
    std::fprintf(stderr, "gemma-run: note: %s\n", pack.loadNote().c_str());

  const bool wantRows = !opts.logitsOut.empty();
  Engine engine;
  GEMMA_RT_TRY(engine.init(m, pack, wantRows ? m.maxChunk : 1));
  engine.capChunk(opts.ubatch);

  if (opts.bench)
    return runBench(engine, pack, opts, threads);

  const SamplingParams sp = resolveSampling(opts, gen);
  Sampler sampler(sp);
  if (!opts.quiet && (opts.textMode() || !sp.greedy()))
    std::fprintf(stderr, "gemma-run: sampling: %s\n", sp.describe().c_str());

  // Stop ids: generation_config.json's eos_token_id list (else the model's
  // eos), plus <turn|> when the chat template is used. --ids mode never stops.
  GenerateOptions gopts;
  gopts.nPredict = opts.nPredict;
  if (opts.textMode() && !opts.ignoreEos) {
    if (!gen.eosIds.empty())
      gopts.stopIds = gen.eosIds;
    else if (m.eos >= 0)
      gopts.stopIds.push_back(static_cast<int32_t>(m.eos));
    if (templated)
      gopts.stopIds.push_back(chat.endOfTurn());
  }

  // Outputs are created (as FILE.tmp) before compute so a bad path fails fast.
  SafetensorsWriter logits;
  AtomicFile idsFile;
  if (!opts.idsOut.empty())
    GEMMA_RT_TRY(idsFile.open(opts.idsOut, "--ids-out"));

  if (opts.haveIds) {
    const int64_t n = static_cast<int64_t>(opts.ids.size());
    if (wantRows)
      GEMMA_RT_TRY(logits.open(opts.logitsOut, "--logits-out", "logits",
                               opts.nPredict > 0 ? n + opts.nPredict - 1 : n,
                               m.vocab));
    prompt.assign(opts.ids.begin(), opts.ids.end());
    if (opts.verbosePrompt)
      printPromptIds(0, prompt);
    GenerationResult result;
    GEMMA_RT_TRY(generate(engine, sampler, prompt, opts.nPredict,
                          wantRows ? &logits : nullptr, result));
    const std::string line = joinIds(result.generated) + "\n";
    if (idsFile.isOpen())
      GEMMA_RT_TRY(idsFile.write(line));
    if (wantRows)
      GEMMA_RT_TRY(logits.commit());
    if (idsFile.isOpen())
      GEMMA_RT_TRY(idsFile.commit());
    if (!opts.quiet) {
      std::fputs(line.c_str(), stdout);
      std::fflush(stdout);
      printTimings(result, threads);
    }
    return reportProfile(opts, result);
  }

  if (opts.havePrompt) {
    if (opts.verbosePrompt)
      printPromptIds(0, prompt);
    TextStream out(*tok, opts.special, !opts.quiet);
    gopts.onToken = [&](int32_t id) {
      out.push(id);
      return true;
    };
    int64_t pos = 0;
    GenerationResult result;
    GEMMA_RT_TRY(generate(engine, sampler, pos, prompt, gopts, result));
    out.finish();
    if (idsFile.isOpen()) {
      GEMMA_RT_TRY(idsFile.write(joinIds(result.generated) + "\n"));
      GEMMA_RT_TRY(idsFile.commit());
    }
    if (!opts.quiet)
      printTimings(result, threads);
    return reportProfile(opts, result);
  }

  // --chat: one user turn per line of stdin, the KV cache kept between turns.
  const bool tty = ::isatty(0) && ::isatty(1);
  int64_t pos = 0;
  int32_t unfed = -1;
  bool first = true;
  int turns = 0;
  GenerationResult total;
  std::string turn;
  while (true) {
    if (tty) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
    }
    if (!readTurn(turn))
      break;
    if (ChatTemplate::trim(turn).empty())
      continue;
    ++turns;
    GEMMA_RT_TRY(ChatTemplate::checkUtf8(turn, format("stdin, turn %d", turns).c_str()));
    std::vector<int32_t> ids;
    if (first)
      GEMMA_RT_TRY(chat.firstTurn(opts.haveSystem ? &opts.system : nullptr,
                                  opts.think == 1, turn, ids));
    else
      GEMMA_RT_TRY(chat.nextTurn(unfed, opts.think == 1, turn, ids));
    GEMMA_RT_TRY(checkTokenizerIds(ids, m));
    const int64_t n = static_cast<int64_t>(ids.size());
    if (n >= m.context - pos)
      return Status::error(format(
          "the conversation is full: %lld tokens in the cache + %lld for this "
          "turn leave no room in the context of %lld tokens (recompile with "
          "gemmac --ctx)",
          static_cast<long long>(pos), static_cast<long long>(n),
          static_cast<long long>(m.context)));
    if (opts.verbosePrompt)
      printPromptIds(pos, ids);
    TextStream out(*tok, opts.special, !opts.quiet);
    gopts.onToken = [&](int32_t id) {
      out.push(id);
      return true;
    };
    GenerationResult result;
    GEMMA_RT_TRY(generate(engine, sampler, pos, ids, gopts, result));
    out.finish();
    if (opts.verbosePrompt)
      std::fprintf(stderr, "gemma-run: generated %zu tokens%s: %s\n",
                   result.generated.size(),
                   result.stopId >= 0 ? format(" (stop id %d)", result.stopId).c_str()
                                      : "",
                   joinIds(result.generated).c_str());
    unfed = result.unfed;
    first = false;
    total.promptTokens += result.promptTokens;
    total.promptSeconds += result.promptSeconds;
    total.evalRuns += result.evalRuns;
    total.evalSeconds += result.evalSeconds;
  }
  if (!opts.quiet && !first)
    printTimings(total, threads);
  return reportProfile(opts, total);
}

} // namespace

int main(int argc, char **argv) {
  Status st = run(argc, argv);
  if (!st.isOk()) {
    std::fflush(stdout);
    std::fprintf(stderr, "gemma-run: error: %s\n", st.message().c_str());
    return 1;
  }
  return 0;
}
