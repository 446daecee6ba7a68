//===- cli.cpp - gemma-run command line ----------------------------------===//
//
// Flag parsing, kept apart from the driver so the set of flags stays in one
// place; the usage text is next door in cli_usage.cpp.
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
    } else if (arg == "--mmap" || arg == "--no-mmap") {
      GEMMA_RT_TRY(noValue());
      opts.mmap = arg == "--mmap";
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

} // namespace gemma_rt
