//===- tokenizer_json.cpp - reading tokenizer.json into a Tokenizer -------===//
//
// nlohmann-json's SAX interface reads the file: the two big fields
// (model.vocab: 262k entries, model.merges: 515k pairs in Gemma's 33 MB file)
// go straight into flat arrays, and only the small rest becomes a DOM. A full
// DOM would allocate a std::map node per vocabulary entry and double the load
// time. Every error names the file and the JSON field.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer_internal.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gemma_rt {

Status loadTokenizerParts(const std::string &path, const nlohmann::json &root,
                          Tokenizer::Impl &t); // tokenizer_parts.cpp

namespace {

using json = nlohmann::json;

// Builds the DOM like nlohmann's own SAX DOM parser, except under
// model.vocab and model.merges, whose entries land in the Impl's arena.
class Sax final : public nlohmann::json_sax<json> {
public:
  explicit Sax(Tokenizer::Impl &t) : t(t) {}

  json root;
  std::string error; // why parsing stopped
  bool sawVocab = false, sawMerges = false;
  std::vector<uint32_t> vocabOff, vocabLen;
  std::vector<int32_t> vocabId;
  std::string mergeText;             // merge halves, back to back
  std::vector<uint32_t> mergeBounds; // per merge: offA, lenA, offB, lenB

  bool null() override { return value(json(nullptr), "null"); }
  bool boolean(bool v) override { return value(json(v), "a boolean"); }
  bool number_integer(number_integer_t v) override {
    return value(json(v), "a negative number");
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (mode == Vocab) {
      if (v > uint64_t(INT32_MAX))
        return fail(format("model.vocab[\"%s\"]: id %llu does not fit in "
                           "32 bits",
                           vocabKey.c_str(), (unsigned long long)v));
      vocabOff.push_back(uint32_t(t.arena.size()));
      vocabLen.push_back(uint32_t(vocabKey.size()));
      vocabId.push_back(int32_t(v));
      t.arena += vocabKey;
      return true;
    }
    return value(json(v), "a number");
  }
  bool number_float(number_float_t v, const string_t &) override {
    return value(json(v), "a number");
  }
  bool string(string_t &s) override {
    if (mode == Merges) {
      // HF splits "a b" on ' ' and wants exactly two parts.
      size_t sp = s.find(' ');
      if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
        return fail(format("model.merges[%zu]: \"%s\" is not two tokens "
                           "separated by one space",
                           mergeIndex, s.c_str()));
      addMergeHalf(std::string_view(s).substr(0, sp));
      addMergeHalf(std::string_view(s).substr(sp + 1));
      ++mergeIndex;
      return true;
    }
    if (mode == MergePair) {
      if (pairCount++ >= 2)
        return fail(
            format("model.merges[%zu]: expected two tokens", mergeIndex));
      addMergeHalf(s);
      return true;
    }
    return value(json(std::move(s)), "a string");
  }
  bool binary(binary_t &) override { return fail("unexpected binary value"); }
  bool key(string_t &k) override {
    if (mode == Vocab)
      vocabKey = std::move(k);
    else
      pendingKey = std::move(k);
    return true;
  }
  bool start_object(std::size_t) override {
    if (mode != Dom)
      return value(json(), "an object");
    if (atModelField("vocab")) {
      mode = Vocab;
      sawVocab = true;
      return true;
    }
    return open(json::object());
  }
  bool end_object() override {
    if (mode == Vocab) {
      mode = Dom;
      return true;
    }
    return close();
  }
  bool start_array(std::size_t) override {
    if (mode == Merges) {
      mode = MergePair;
      pairCount = 0;
      return true;
    }
    if (mode != Dom)
      return value(json(), "an array");
    if (atModelField("merges")) {
      mode = Merges;
      sawMerges = true;
      return true;
    }
    return open(json::array());
  }
  bool end_array() override {
    if (mode == MergePair) {
      if (pairCount != 2)
        return fail(
            format("model.merges[%zu]: expected two tokens", mergeIndex));
      mode = Merges;
      ++mergeIndex;
      return true;
    }
    if (mode == Merges) {
      mode = Dom;
      return true;
    }
    return close();
  }
  bool parse_error(std::size_t, const std::string &,
                   const nlohmann::detail::exception &ex) override {
    std::string what = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag.
    if (!what.empty() && what[0] == '[') {
      size_t end = what.find("] ");
      if (end != std::string::npos)
        what = what.substr(end + 2);
    }
    error = "not valid JSON: " + what;
    return false;
  }

private:
  enum Mode { Dom, Vocab, Merges, MergePair };

  bool fail(std::string msg) {
    error = std::move(msg);
    return false;
  }
  void addMergeHalf(std::string_view s) {
    mergeBounds.push_back(uint32_t(mergeText.size()));
    mergeBounds.push_back(uint32_t(s.size()));
    mergeText.append(s);
  }
  // True when the container about to open is root.model.<name>.
  bool atModelField(const char *name) const {
    return stack.size() == 2 && stack[0]->is_object() &&
           stack[1]->is_object() && keys[1] == "model" && pendingKey == name;
  }
  json *place(json &&v) {
    if (stack.empty()) {
      root = std::move(v);
      return &root;
    }
    json &top = *stack.back();
    if (top.is_object()) {
      json &slot = top[pendingKey];
      slot = std::move(v);
      return &slot;
    }
    top.push_back(std::move(v));
    return &top.back();
  }
  bool value(json &&v, const char *what) {
    if (mode == Vocab)
      return fail(format("model.vocab[\"%s\"]: expected a non-negative "
                         "integer id, got %s",
                         vocabKey.c_str(), what));
    if (mode == Merges || mode == MergePair)
      return fail(format("model.merges[%zu]: expected \"a b\" or [\"a\", "
                         "\"b\"], got %s",
                         mergeIndex, what));
    place(std::move(v));
    return true;
  }
  bool open(json &&v) {
    std::string k = !stack.empty() && stack.back()->is_object() ? pendingKey
                                                                : std::string();
    stack.push_back(place(std::move(v)));
    keys.push_back(std::move(k));
    return true;
  }
  bool close() {
    stack.pop_back();
    keys.pop_back();
    return true;
  }

  Tokenizer::Impl &t;
  Mode mode = Dom;
  std::vector<json *> stack;
  std::vector<std::string> keys; // the key each open container sits under
  std::string pendingKey, vocabKey;
  size_t mergeIndex = 0;
  int pairCount = 0;
};

Status readFile(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error(
        format("%s: cannot open: %s", path.c_str(), osError(errno).c_str()));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error(format("%s: not a regular file", path.c_str()));
  }
  out.resize(size_t(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, &out[done], out.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      return Status::error(
          format("%s: cannot read: %s", path.c_str(), osError(err).c_str()));
    }
    done += size_t(n);
  }
  ::close(fd);
  return Status::ok();
}

} // namespace

Status Tokenizer::load(const std::string &path,
                       std::unique_ptr<Tokenizer> &out) {
  std::string text;
  GEMMA_RT_TRY(readFile(path, text));

  auto impl = std::make_unique<Impl>();
  Impl &t = *impl;
  t.path = path;
  Sax sax(t);
  bool ok = json::sax_parse(text.data(), text.data() + text.size(), &sax);
  if (!ok)
    return Status::error(
        format("%s: %s", path.c_str(),
               sax.error.empty() ? "not valid JSON" : sax.error.c_str()));
  text.clear();
  text.shrink_to_fit();

  const json &root = sax.root;
  if (!root.is_object())
    return Status::error(format(
        "%s: not a tokenizer.json (top level is not an object)", path.c_str()));
  auto model = root.find("model");
  if (model == root.end() || !model->is_object())
    return Status::error(
        format("%s: missing field 'model' (an object)", path.c_str()));
  auto type = model->find("type");
  if (type != model->end() && !(type->is_string() && *type == "BPE"))
    return Status::error(format("%s: model.type %s is not supported (only BPE)",
                                path.c_str(), type->dump().c_str()));
  if (!sax.sawVocab)
    return Status::error(
        format("%s: missing field 'model.vocab' (an object of token -> id)",
               path.c_str()));
  if (!sax.sawMerges)
    return Status::error(format(
        "%s: missing field 'model.merges' (an array of merges)", path.c_str()));

  // Ids: largest of the vocabulary and the added tokens, plus one.
  int64_t maxId = -1;
  for (int32_t id : sax.vocabId)
    maxId = std::max<int64_t>(maxId, id);
  // Tables are indexed by id; a stray huge id must not allocate gigabytes.
  if (maxId >= tok::kMaxTokenIds)
    return Status::error(format("%s: model.vocab: id %lld is too large (ids "
                                "must be below %d)",
                                path.c_str(), (long long)maxId,
                                tok::kMaxTokenIds));
  t.tokOffset.assign(size_t(maxId + 1), 0);
  t.tokLen.assign(size_t(maxId + 1), Impl::kNoToken);
  for (size_t i = 0; i < sax.vocabId.size(); ++i) {
    t.tokOffset[sax.vocabId[i]] = sax.vocabOff[i];
    t.tokLen[sax.vocabId[i]] = sax.vocabLen[i];
  }
  t.vocab.build(t.arena, sax.vocabOff, sax.vocabLen, sax.vocabId);
  for (int b = 0; b < 256; ++b) {
    t.byteIds[b] = t.vocab.find(format("<0x%02X>", b));
    if (b < 128)
      t.asciiIds[b] = t.vocab.find(std::string(1, char(b)));
  }

  GEMMA_RT_TRY(loadTokenizerParts(path, root, t));

  // Merges: rank = position in the list; merged token = a + b without b's
  // continuing-subword prefix (HF BPE::from_config).
  size_t count = sax.mergeBounds.size() / 4;
  t.merges.reserve(count);
  std::string joined;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t *m = &sax.mergeBounds[4 * i];
    std::string_view a(sax.mergeText.data() + m[0], m[1]);
    std::string_view b(sax.mergeText.data() + m[2], m[3]);
    int32_t ia = t.vocab.find(a), ib = t.vocab.find(b);
    if (ia < 0 || ib < 0)
      return Status::error(
          format("%s: model.merges[%zu]: token \"%.*s\" is not in model.vocab",
                 path.c_str(), i, int(ia < 0 ? a.size() : b.size()),
                 ia < 0 ? a.data() : b.data()));
    size_t cut = std::min(t.subwordPrefix.size(), b.size());
    joined.assign(a);
    joined.append(b.substr(cut));
    int32_t merged = t.vocab.find(joined);
    if (merged < 0)
      return Status::error(format(
          "%s: model.merges[%zu]: merged token \"%s\" is not in model.vocab",
          path.c_str(), i, joined.c_str()));
    t.merges.insert(ia, ib, uint32_t(i), merged);
  }

  out.reset(new Tokenizer(std::move(impl)));
  return Status::ok();
}

} // namespace gemma_rt
