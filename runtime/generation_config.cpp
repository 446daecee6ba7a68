//===- generation_config.cpp - generation_config.json reader -------------===//
#include "runtime/generation_config.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <climits>
#include <cmath>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace gemma_rt {

namespace {

using json = nlohmann::json;

bool isInt(const json &v) { return v.is_number_integer() || v.is_number_unsigned(); }

Status fieldError(const std::string &path, const char *field, const char *what) {
  return Status::error(format("%s: field '%s' %s", path.c_str(), field, what));
}

/// Reads an optional number field (null counts as absent).
Status number(const json &root, const std::string &path, const char *field,
              bool &have, double &out) {
  auto it = root.find(field);
  if (it == root.end() || it->is_null())
    return Status::ok();
  if (!it->is_number() || !std::isfinite(it->get<double>()))
    return fieldError(path, field, "must be a number");
  have = true;
  out = it->get<double>();
  return Status::ok();
}

Status tokenId(const json &v, const std::string &path, const char *field,
               int32_t &out) {
  if (!isInt(v) || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX)
    return fieldError(path, field, "must be a non-negative token id or a list of them");
  out = static_cast<int32_t>(v.get<int64_t>());
  return Status::ok();
}

} // namespace

std::string executableDir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return "";
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  return slash == std::string::npos ? "" : exe.substr(0, slash + 1);
}

Status GenerationConfig::load(const std::string &path, GenerationConfig &out) {
  out = GenerationConfig();
  out.path = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
    return Status::ok();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(format("cannot read %s: %s", path.c_str(), osError(errno).c_str()));
  std::stringstream ss;
  ss << in.rdbuf();
  json root = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    return Status::error(format("%s: not valid JSON", path.c_str()));
  if (!root.is_object())
    return Status::error(format("%s: not a JSON object", path.c_str()));
  out.present = true;

  auto eos = root.find("eos_token_id");
  if (eos != root.end() && !eos->is_null()) {
    if (eos->is_array()) {
      for (const json &v : *eos) {
        int32_t id;
        GEMMA_RT_TRY(tokenId(v, path, "eos_token_id", id));
        out.eosIds.push_back(id);
      }
    } else {
      int32_t id;
      GEMMA_RT_TRY(tokenId(*eos, path, "eos_token_id", id));
      out.eosIds.push_back(id);
    }
  }
  auto bos = root.find("bos_token_id");
  if (bos != root.end() && !bos->is_null())
    GEMMA_RT_TRY(tokenId(*bos, path, "bos_token_id", out.bosId));
  auto doSample = root.find("do_sample");
  if (doSample != root.end() && !doSample->is_null()) {
    if (!doSample->is_boolean())
      return fieldError(path, "do_sample", "must be true or false");
    out.haveDoSample = true;
    out.doSample = doSample->get<bool>();
  }
  GEMMA_RT_TRY(number(root, path, "temperature", out.haveTemperature, out.temperature));
  GEMMA_RT_TRY(number(root, path, "top_p", out.haveTopP, out.topP));
  GEMMA_RT_TRY(number(root, path, "min_p", out.haveMinP, out.minP));
  GEMMA_RT_TRY(number(root, path, "repetition_penalty", out.haveRepetitionPenalty,
                      out.repetitionPenalty));
  auto topK = root.find("top_k");
  if (topK != root.end() && !topK->is_null()) {
    if (!isInt(*topK) || topK->get<int64_t>() < 0)
      return fieldError(path, "top_k", "must be a non-negative integer");
    out.haveTopK = true;
    out.topK = topK->get<int64_t>();
  }
  if (out.temperature < 0)
    return fieldError(path, "temperature", "must be >= 0");
  if (out.topP < 0 || out.topP > 1)
    return fieldError(path, "top_p", "must be in [0, 1]");
  if (out.minP < 0 || out.minP > 1)
    return fieldError(path, "min_p", "must be in [0, 1]");
  if (out.repetitionPenalty <= 0)
    return fieldError(path, "repetition_penalty", "must be > 0");
  return Status::ok();
}

SamplingParams GenerationConfig::samplingDefaults() const {
  SamplingParams s;
  bool sampling = haveDoSample ? doSample
                               : (haveTemperature || haveTopK || haveTopP || haveMinP);
  s.temperature = sampling ? static_cast<float>(haveTemperature ? temperature : 1.0) : 0.0f;
  s.topK = haveTopK ? topK : 0;
  s.topP = static_cast<float>(haveTopP ? topP : 1.0);
  s.minP = static_cast<float>(haveMinP ? minP : 0.0);
  s.repeatPenalty = static_cast<float>(haveRepetitionPenalty ? repetitionPenalty : 1.0);
  return s;
}

} // namespace gemma_rt
