//===- PyJson.h - JSON printed the way Python's json module does -*- C++ -*-===//
//
// gemma-synth's files must be byte-for-byte what transformers writes:
// config.json with sort_keys and indent=2 and Python's float repr ("1e-06",
// "1000000.0"), safetensors headers compact in insertion order. llvm::json
// prints floats and orders keys its own way, hence this small tree.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_TOOLS_GEMMA_SYNTH_PYJSON_H
#define GEMMA_TOOLS_GEMMA_SYNTH_PYJSON_H

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gemma_synth {

//===--------------------------------------------------------------------===//
// Minimal JSON tree; printed like Python's json.dumps (sort_keys, indent=2)
// for config/index files, or compactly in insertion order for headers.
//===--------------------------------------------------------------------===//

struct Json {
  enum Kind { Null, Bool, Int, Float, Str, Arr, Obj } kind = Null;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;

  Json() = default;
  Json(bool v) : kind(Bool), b(v) {}
  Json(int v) : kind(Int), i(v) {}
  Json(int64_t v) : kind(Int), i(v) {}
  Json(uint64_t v) : kind(Int), i(int64_t(v)) {}
  Json(double v) : kind(Float), f(v) {}
  Json(const char *v) : kind(v ? Str : Null), s(v ? v : "") {}
  Json(std::string v) : kind(Str), s(std::move(v)) {}
  static Json array(std::vector<Json> a = {}) { Json j; j.kind = Arr; j.arr = std::move(a); return j; }
  static Json object() { Json j; j.kind = Obj; return j; }
  Json &set(const std::string &k, Json v) {
    for (auto &kv : obj)
      if (kv.first == k) return kv.second = std::move(v);
    obj.emplace_back(k, std::move(v));
    return obj.back().second;
  }
  void erase(const std::string &k) {
    obj.erase(std::remove_if(obj.begin(), obj.end(), [&](auto &kv) { return kv.first == k; }),
              obj.end());
  }
};

/// Python float repr: shortest round-trip digits, exponent form if exp < -4 or >= 16.
std::string pyFloat(double v);
/// Appends j: pretty = json.dumps(sort_keys=True, indent=2), else compact.
void writeJson(const Json &j, std::string &out, bool pretty, int depth = 0);
/// json.dumps(j, sort_keys=True, indent=2) + "\n".
std::string pretty(const Json &j);

} // namespace gemma_synth

#endif
