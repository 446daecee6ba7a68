//===- ConfigFields.h - typed, path-naming reads of config.json -*- C++ -*-===//
//
// Private to frontend/Config*.cpp: reads fields of one JSON object with
// errors that read "<config path>: field 'a.b': what is wrong".
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_CONFIGFIELDS_H
#define GEMMA_FRONTEND_CONFIGFIELDS_H

#include "frontend/ModelConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace gemma::config {

using namespace llvm;

/// Reads typed fields of one JSON object, producing errors that name the
/// config file and the dotted field path.
class Fields {
public:
  Fields(StringRef file, const json::Object &obj, std::string prefix)
      : file(file.str()), obj(obj), prefix(std::move(prefix)) {}

  std::string path(StringRef key) const { return prefix + key.str(); }

  Error err(StringRef key, const Twine &what) const {
    return createStringError(inconvertibleErrorCode(), "%s: field '%s': %s",
                             file.c_str(), path(key).c_str(),
                             what.str().c_str());
  }

  /// Present and not null.
  const json::Value *get(StringRef key) const {
    const json::Value *v = obj.get(key);
    if (!v || v->kind() == json::Value::Null)
      return nullptr;
    return v;
  }
  bool has(StringRef key) const { return obj.get(key) != nullptr; }

  static StringRef kindName(const json::Value &v) {
    switch (v.kind()) {
    case json::Value::Null: return "null";
    case json::Value::Boolean: return "a boolean";
    case json::Value::Number: return "a number";
    case json::Value::String: return "a string";
    case json::Value::Array: return "an array";
    case json::Value::Object: return "an object";
    }
    return "?";
  }

  Expected<std::optional<int64_t>> optInt(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return std::optional<int64_t>();
    if (std::optional<int64_t> i = v->getAsInteger())
      return std::optional<int64_t>(*i);
    return err(key, "expected an integer, got " + describe(*v));
  }
  Expected<int64_t> reqInt(StringRef key) const {
    if (!has(key))
      return err(key, "missing (required)");
    if (!get(key))
      return err(key, "is null (an integer is required)");
    auto v = optInt(key);
    if (!v)
      return v.takeError();
    return **v;
  }
  Expected<int64_t> intOr(StringRef key, int64_t dflt) const {
    auto v = optInt(key);
    if (!v)
      return v.takeError();
    return v->value_or(dflt);
  }
  Expected<int64_t> positive(StringRef key) const {
    auto v = reqInt(key);
    if (!v)
      return v.takeError();
    if (*v <= 0)
      return err(key, formatv("must be positive, got {0}", *v));
    return *v;
  }
  Expected<std::optional<double>> optNum(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return std::optional<double>();
    if (std::optional<double> d = v->getAsNumber())
      return std::optional<double>(*d);
    return err(key, "expected a number, got " + describe(*v));
  }
  Expected<double> numOr(StringRef key, double dflt) const {
    auto v = optNum(key);
    if (!v)
      return v.takeError();
    return v->value_or(dflt);
  }
  Expected<bool> boolOr(StringRef key, bool dflt) const {
    const json::Value *v = get(key);
    if (!v)
      return dflt;
    if (std::optional<bool> b = v->getAsBoolean())
      return *b;
    return err(key, "expected a boolean, got " + describe(*v));
  }
  Expected<std::optional<std::string>> optStr(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return std::optional<std::string>();
    if (std::optional<StringRef> s = v->getAsString())
      return std::optional<std::string>(s->str());
    return err(key, "expected a string, got " + describe(*v));
  }
  /// nullptr if absent/null; error if not an object.
  Expected<const json::Object *> optObj(StringRef key) const {
    const json::Value *v = get(key);
    if (!v)
      return nullptr;
    if (const json::Object *o = v->getAsObject())
      return o;
    return err(key, "expected an object, got " + describe(*v));
  }
  /// An int or a list of ints (eos_token_id).
  Error intList(StringRef key, std::vector<int64_t> &out) const {
    const json::Value *v = get(key);
    if (!v)
      return Error::success();
    auto addOne = [&](const json::Value &e) -> Error {
      std::optional<int64_t> i = e.getAsInteger();
      if (!i)
        return err(key, "expected an integer or a list of integers, got " +
                            describe(e));
      if (*i < 0)
        return err(key, formatv("token id must be >= 0, got {0}", *i));
      if (!is_contained(out, *i))
        out.push_back(*i);
      return Error::success();
    };
    if (const json::Array *a = v->getAsArray()) {
      for (const json::Value &e : *a)
        if (Error e2 = addOne(e))
          return e2;
      return Error::success();
    }
    return addOne(*v);
  }

  static std::string describe(const json::Value &v) {
    if (v.kind() == json::Value::Number || v.kind() == json::Value::String ||
        v.kind() == json::Value::Boolean) {
      std::string s;
      raw_string_ostream os(s);
      os << v;
      return kindName(v).str() + " (" + os.str() + ")";
    }
    return kindName(v).str();
  }

  const std::string file;
  const json::Object &obj;
  const std::string prefix;
};

// Propagate an Expected into a local or return its error.
#define ASSIGN_OR_RETURN(lhs, expr)                                            \
  do {                                                                         \
    auto _v = (expr);                                                          \
    if (!_v)                                                                   \
      return _v.takeError();                                                   \
    lhs = std::move(*_v);                                                      \
  } while (0)

/// The config's layer-level fields (layer_types, per_layer_config,
/// global_head_dim, num_global_key_value_heads, rope_parameters,
/// num_kv_shared_layers) resolved into cfg.layers, given the text config's
/// scalars (ConfigLayers.cpp).
struct LayerDefaults {
  int64_t headDim, numKvHeads, intermediateSize;
  bool kEqV;
};
Error resolveLayers(const Fields &f, const LayerDefaults &defaults, ModelConfig &cfg);

} // namespace gemma::config

#endif
