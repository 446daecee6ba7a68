//===- gemma_capi.cpp - the C API (gemma.h) over the runtime -------------===//
//
// Compiled into libgemma_runtime.a; gemmac links it with the generated model
// object into OUT/libgemma.so, exporting only the gemma_* functions of
// gemma.h. No C++ exception crosses the C boundary.
//
//===----------------------------------------------------------------------===//
#include "runtime/capi/gemma.h"

#include "runtime/chat.h"
#include "runtime/cpu_features.h"
#include "runtime/driver.h"
#include "runtime/generation_config.h"
#include "runtime/sampler.h"
#include "runtime/tokenizer.h"
#include "runtime/weights_pack.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <omp.h>
#include <string>
#include <sys/stat.h>

using namespace gemma_rt;

struct gemma_model {
  ModelInfo info{};
  WeightsPack pack;
  Engine engine;
  GenerationConfig gen;
  std::unique_ptr<Tokenizer> tok;
  ChatTemplate chat;
  Status chatStatus = Status::error("the deployable has no tokenizer");
  std::vector<int32_t> stopIds;
  int threads = 0; // 0: the OpenMP default
};

namespace {

thread_local std::string lastError;

int fail(const std::string &msg) {
  lastError = msg;
  return -1;
}

/// Runs `body`, turning a Status error or an exception into -1 + message.
template <typename F> int guarded(F &&body) {
  try {
    return body();
  } catch (const std::exception &e) {
    return fail(std::string("internal error: ") + e.what());
  } catch (...) {
    return fail("internal error");
  }
}

#define CAPI_TRY(expr)                                                         \
  do {                                                                         \
    ::gemma_rt::Status _st = (expr);                                           \
    if (!_st.isOk())                                                           \
      return fail(_st.message());                                              \
  } while (0)

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

SamplingParams toParams(const gemma_sampling &s) {
  SamplingParams p;
  p.temperature = s.temperature;
  p.topK = s.top_k;
  p.topP = s.top_p;
  p.minP = s.min_p;
  p.repeatPenalty = s.repeat_penalty;
  p.repeatLastN = s.repeat_last_n;
  p.seed = s.seed;
  return p;
}

int copyIds(const std::vector<int32_t> &ids, int32_t *out, int maxIds) {
  if (maxIds > 0 && out)
    std::copy_n(ids.begin(), std::min<size_t>(ids.size(), static_cast<size_t>(maxIds)),
                out);
  return static_cast<int>(ids.size());
}

} // namespace

extern "C" {

const char *gemma_last_error(void) { return lastError.c_str(); }

gemma_model *gemma_load(const char *deployable_dir, int n_threads) {
  gemma_model *result = nullptr;
  int rc = guarded([&]() -> int {
    if (!deployable_dir || !*deployable_dir)
      return fail("gemma_load: no deployable folder given");
    std::string dir = deployable_dir;
    if (dir.back() != '/')
      dir += '/';
    std::unique_ptr<gemma_model> m(new gemma_model());
    m->info = ModelInfo::fromGenerated();
    CAPI_TRY(m->info.validate());
    CAPI_TRY(checkCpuFeatures(static_cast<uint64_t>(m->info.cpuFeatures)));
    // OpenMP's thread count is per calling thread: remembered here and set
    // by every gemma_generate.
    if (n_threads > 0)
      m->threads = n_threads;
    else if (!std::getenv("OMP_NUM_THREADS"))
      m->threads = omp_get_num_procs();
    CAPI_TRY(GenerationConfig::load(dir + "generation_config.json", m->gen));
    if (exists(dir + "tokenizer.json")) {
      CAPI_TRY(Tokenizer::load(dir + "tokenizer.json", m->tok));
      m->chatStatus =
          ChatTemplate::create(*m->tok, static_cast<int32_t>(m->info.bos), m->chat);
    }
    if (!exists(dir + "weights.gpack"))
      return fail(format("%sweights.gpack does not exist (is %s a gemmac deployable?)",
                         dir.c_str(), deployable_dir));
    // GEMMA_MMAP=1: map the weights (gemma-run --mmap); else read them into
    // huge pages.
    const char *mmapEnv = std::getenv("GEMMA_MMAP");
    bool map = mmapEnv && *mmapEnv && std::strcmp(mmapEnv, "0") != 0;
    CAPI_TRY(m->pack.open(dir + "weights.gpack", static_cast<uint64_t>(m->info.modelHash),
                          static_cast<uint64_t>(m->info.weightsBytes),
                          map ? WeightsLoad::Map : WeightsLoad::Read));
    CAPI_TRY(m->engine.init(m->info, m->pack, 1));
    if (!m->gen.eosIds.empty())
      m->stopIds = m->gen.eosIds;
    else if (m->info.eos >= 0)
      m->stopIds.push_back(static_cast<int32_t>(m->info.eos));
    if (m->chatStatus.isOk())
      m->stopIds.push_back(m->chat.endOfTurn());
    result = m.release();
    return 0;
  });
  if (rc != 0)
    return nullptr;
  lastError.clear();
  return result;
}

void gemma_free(gemma_model *model) { delete model; }

int32_t gemma_vocab_size(const gemma_model *model) {
  return model ? static_cast<int32_t>(model->info.vocab) : -1;
}

int32_t gemma_context_size(const gemma_model *model) {
  return model ? static_cast<int32_t>(model->info.context) : -1;
}

int gemma_has_tokenizer(const gemma_model *model) {
  return model && model->tok ? 1 : 0;
}

void gemma_default_sampling(const gemma_model *model, gemma_sampling *out) {
  if (!out)
    return;
  SamplingParams p = model ? model->gen.samplingDefaults() : SamplingParams();
  out->temperature = p.temperature;
  out->top_k = static_cast<int32_t>(p.topK);
  out->top_p = p.topP;
  out->min_p = p.minP;
  out->repeat_penalty = p.repeatPenalty;
  out->repeat_last_n = static_cast<int32_t>(p.repeatLastN);
  out->seed = 0;
}

int gemma_tokenize(gemma_model *model, const char *text, int add_bos,
                   int32_t *ids, int max_ids) {
  return guarded([&]() -> int {
    if (!model || !text)
      return fail("gemma_tokenize: null argument");
    if (!model->tok)
      return fail("gemma_tokenize: the deployable has no tokenizer.json");
    std::vector<int32_t> out;
    CAPI_TRY(model->tok->encode(text, /*addSpecial=*/false, out));
    if (add_bos) {
      int32_t bos = model->tok->bosId() >= 0 ? model->tok->bosId()
                                             : static_cast<int32_t>(model->info.bos);
      if (bos >= 0 && (out.empty() || out.front() != bos))
        out.insert(out.begin(), bos);
    }
    return copyIds(out, ids, max_ids);
  });
}

int gemma_detokenize(gemma_model *model, const int32_t *ids, int n_ids, char *buf,
                     int buf_size) {
  return guarded([&]() -> int {
    if (!model || (!ids && n_ids > 0) || n_ids < 0)
      return fail("gemma_detokenize: bad argument");
    if (!model->tok)
      return fail("gemma_detokenize: the deployable has no tokenizer.json");
    std::string text;
    CAPI_TRY(model->tok->decode(ids, static_cast<size_t>(n_ids), /*skipSpecial=*/true, text));
    if (buf && buf_size > 0) {
      size_t n = std::min(text.size(), static_cast<size_t>(buf_size - 1));
      std::memcpy(buf, text.data(), n);
      buf[n] = '\0';
    }
    return static_cast<int>(text.size());
  });
}

int gemma_chat_prompt(gemma_model *model, const char *system, const char *user,
                      int think, int32_t *ids, int max_ids) {
  return guarded([&]() -> int {
    if (!model || !user)
      return fail("gemma_chat_prompt: null argument");
    CAPI_TRY(model->chatStatus);
    std::string sys = system ? system : "";
    std::vector<int32_t> out;
    CAPI_TRY(model->chat.firstTurn(system ? &sys : nullptr, think != 0, user, out));
    return copyIds(out, ids, max_ids);
  });
}

int gemma_generate(gemma_model *model, const int32_t *prompt, int n_prompt,
                   int max_tokens, const gemma_sampling *sampling,
                   gemma_token_callback callback, void *user_data) {
  return guarded([&]() -> int {
    if (!model || !prompt || n_prompt <= 0)
      return fail("gemma_generate: needs a model and at least one prompt token");
    gemma_sampling s;
    if (sampling)
      s = *sampling;
    else
      gemma_default_sampling(model, &s);
    Sampler sampler(toParams(s));
    std::unique_ptr<StreamDecoder> dec;
    if (model->tok)
      dec.reset(new StreamDecoder(*model->tok, /*skipSpecial=*/true));
    GenerateOptions options;
    options.nPredict = max_tokens;
    options.stopIds = model->stopIds;
    if (callback)
      options.onToken = [&](int32_t id) {
        if (!dec)
          return callback(id, nullptr, user_data) == 0;
        std::string piece = id < model->tok->vocabSize() ? dec->push(id) : std::string();
        return callback(id, piece.c_str(), user_data) == 0;
      };
    if (model->threads > 0)
      omp_set_num_threads(model->threads);
    std::vector<int32_t> ids(prompt, prompt + n_prompt);
    int64_t pos = 0;
    GenerationResult result;
    CAPI_TRY(generate(model->engine, sampler, pos, ids, options, result));
    return static_cast<int>(result.generated.size());
  });
}

} // extern "C"
