//===- cli.cpp - gemma-run command line ----------------------------------===//
//
// Flag parsing and the usage text, kept apart from the driver so the set of
// flags and their help stay in one place.
//
//===----------------------------------------------------------------------===//
#include "runtime/cli.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace gemma_rt {

namespace {

/// Strict decimal integer: optional '-', digits only, no overflow.
bool parseInt64(const std::string &s, int64_t &out) {
  if (s.empty())
    return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size())
    return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (static_cast<uint64_t>(INT64_MAX) - d) / 10)
      return false;
    v = v * 10 + d;
  }
  out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

Status parseCount(const std::string &flag, const std::string &value,
                  int64_t minValue, int64_t &out) {
  int64_t v;
  if (!parseInt64(value, v))
    return Status::error(
        format("%s: '%s' is not an integer", flag.c_str(), value.c_str()));
  if (v < minValue)
    return Status::error(format("%s: %lld is out of range (must be >= %lld)",
                                flag.c_str(), static_cast<long long>(v),
                                static_cast<long long>(minValue)));
  out = v;
  return Status::ok();
}

} // namespace

Status parseIdList(const std::string &text, const std::string &what,
                   std::vector<int64_t> &out) {
  out.clear();
  if (text.empty())
    return Status::error(format("%s: empty token id list", what.c_str()));
  size_t start = 0;
  for (size_t index = 0;; ++index) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    // Tolerate blanks around an id (e.g. "2, 17"), nothing else.
    size_t b = item.find_first_not_of(" \t\r\n");
    size_t e = item.find_last_not_of(" \t\r\n");
    item = b == std::string::npos ? std::string() : item.substr(b, e - b + 1);
    if (item.empty())
      return Status::error(format("%s: empty token id at index %zu in '%s'",
                                  what.c_str(), index, text.c_str()));
    int64_t v;
    if (!parseInt64(item, v))
      return Status::error(format("%s: token id '%s' at index %zu is not an integer",
                                  what.c_str(), item.c_str(), index));
    if (v < 0)
      return Status::error(format("%s: token id %lld at index %zu is negative",
                                  what.c_str(), static_cast<long long>(v), index));
    out.push_back(v);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return Status::ok();
}

namespace {

/// Strict finite decimal number ("0.95", "1e-3"); no trailing characters.
bool parseDouble(const std::string &s, double &out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])))
    return false;
  errno = 0;
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v))
    return false;
  out = v;
  return true;
}

Status parseReal(const std::string &flag, const std::string &value, double lo,
                 double hi, bool loOpen, float &out) {
  double v;
  if (!parseDouble(value, v))
    return Status::error(
        format("%s: '%s' is not a number", flag.c_str(), value.c_str()));
  if ((loOpen ? v <= lo : v < lo) || v > hi) {
    std::string range = hi == HUGE_VAL ? format("must be %s %g", loOpen ? ">" : ">=", lo)
                                       : format("must be in %s%g, %g]",
                                                loOpen ? "(" : "[", lo, hi);
    return Status::error(format("%s: %s is out of range (%s)", flag.c_str(),
                                value.c_str(), range.c_str()));
  }
  out = static_cast<float>(v);
  return Status::ok();
}

Status readFile(const std::string &flag, const std::string &path, std::string &out) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error(format("%s: cannot read '%s': %s", flag.c_str(),
                                path.c_str(), std::strerror(errno)));
  out.clear();
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    out.append(buf, n);
  bool bad = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (bad)
    return Status::error(format("%s: cannot read '%s': %s", flag.c_str(),
                                path.c_str(), std::strerror(err)));
  return Status::ok();
}

} // namespace

Status parseArgs(int argc, char **argv, Options &opts) {
  bool sawNPrompt = false, sawReps = false, sawDepth = false;
  bool sawPromptText = false, sawFile = false;
  std::string pValue; // -p: prompt text, or --bench's prompt size
  bool sawP = false;
  std::vector<std::string> samplingFlags, textOnlyFlags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasInlineValue = false;
    // Long flags also accept --flag=value.
    if (arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInlineValue = true;
      }
    }
    auto takeValue = [&](std::string &dst) -> Status {
      if (hasInlineValue) {
        dst = value;
        return Status::ok();
      }
      if (i + 1 >= argc)
        return Status::error(format("%s needs a value", arg.c_str()));
      dst = argv[++i];
      return Status::ok();
    };
    auto noValue = [&]() -> Status {
      if (hasInlineValue)
        return Status::error(format("%s takes no value", arg.c_str()));
      return Status::ok();
    };

    if (arg == "-h" || arg == "--help") {
      GEMMA_RT_TRY(noValue());
      opts.help = true;
      return Status::ok();
    } else if (arg == "--quiet") {
      GEMMA_RT_TRY(noValue());
      opts.quiet = true;
    } else if (arg == "--ids") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseIdList(v, "--ids", opts.ids));
      opts.haveIds = true;
    } else if (arg == "-n" || arg == "--n-predict") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      int64_t n;
      GEMMA_RT_TRY(parseCount(arg, v, -1, n));
      opts.nPredict = n;
      opts.benchGen = n;
      opts.nPredictSet = true;
    } else if (arg == "--logits-out") {
      GEMMA_RT_TRY(takeValue(opts.logitsOut));
      if (opts.logitsOut.empty())
        return Status::error("--logits-out: empty file name");
    } else if (arg == "--ids-out") {
      GEMMA_RT_TRY(takeValue(opts.idsOut));
      if (opts.idsOut.empty())
        return Status::error("--ids-out: empty file name");
    } else if (arg == "-m" || arg == "--weights") {
      GEMMA_RT_TRY(takeValue(opts.weights));
      if (opts.weights.empty())
        return Status::error(format("%s: empty file name", arg.c_str()));
    } else if (arg == "-t" || arg == "--threads") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      int64_t n;
      GEMMA_RT_TRY(parseCount(arg, v, 1, n));
      if (n > 4096)
        return Status::error(format("%s: %lld threads is out of range (max 4096)",
                                    arg.c_str(), static_cast<long long>(n)));
      opts.threads = static_cast<int>(n);
    } else if (arg == "-ub" || arg == "--ubatch-size") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, 1, opts.ubatch));
    } else if (arg == "--bench") {
      GEMMA_RT_TRY(noValue());
      opts.bench = true;
    } else if (arg == "-p") {
      // Prompt text, or with --bench the pp test size (llama-bench's -p).
      GEMMA_RT_TRY(takeValue(pValue));
      sawP = true;
    } else if (arg == "--prompt") {
      GEMMA_RT_TRY(takeValue(opts.prompt));
      sawPromptText = true;
    } else if (arg == "--n-prompt") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, 0, opts.benchPrompt));
      sawNPrompt = true;
    } else if (arg == "-r" || arg == "--repetitions") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, 1, opts.benchReps));
      sawReps = true;
    } else if (arg == "-d" || arg == "--n-depth") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, 0, opts.benchDepth));
      sawDepth = true;
    } else if (arg == "--profile") {
      GEMMA_RT_TRY(noValue());
      opts.profile = true;
    } else if (arg == "--bench-json") {
      GEMMA_RT_TRY(takeValue(opts.benchJson));
      if (opts.benchJson.empty())
        return Status::error("--bench-json: empty file name");
    } else if (arg == "-f" || arg == "--file") {
      std::string path;
      GEMMA_RT_TRY(takeValue(path));
      if (path.empty())
        return Status::error(format("%s: empty file name", arg.c_str()));
      GEMMA_RT_TRY(readFile(arg, path, opts.prompt));
      sawFile = true;
    } else if (arg == "--chat" || arg == "-cnv") {
      GEMMA_RT_TRY(noValue());
      opts.chat = true;
    } else if (arg == "--raw") {
      GEMMA_RT_TRY(noValue());
      opts.raw = true;
    } else if (arg == "--system" || arg == "-sys") {
      GEMMA_RT_TRY(takeValue(opts.system));
      opts.haveSystem = true;
      textOnlyFlags.push_back(arg);
    } else if (arg == "--think" || arg == "--no-think") {
      GEMMA_RT_TRY(noValue());
      opts.think = arg == "--think" ? 1 : 0;
      textOnlyFlags.push_back(arg);
    } else if (arg == "--tokenizer") {
      GEMMA_RT_TRY(takeValue(opts.tokenizer));
      if (opts.tokenizer.empty())
        return Status::error("--tokenizer: empty file name");
    } else if (arg == "--verbose-prompt") {
      GEMMA_RT_TRY(noValue());
      opts.verbosePrompt = true;
    } else if (arg == "--special" || arg == "-sp") {
      GEMMA_RT_TRY(noValue());
      opts.special = true;
      textOnlyFlags.push_back(arg);
    } else if (arg == "--ignore-eos") {
      GEMMA_RT_TRY(noValue());
      opts.ignoreEos = true;
      textOnlyFlags.push_back(arg);
    } else if (arg == "--temp" || arg == "--temperature") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseReal(arg, v, 0, HUGE_VAL, false, opts.temp));
      opts.haveTemp = true;
      samplingFlags.push_back(arg);
    } else if (arg == "--top-k") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, 0, opts.topK));
      opts.haveTopK = true;
      samplingFlags.push_back(arg);
    } else if (arg == "--top-p") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseReal(arg, v, 0, 1, false, opts.topP));
      opts.haveTopP = true;
      samplingFlags.push_back(arg);
    } else if (arg == "--min-p") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseReal(arg, v, 0, 1, false, opts.minP));
      opts.haveMinP = true;
      samplingFlags.push_back(arg);
    } else if (arg == "--repeat-penalty") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseReal(arg, v, 0, HUGE_VAL, true, opts.repeatPenalty));
      opts.haveRepeatPenalty = true;
      samplingFlags.push_back(arg);
    } else if (arg == "--repeat-last-n") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, -1, opts.repeatLastN));
      opts.haveRepeatLastN = true;
      samplingFlags.push_back(arg);
    } else if (arg == "-s" || arg == "--seed") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      samplingFlags.push_back(arg);
      if (v == "-1") { // llama.cpp: a random seed
        opts.haveSeed = false;
        continue;
      }
      bool okDigits = !v.empty() && v.size() <= 20 &&
                      v.find_first_not_of("0123456789") == std::string::npos;
      errno = 0;
      unsigned long long seed = okDigits ? std::strtoull(v.c_str(), nullptr, 10) : 0;
      if (!okDigits || errno == ERANGE)
        return Status::error(format(
            "%s: '%s' is not a seed (an integer in [0, 2^64), or -1 for random)",
            arg.c_str(), v.c_str()));
      opts.seed = seed;
      opts.haveSeed = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return Status::error(
          format("unknown flag '%s' (see gemma-run --help)", arg.c_str()));
    } else {
      return Status::error(format("unexpected argument '%s' (see gemma-run --help)",
                                  arg.c_str()));
    }
  }

  if (opts.bench) {
    if (sawP)
      GEMMA_RT_TRY(parseCount("-p", pValue, 0, opts.benchPrompt));
    if (opts.haveIds)
      return Status::error("--ids cannot be combined with --bench");
    if (sawPromptText || sawFile || opts.chat)
      return Status::error(format("%s cannot be combined with --bench",
                                  opts.chat ? "--chat" : sawFile ? "-f" : "--prompt"));
    if (!opts.logitsOut.empty())
      return Status::error("--logits-out cannot be combined with --bench");
    if (!opts.idsOut.empty())
      return Status::error("--ids-out cannot be combined with --bench");
    if (!samplingFlags.empty())
      return Status::error(format("%s cannot be combined with --bench",
                                  samplingFlags.front().c_str()));
    if (!textOnlyFlags.empty() || opts.raw)
      return Status::error(format("%s cannot be combined with --bench",
                                  opts.raw ? "--raw" : textOnlyFlags.front().c_str()));
    if (opts.nPredictSet && opts.nPredict < 0)
      return Status::error("-n: -1 is out of range (must be >= 0)");
    return Status::ok();
  }

  if (sawNPrompt)
    return Status::error("-p/--n-prompt is only valid with --bench");
  if (sawDepth)
    return Status::error("-d/--n-depth is only valid with --bench");
  if (sawReps)
    return Status::error("-r/--repetitions is only valid with --bench");
  if (!opts.benchJson.empty())
    return Status::error("--bench-json is only valid with --bench");

  // Exactly one prompt source.
  if (sawP) {
    opts.prompt = pValue;
    opts.promptFlag = "-p";
  } else if (sawPromptText) {
    opts.promptFlag = "--prompt";
  } else if (sawFile) {
    opts.promptFlag = "-f";
  }
  std::vector<std::string> sources;
  if (opts.haveIds)
    sources.push_back("--ids");
  if (sawP)
    sources.push_back("-p");
  if (sawPromptText)
    sources.push_back("--prompt");
  if (sawFile)
    sources.push_back("-f");
  if (opts.chat)
    sources.push_back("--chat");
  if (sources.size() > 1)
    return Status::error(format("%s and %s cannot be combined (one prompt: --ids, "
                                "-p TEXT, -f FILE or --chat)",
                                sources[0].c_str(), sources[1].c_str()));
  if (sources.empty())
    return Status::error("missing --ids, -p TEXT, -f FILE or --chat (what to run; "
                         "see gemma-run --help)");
  opts.havePrompt = sawP || sawPromptText || sawFile;

  if (opts.haveIds) {
    if (opts.nPredict < 0)
      return Status::error("-n: -1 is out of range (must be >= 0)");
    if (opts.raw)
      return Status::error("--raw is only valid with -p/-f (text prompts)");
    if (!textOnlyFlags.empty())
      return Status::error(format("%s is only valid with -p/-f or --chat",
                                  textOnlyFlags.front().c_str()));
    return Status::ok();
  }

  // Text modes.
  if (!opts.nPredictSet)
    opts.nPredict = -1;
  if (!opts.logitsOut.empty())
    return Status::error("--logits-out is only valid with --ids");
  if (opts.chat && !opts.idsOut.empty())
    return Status::error("--ids-out cannot be combined with --chat");
  if (opts.chat && opts.raw)
    return Status::error("--raw cannot be combined with --chat");
  if (opts.raw && opts.haveSystem)
    return Status::error("--system needs the chat template; drop --raw");
  if (opts.raw && opts.think >= 0)
    return Status::error(format("%s needs the chat template; drop --raw",
                                opts.think ? "--think" : "--no-think"));
  return Status::ok();
}

void printUsage(FILE *out) {
  std::fputs(
      "usage: gemma-run [options] -p TEXT           generate text (chat template applied)\n"
      "       gemma-run [options] --chat            interactive chat on stdin\n"
      "       gemma-run [options] --ids ID,ID,...   generate from token ids\n"
      "       gemma-run [options] --bench [-p N] [-n N] [-r N] [--bench-json FILE]\n"
      "\n"
      "Runs the Gemma model compiled into this executable. Text modes need a\n"
      "tokenizer (tokenizer.json next to this executable, or --tokenizer); they\n"
      "stream the generated text to stdout. --ids mode prints the generated ids\n"
      "(comma separated, one line). Timings go to stderr.\n"
      "\n"
      "prompt (exactly one of):\n"
      "  -p, --prompt TEXT      prompt text, sent as one user turn of the chat\n"
      "                         template (see --raw)\n"
      "  -f, --file FILE        read the prompt text from FILE\n"
      "  --chat, -cnv           interactive chat: each line read from stdin is a\n"
      "                         user turn (end a line with \\ to continue it); the\n"
      "                         KV cache is kept, so a turn prefills only its own\n"
      "                         tokens; ends at end of input\n"
      "  --ids ID,ID,...        prompt token ids, comma separated; each must be >= 0\n"
      "                         and < the vocabulary size. Generates exactly -n ids\n"
      "                         (no stop ids)\n"
      "\n"
      "text:\n"
      "  --raw                  feed -p/-f text as is (<bos> + text), without the\n"
      "                         chat template\n"
      "  --system, -sys TEXT    system prompt (a system turn before the first user\n"
      "                         turn)\n"
      "  --think, --no-think    thinking mode on (<|think|> in the system turn) or\n"
      "                         off (default)\n"
      "  --tokenizer FILE       tokenizer.json to use (default: tokenizer.json next\n"
      "                         to this executable)\n"
      "  --verbose-prompt       print the prompt token ids fed to the model (each\n"
      "                         chat turn: position and ids) on stderr\n"
      "  --special, -sp         also print special tokens (e.g. <|channel>)\n"
      "  --ignore-eos           do not stop on the stop ids (generation_config.json's\n"
      "                         eos_token_id list, and <turn|> in chat turns)\n"
      "\n"
      "generation:\n"
      "  -n, --n-predict N      tokens to generate (--ids: default 16, 0 = prefill\n"
      "                         only; text modes: default -1 = until a stop id or\n"
      "                         the context is full)\n"
      "  --logits-out FILE      (--ids) write the logits to FILE as a safetensors\n"
      "                         tensor \"logits\" F32 [R, vocab]: one row per prompt\n"
      "                         token, then one per decode step (R = prompt + N - 1,\n"
      "                         or prompt when N = 0)\n"
      "  --ids-out FILE         write the generated ids to FILE (comma separated,\n"
      "                         one line)\n"
      "  --quiet                print neither the ids on stdout nor timings on stderr\n"
      "\n"
      "sampling (text modes: defaults from the model's generation_config.json,\n"
      "greedy without one; --ids: greedy unless --temp is given):\n"
      "  --temp T               temperature (alias --temperature); 0 = greedy\n"
      "  --top-k N              keep the N most likely tokens (0 = off)\n"
      "  --top-p P              keep the most likely tokens up to probability mass\n"
      "                         P (1 = off)\n"
      "  --min-p P              keep tokens at least P times as likely as the most\n"
      "                         likely one (0 = off)\n"
      "  --repeat-penalty R     divide positive / multiply negative logits of\n"
      "                         recent tokens by R (1 = off, the default)\n"
      "  --repeat-last-n N      tokens the penalty looks back (default 64; 0 = off,\n"
      "                         -1 = the whole context)\n"
      "  -s, --seed N           random seed for reproducible runs (default -1 =\n"
      "                         random; printed on stderr)\n"
      "  Order: repetition penalty, temperature, top-k, top-p, min-p.\n"
      "\n"
      "benchmark (llama-bench style markdown table on stdout):\n"
      "  --bench                run the prompt processing (ppN) and text generation\n"
      "                         (tgN) tests\n"
      "  -p, --n-prompt N       pp test: prefill N random tokens (default 512; 0 skips)\n"
      "  -n, --n-predict N      tg test: decode N tokens one at a time (default 128;\n"
      "                         0 skips)\n"
      "  -r, --repetitions N    repetitions of each test (default 3)\n"
      "  -d, --n-depth N        tg test: decode at positions N.. (llama-bench's depth;\n"
      "                         the KV cache is not prefilled, which does not change\n"
      "                         the work; default 0)\n"
      "  --bench-json FILE      also write the results to FILE as JSON\n"
      "\n"
      "common:\n"
      "  -m, --weights PATH     weights file (default: weights.gpack next to this\n"
      "                         executable)\n"
      "  -ub, --ubatch-size N   most tokens per forward call (default: the\n"
      "                         compiled --max-chunk); 1 feeds the prompt token\n"
      "                         by token\n"
      "  --profile              print milliseconds per token of each op family\n"
      "                         (needs a model compiled with gemmac --profile)\n"
      "  -t, --threads N        OpenMP threads (default: all cores, or\n"
      "                         OMP_NUM_THREADS when set)\n"
      "  -h, --help             show this help and exit\n"
      "\n"
      "Long flags also accept --flag=VALUE.\n"
      "\n"
      "files next to this executable: weights.gpack, tokenizer.json,\n"
      "generation_config.json (stop ids, sampling defaults), chat_template.jinja\n"
      "(only consulted for the empty thought channel of non-thinking turns).\n"
      "\n"
      "environment:\n"
      "  GEMMA_RUN_CPU_MASK=HEX (testing) treat CPU features outside this\n"
      "                         GEMMA_CPU_* bit mask as absent\n",
      out);
}

} // namespace gemma_rt
