//===- cli.cpp - gemma-run command line ----------------------------------===//
//
// Flag parsing and the usage text, kept apart from the driver so the set of
// flags and their help stay in one place.
//
//===----------------------------------------------------------------------===//
#include "runtime/cli.h"

#include <cerrno>
#include <climits>
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

Status parseArgs(int argc, char **argv, Options &opts) {
  bool sawPrompt = false, sawReps = false, sawDepth = false;
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
      GEMMA_RT_TRY(parseCount(arg, v, 0, n));
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
    } else if (arg == "-p" || arg == "--n-prompt") {
      std::string v;
      GEMMA_RT_TRY(takeValue(v));
      GEMMA_RT_TRY(parseCount(arg, v, 0, opts.benchPrompt));
      sawPrompt = true;
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
    } else if (!arg.empty() && arg[0] == '-') {
      return Status::error(
          format("unknown flag '%s' (see gemma-run --help)", arg.c_str()));
    } else {
      return Status::error(format("unexpected argument '%s' (see gemma-run --help)",
                                  arg.c_str()));
    }
  }

  if (opts.bench) {
    if (opts.haveIds)
      return Status::error("--ids cannot be combined with --bench");
    if (!opts.logitsOut.empty())
      return Status::error("--logits-out cannot be combined with --bench");
    if (!opts.idsOut.empty())
      return Status::error("--ids-out cannot be combined with --bench");
  } else {
    if (sawPrompt)
      return Status::error("-p/--n-prompt is only valid with --bench");
    if (sawReps)
      return Status::error("-r/--repetitions is only valid with --bench");
    if (sawDepth)
      return Status::error("-d/--n-depth is only valid with --bench");
    if (!opts.benchJson.empty())
      return Status::error("--bench-json is only valid with --bench");
    if (!opts.haveIds)
      return Status::error("missing --ids (prompt token ids, e.g. --ids 2,17,99; "
                           "see gemma-run --help)");
  }
  return Status::ok();
}

void printUsage(FILE *out) {
  std::fputs(
      "usage: gemma-run [options] --ids ID,ID,...\n"
      "       gemma-run [options] --bench [-p N] [-n N] [-r N] [--bench-json FILE]\n"
      "\n"
      "Runs the Gemma model compiled into this executable on prompt token ids\n"
      "and generates greedily. Generated ids go to stdout (comma separated, one\n"
      "line), timings to stderr.\n"
      "\n"
      "generation:\n"
      "  --ids ID,ID,...        prompt token ids, comma separated (required unless\n"
      "                         --bench); each must be >= 0 and < the vocabulary size\n"
      "  -n, --n-predict N      tokens to generate (default 16; 0 = prefill only)\n"
      "  --logits-out FILE      write the logits to FILE as a safetensors tensor\n"
      "                         \"logits\" F32 [R, vocab]: one row per prompt token,\n"
      "                         then one per decode step (R = prompt + N - 1, or\n"
      "                         prompt when N = 0)\n"
      "  --ids-out FILE         write the N generated ids to FILE (comma separated,\n"
      "                         one line)\n"
      "  --quiet                print neither the ids on stdout nor timings on stderr\n"
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
      "environment:\n"
      "  GEMMA_RUN_CPU_MASK=HEX (testing) treat CPU features outside this\n"
      "                         GEMMA_CPU_* bit mask as absent\n",
      out);
}

} // namespace gemma_rt
