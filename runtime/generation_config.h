//===- generation_config.h - the model's generation_config.json ----------===//
//
// Hugging Face's generation defaults, read at run time from the deployable
// (gemmac copies the model folder's file): the stop ids (eos_token_id, an
// int or a list: Gemma 4 -it models list 1, 106 and 50) and the sampling
// defaults (Gemma 4: temperature 1.0, top_k 64, top_p 0.95).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_GENERATION_CONFIG_H
#define GEMMA_RUNTIME_GENERATION_CONFIG_H

#include "runtime/sampler.h"
#include "runtime/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gemma_rt {

struct GenerationConfig {
  bool present = false;        // the file existed
  std::string path;
  std::vector<int32_t> eosIds; // every eos_token_id, in file order
  int32_t bosId = -1;
  bool haveDoSample = false, doSample = false;
  bool haveTemperature = false, haveTopK = false, haveTopP = false,
       haveMinP = false, haveRepetitionPenalty = false;
  double temperature = 1.0, topP = 1.0, minP = 0.0, repetitionPenalty = 1.0;
  int64_t topK = 0;

  /// Reads `path`. A missing file is not an error (present stays false); a
  /// file that is not JSON or has a field of the wrong type is, naming the
  /// file and the field.
  static Status load(const std::string &path, GenerationConfig &out);

  /// Sampling defaults the file implies, like transformers: do_sample when
  /// given, else sampling when it sets any of temperature/top_k/top_p/min_p;
  /// otherwise greedy (temperature 0). top_k/top_p/min_p/repetition_penalty
  /// are taken from the file either way (so `--temp 0.7` on a greedy config
  /// still uses them); unset ones are off (top_k 0, top_p 1, min_p 0).
  SamplingParams samplingDefaults() const;
};

/// The directory of /proc/self/exe with a trailing '/' ("" if unknown).
std::string executableDir();

} // namespace gemma_rt

#endif
