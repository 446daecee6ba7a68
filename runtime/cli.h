//===- cli.h - gemma-run command line ------------------------------------===//
//
// Parses gemma-run's llama.cpp-flavoured flags into Options. Parsing is
// strict (no silent clamping): a bad value is an error naming the flag and
// the value. Checks that need the model (vocab, context) live in main.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_CLI_H
#define GEMMA_RUNTIME_CLI_H

#include "runtime/status.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gemma_rt {

struct Options {
  bool help = false;
  bool quiet = false;

  // Prompt: exactly one of --ids, -p/-f, --chat (or --bench).
  std::vector<int64_t> ids; // prompt ids as given (>= 0; vocab checked later)
  bool haveIds = false;
  std::string prompt;       // -p TEXT or the contents of -f FILE
  bool havePrompt = false;
  std::string promptFlag;   // "-p" or "-f" (for messages)
  bool chat = false;        // --chat: interactive, turns read from stdin
  bool raw = false;         // --raw: -p text without the chat template
  std::string system;       // --system TEXT
  bool haveSystem = false;
  int think = -1;           // --think 1, --no-think 0, unset -1 (off)
  std::string tokenizer;    // --tokenizer FILE (default: next to gemma-run)
  bool verbosePrompt = false;
  bool special = false;     // print special tokens
  bool ignoreEos = false;

  // Generation.
  int64_t nPredict = 16;    // --ids default; text modes default to -1
  bool nPredictSet = false;
  std::string logitsOut;
  std::string idsOut;

  // Sampling overrides (unset: generation_config.json's defaults).
  bool haveTemp = false, haveTopK = false, haveTopP = false, haveMinP = false,
       haveRepeatPenalty = false, haveRepeatLastN = false, haveSeed = false;
  float temp = 0, topP = 1, minP = 0, repeatPenalty = 1;
  int64_t topK = 0, repeatLastN = 64;
  uint64_t seed = 0;

  // Benchmark.
  int64_t ubatch = 0; // -ub: most tokens per forward call (0: as compiled)
  bool bench = false;
  int64_t benchPrompt = 512;
  int64_t benchGen = 128; // -n in bench mode
  int64_t benchReps = 3;
  int64_t benchDepth = 0; // -d: tg decodes from this position (KV not prefilled)
  bool profile = false;   // print time per op family (gemmac --profile models)
  std::string benchJson;

  // Common.
  std::string weights; // empty: weights.gpack next to the executable
  bool mmap = false;   // --mmap: map the weights instead of reading them
  int threads = 0;     // 0: default (all cores unless OMP_NUM_THREADS)

  /// -p/-f or --chat: text in, text out through the tokenizer.
  bool textMode() const { return havePrompt || chat; }
};

/// Parses argv into `opts` (reading -f FILE). Mode conflicts (e.g. --bench
/// with --ids) are errors; --help short-circuits everything else.
Status parseArgs(int argc, char **argv, Options &opts);

/// Parses "2,17,99" into non-negative ids. `what` names the source in errors
/// (e.g. "--ids").
Status parseIdList(const std::string &text, const std::string &what,
                   std::vector<int64_t> &out);

/// Writes the complete usage text.
void printUsage(FILE *out);

} // namespace gemma_rt

#endif
