//===- tokenizer_parts.cpp - tokenizer.json's pipeline fields -------------===//
//
// Reads everything except model.vocab / model.merges (tokenizer_json.cpp):
// the BPE options, normalizer, pre_tokenizer, decoder, post_processor and
// added_tokens. A component type the runtime does not implement is an error
// naming its field, never silently skipped, since skipping one would change
// the ids. `truncation` and `padding` are ignored: they only shape batches.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer_internal.h"

#include <nlohmann/json.hpp>

#include <unordered_map>

namespace gemma_rt {

namespace {

using json = nlohmann::json;

class Parts {
public:
  Parts(const std::string &path, Tokenizer::Impl &t) : path(path), t(t) {}

  Status err(const std::string &field, const std::string &what) const {
    return Status::error(path + ": " + field + ": " + what);
  }

  // Optional string member (absent or null -> `present` false).
  Status str(const json &obj, const char *name, const std::string &where,
             std::string &out, bool required, bool *present = nullptr) const {
    auto it = obj.find(name);
    bool has = it != obj.end() && !it->is_null();
    if (present)
      *present = has;
    if (!has)
      return required ? err(where + "." + name, "missing (expected a string)")
                      : Status::ok();
    if (!it->is_string())
      return err(where + "." + name, "expected a string");
    out = it->get<std::string>();
    return Status::ok();
  }
  Status flag(const json &obj, const char *name, const std::string &where,
              bool &out) const {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null())
      return Status::ok();
    if (!it->is_boolean())
      return err(where + "." + name, "expected true or false");
    out = it->get<bool>();
    return Status::ok();
  }
  Status count(const json &obj, const char *name, const std::string &where,
               int64_t &out) const {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null())
      return Status::ok();
    if (!it->is_number_unsigned())
      return err(where + "." + name, "expected a non-negative integer");
    out = int64_t(it->get<uint64_t>());
    return Status::ok();
  }
  // The "pattern" of Replace / Split: {"String": s} only.
  Status pattern(const json &obj, const std::string &where,
                 std::string &out) const {
    auto it = obj.find("pattern");
    if (it == obj.end() || !it->is_object())
      return err(where + ".pattern", "missing (expected {\"String\": ...})");
    if (it->contains("Regex"))
      return err(where + ".pattern",
                 "Regex patterns are not supported (only String)");
    return str(*it, "String", where + ".pattern", out, true);
  }
  Status list(const json &obj, const char *name, const std::string &where,
              const json *&out) const {
    auto it = obj.find(name);
    if (it == obj.end() || !it->is_array())
      return err(where + "." + name, "missing (expected an array)");
    out = &*it;
    return Status::ok();
  }
  Status typeOf(const json &obj, const std::string &where,
                std::string &type) const {
    if (!obj.is_object())
      return err(where, "expected an object or null");
    return str(obj, "type", where, type, true);
  }

  Status model(const json &m) {
    std::string where = "model";
    auto dropout = m.find("dropout");
    if (dropout != m.end() && !dropout->is_null() &&
        !(dropout->is_number() && dropout->get<double>() == 0.0))
      return err("model.dropout",
                 "BPE dropout is not supported (it makes encoding random)");
    GEMMA_RT_TRY(str(m, "unk_token", where, t.unkToken, false, &t.hasUnk));
    GEMMA_RT_TRY(
        str(m, "continuing_subword_prefix", where, t.subwordPrefix, false));
    GEMMA_RT_TRY(str(m, "end_of_word_suffix", where, t.wordSuffix, false));
    GEMMA_RT_TRY(flag(m, "fuse_unk", where, t.fuseUnk));
    GEMMA_RT_TRY(flag(m, "byte_fallback", where, t.byteFallback));
    return flag(m, "ignore_merges", where, t.ignoreMerges);
  }

  /// A "Sequence" node: `step` on each item of its `key` list, each named
  /// "WHERE.KEY[i]" in errors.
  template <typename Step>
  Status eachInSequence(const json &node, const char *key, const std::string &where,
                        Step step) {
    const json *items;
    GEMMA_RT_TRY(list(node, key, where, items));
    for (size_t i = 0; i < items->size(); ++i)
      GEMMA_RT_TRY(step((*items)[i], format("%s.%s[%zu]", where.c_str(), key, i)));
    return Status::ok();
  }

  Status normalizer(const json &n, const std::string &where) {
    if (n.is_null())
      return Status::ok();
    std::string type;
    GEMMA_RT_TRY(typeOf(n, where, type));
    tok::NormStep step{tok::NormStep::NFC, {}, {}};
    if (type == "Sequence") {
      return eachInSequence(n, "normalizers", where,
                            [&](const json &item, const std::string &at) {
                              return normalizer(item, at);
                            });
    }
    if (type == "Replace") {
      step.kind = tok::NormStep::Replace;
      GEMMA_RT_TRY(pattern(n, where, step.pattern));
      GEMMA_RT_TRY(str(n, "content", where, step.content, true));
    } else if (type == "Prepend") {
      step.kind = tok::NormStep::Prepend;
      GEMMA_RT_TRY(str(n, "prepend", where, step.content, true));
    } else if (type != "NFC") {
      return err(where + ".type",
                 "normalizer \"" + type +
                     "\" is not supported (supported: Sequence, Replace, "
                     "Prepend, NFC)");
    }
    t.normalizer.push_back(std::move(step));
    return Status::ok();
  }

  Status preTokenizer(const json &p, const std::string &where) {
    if (p.is_null())
      return Status::ok();
    std::string type;
    GEMMA_RT_TRY(typeOf(p, where, type));
    if (type == "Sequence") {
      return eachInSequence(p, "pretokenizers", where,
                            [&](const json &item, const std::string &at) {
                              return preTokenizer(item, at);
                            });
    }
    if (type != "Split")
      return err(where + ".type", "pre-tokenizer \"" + type +
                                      "\" is not supported (supported: "
                                      "Sequence, Split)");
    tok::SplitStep step{tok::SplitStep::Removed, {}, false};
    GEMMA_RT_TRY(pattern(p, where, step.pattern));
    GEMMA_RT_TRY(flag(p, "invert", where, step.invert));
    std::string behavior;
    GEMMA_RT_TRY(str(p, "behavior", where, behavior, true));
    static const std::pair<const char *, tok::SplitStep::Behavior> kinds[] = {
        {"Removed", tok::SplitStep::Removed},
        {"Isolated", tok::SplitStep::Isolated},
        {"MergedWithPrevious", tok::SplitStep::MergedWithPrevious},
        {"MergedWithNext", tok::SplitStep::MergedWithNext},
        {"Contiguous", tok::SplitStep::Contiguous}};
    bool known = false;
    for (const auto &k : kinds)
      if (behavior == k.first) {
        step.behavior = k.second;
        known = true;
      }
    if (!known)
      return err(where + ".behavior",
                 "unknown split behavior \"" + behavior + "\"");
    t.preTokenizer.push_back(std::move(step));
    return Status::ok();
  }

  Status decoder(const json &d, const std::string &where) {
    if (d.is_null())
      return Status::ok();
    t.hasDecoder = true;
    std::string type;
    GEMMA_RT_TRY(typeOf(d, where, type));
    tok::DecodeStep step{tok::DecodeStep::Fuse, {}, {}, 0, 0, 0};
    if (type == "Sequence") {
      return eachInSequence(d, "decoders", where,
                            [&](const json &item, const std::string &at) {
                              return decoder(item, at);
                            });
    }
    if (type == "Replace") {
      step.kind = tok::DecodeStep::Replace;
      GEMMA_RT_TRY(pattern(d, where, step.pattern));
      GEMMA_RT_TRY(str(d, "content", where, step.content, true));
    } else if (type == "ByteFallback") {
      step.kind = tok::DecodeStep::ByteFallback;
      t.decoderHasByteFallback = true;
    } else if (type == "Strip") {
      step.kind = tok::DecodeStep::Strip;
      std::string c;
      GEMMA_RT_TRY(str(d, "content", where, c, true));
      size_t end = 0;
      if (!c.empty())
        step.stripChar = tok::decodeUtf8(c.data(), c.size(), end);
      if (c.empty() || end != c.size())
        return err(where + ".content", "expected exactly one character");
      GEMMA_RT_TRY(count(d, "start", where, step.start));
      GEMMA_RT_TRY(count(d, "stop", where, step.stop));
    } else if (type != "Fuse") {
      return err(where + ".type", "decoder \"" + type +
                                      "\" is not supported (supported: "
                                      "Sequence, Replace, ByteFallback, "
                                      "Fuse, Strip)");
    }
    t.decoder.push_back(std::move(step));
    return Status::ok();
  }

  Status postProcessor(const json &p, const std::string &where) {
    if (p.is_null())
      return Status::ok();
    std::string type;
    GEMMA_RT_TRY(typeOf(p, where, type));
    if (type == "Sequence") {
      return eachInSequence(p, "processors", where,
                            [&](const json &item, const std::string &at) {
                              return postProcessor(item, at);
                            });
    }
    if (type == "ByteLevel")
      return Status::ok(); // only trims offsets; ids are unchanged
    if (type != "TemplateProcessing")
      return err(where + ".type", "post-processor \"" + type +
                                      "\" is not supported (supported: "
                                      "TemplateProcessing, Sequence)");
    if (!t.singleTemplate.empty())
      return err(where, "more than one TemplateProcessing");
    auto specials = p.find("special_tokens");
    const json *items;
    GEMMA_RT_TRY(list(p, "single", where, items));
    for (size_t i = 0; i < items->size(); ++i) {
      const json &item = (*items)[i];
      std::string at = format("%s.single[%zu]", where.c_str(), i);
      tok::TemplateItem ti;
      if (item.is_object() && item.contains("Sequence")) {
        ti.isSequence = true;
      } else if (item.is_object() && item.contains("SpecialToken") &&
                 item["SpecialToken"].is_object()) {
        std::string name;
        GEMMA_RT_TRY(
            str(item["SpecialToken"], "id", at + ".SpecialToken", name, true));
        if (specials == p.end() || !specials->is_object() ||
            !specials->contains(name) || !(*specials)[name].is_object())
          return err(where + ".special_tokens",
                     "no entry for \"" + name + "\"");
        const json *ids;
        std::string sw = where + ".special_tokens[\"" + name + "\"]";
        GEMMA_RT_TRY(list((*specials)[name], "ids", sw, ids));
        for (const json &id : *ids) {
          if (!id.is_number_unsigned() || id.get<uint64_t>() > INT32_MAX)
            return err(sw + ".ids", "expected non-negative integer ids");
          ti.ids.push_back(int32_t(id.get<uint64_t>()));
        }
      } else {
        return err(at, "expected {\"SpecialToken\": ...} or {\"Sequence\": "
                       "...}");
      }
      t.singleTemplate.push_back(std::move(ti));
    }
    return Status::ok();
  }

  Status addedTokens(const json &root) {
    auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null())
      return Status::ok();
    if (!it->is_array())
      return err("added_tokens", "expected an array");
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < it->size(); ++i) {
      const json &a = (*it)[i];
      std::string where = format("added_tokens[%zu]", i);
      if (!a.is_object())
        return err(where, "expected an object");
      tok::AddedToken tk;
      int64_t id = -1;
      GEMMA_RT_TRY(count(a, "id", where, id));
      if (id < 0 || id >= tok::kMaxTokenIds)
        return err(where + ".id",
                   format("missing or not below %d", tok::kMaxTokenIds));
      GEMMA_RT_TRY(str(a, "content", where, tk.content, true));
      GEMMA_RT_TRY(flag(a, "special", where, tk.special));
      GEMMA_RT_TRY(flag(a, "lstrip", where, tk.lstrip));
      GEMMA_RT_TRY(flag(a, "rstrip", where, tk.rstrip));
      GEMMA_RT_TRY(flag(a, "single_word", where, tk.singleWord));
      GEMMA_RT_TRY(flag(a, "normalized", where, tk.normalized));
      // HF skips empty and repeated tokens, and gives a token that is
      // already in the vocabulary that id.
      if (tk.content.empty() || seen.count(tk.content))
        continue;
      int32_t inVocab = t.vocab.find(tk.content);
      tk.id = inVocab >= 0 ? inVocab : int32_t(id);
      seen[tk.content] = t.added.size();
      t.added.push_back(std::move(tk));
    }
    for (size_t i = 0; i < t.added.size(); ++i) {
      const tok::AddedToken &tk = t.added[i];
      if (size_t(tk.id) >= t.tokLen.size()) {
        t.tokOffset.resize(size_t(tk.id) + 1, 0);
        t.tokLen.resize(size_t(tk.id) + 1, Tokenizer::Impl::kNoToken);
      }
      // The id decodes to the added token's text (HF AddedVocabulary), in
      // its normalized form for a normalized token (as tokenizers 0.23 does).
      std::string text = tk.content;
      if (tk.normalized) {
        Status st = t.normalize(text);
        if (!st.isOk())
          return err(format("added_tokens[%zu]", i), st.message());
        t.normTrie.add(text, int32_t(i));
      } else {
        t.rawTrie.add(text, int32_t(i));
      }
      t.tokOffset[tk.id] = uint32_t(t.arena.size());
      t.tokLen[tk.id] = uint32_t(text.size());
      t.arena += text;
    }
    return Status::ok();
  }

private:
  const std::string &path;
  Tokenizer::Impl &t;
};

const json &field(const json &root, const char *name) {
  static const json null;
  auto it = root.find(name);
  return it == root.end() ? null : *it;
}

} // namespace

Status loadTokenizerParts(const std::string &path, const json &root,
                          Tokenizer::Impl &t) {
  Parts parts(path, t);
  GEMMA_RT_TRY(parts.model(root["model"]));
  GEMMA_RT_TRY(parts.normalizer(field(root, "normalizer"), "normalizer"));
  GEMMA_RT_TRY(
      parts.preTokenizer(field(root, "pre_tokenizer"), "pre_tokenizer"));
  GEMMA_RT_TRY(parts.decoder(field(root, "decoder"), "decoder"));
  GEMMA_RT_TRY(
      parts.postProcessor(field(root, "post_processor"), "post_processor"));
  GEMMA_RT_TRY(parts.addedTokens(root));
  t.special.assign(t.tokLen.size(), 0);
  for (const tok::AddedToken &tk : t.added)
    if (tk.special)
      t.special[size_t(tk.id)] = 1;

  // <bos>: the token of that name, else what the template puts first.
  for (const tok::AddedToken &tk : t.added)
    if (tk.content == "<bos>")
      t.bos = tk.id;
  if (t.bos < 0)
    t.bos = t.vocab.find("<bos>");
  if (t.bos < 0 && !t.singleTemplate.empty() &&
      !t.singleTemplate[0].isSequence && !t.singleTemplate[0].ids.empty())
    t.bos = t.singleTemplate[0].ids[0];
  return Status::ok();
}

} // namespace gemma_rt
