//===- tokenizer_internal.h - the parts of a loaded tokenizer.json --------===//
//
// Shared by tokenizer_json.cpp (builds an Impl from the file),
// tokenizer_bpe.cpp (the BPE model) and tokenizer.cpp (the encode/decode
// pipeline). Every pipeline stage mirrors the Hugging Face `tokenizers`
// component of the same name, because ids must match that library exactly.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_TOKENIZER_INTERNAL_H
#define GEMMA_RUNTIME_TOKENIZER_INTERNAL_H

#include "runtime/tokenizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gemma_rt {
namespace tok {

/// Open-addressing map from token text (kept in an external arena) to id.
/// A 262k-entry vocabulary is looked up once per input character, so this
/// avoids std::unordered_map's node allocations and pointer chasing.
class StringIdMap {
public:
  void build(const std::string &arena, const std::vector<uint32_t> &offsets,
             const std::vector<uint32_t> &lengths,
             const std::vector<int32_t> &ids);
  /// -1 when absent.
  int32_t find(std::string_view key) const;
  size_t size() const { return count; }

private:
  struct Slot {
    uint32_t offset, length;
    int32_t id; // -1: empty
    uint32_t hash;
  };
  const std::string *arena = nullptr;
  std::vector<Slot> slots;
  size_t count = 0;
};

/// (left id, right id) -> (merge rank, merged id); the BPE merge table.
class PairMap {
public:
  void reserve(size_t n);
  /// Later insertions of the same pair win (HF builds a HashMap the same way).
  void insert(int32_t a, int32_t b, uint32_t rank, int32_t merged);
  bool find(int32_t a, int32_t b, uint32_t &rank, int32_t &merged) const;

private:
  struct Slot {
    uint64_t key; // kEmpty when free
    uint32_t rank;
    int32_t merged;
  };
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  std::vector<Slot> slots;
  size_t count = 0;
};

/// Byte trie answering "longest pattern starting here" — with a scan from
/// left to right that gives the leftmost-longest matches HF's aho-corasick
/// (MatchKind::LeftmostLongest) finds for added tokens.
class TokenTrie {
public:
  void add(std::string_view pattern, int32_t value);
  bool empty() const { return nodes.size() <= 1; }
  /// Length of the longest pattern that is a prefix of [p, p+n), 0 if none;
  /// `value` receives that pattern's value.
  size_t longestMatch(const char *p, size_t n, int32_t &value) const;

private:
  struct Node {
    int32_t value = -1;
    // Children sorted by byte; the root uses `rootChildren` instead.
    std::vector<std::pair<uint8_t, int32_t>> children;
  };
  int32_t child(int32_t node, uint8_t byte) const;
  std::vector<Node> nodes{Node()};
  int32_t rootChildren[256];
  bool rootInit = false;
};

struct NormStep {
  enum Kind { Replace, Prepend, NFC } kind;
  std::string pattern; // Replace
  std::string content; // Replace: replacement; Prepend: prefix
};

struct SplitStep {
  enum Behavior {
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous
  } behavior;
  std::string pattern;
  bool invert = false;
};

struct DecodeStep {
  enum Kind { Replace, ByteFallback, Fuse, Strip } kind;
  std::string pattern, content; // Replace
  uint32_t stripChar = 0;       // Strip: the code point removed
  int64_t start = 0, stop = 0;  // Strip: how many at each end
};

struct AddedToken {
  int32_t id;
  std::string content;
  bool special = false, lstrip = false, rstrip = false, singleWord = false,
       normalized = true;
};

/// One element of TemplateProcessing's "single" template.
struct TemplateItem {
  bool isSequence = false;  // the encoded text ("$A")
  std::vector<int32_t> ids; // special token ids otherwise
};

/// Decodes one UTF-8 code point at s[i] of a string already validated.
uint32_t decodeUtf8(const char *s, size_t n, size_t &i);
/// Offset of the first invalid byte, or npos (same rules as Rust's str).
size_t invalidUtf8Offset(std::string_view s);
/// Returns 0 when `bytes` is complete valid UTF-8, 1 when it is valid but
/// stops inside a multi-byte character, 2 when it is invalid.
int utf8Completeness(std::string_view bytes);
/// Replaces every non-overlapping `from` (left to right; none when empty).
void replaceAll(std::string &s, const std::string &from, const std::string &to);

/// Ids index flat tables; real vocabularies are below 2^20.
constexpr int32_t kMaxTokenIds = 1 << 24;

} // namespace tok

struct Tokenizer::Impl {
  std::string path;

  // --- model (BPE) ---
  std::string arena;               // all token texts, back to back
  std::vector<uint32_t> tokOffset; // by id; tokLen == kNoToken: no token
  std::vector<uint32_t> tokLen;
  static constexpr uint32_t kNoToken = ~uint32_t(0);
  tok::StringIdMap vocab; // model.vocab only (not added tokens)
  tok::PairMap merges;
  int32_t byteIds[256];  // "<0xNN>" ids, -1 when absent
  int32_t asciiIds[128]; // one-char ASCII tokens, -1 when absent
  std::string unkToken;
  bool hasUnk = false, fuseUnk = false, byteFallback = false,
       ignoreMerges = false;
  std::string subwordPrefix, wordSuffix;

  // --- pipeline ---
  std::vector<tok::NormStep> normalizer;
  std::vector<tok::SplitStep> preTokenizer;
  bool hasDecoder = false;
  std::vector<tok::DecodeStep> decoder;
  bool decoderHasByteFallback = false;
  std::vector<tok::TemplateItem> singleTemplate;

  // --- added tokens ---
  std::vector<tok::AddedToken> added;
  tok::TokenTrie rawTrie;       // tokens matched on the raw text
  tok::TokenTrie normTrie;      // normalized=true tokens, on normalized text
  std::vector<uint8_t> special; // by id
  int32_t bos = -1;

  std::string_view token(int32_t id) const {
    if (id < 0 || size_t(id) >= tokLen.size() || tokLen[id] == kNoToken)
      return {};
    return std::string_view(arena).substr(tokOffset[id], tokLen[id]);
  }
  bool hasToken(int32_t id) const {
    return id >= 0 && size_t(id) < tokLen.size() && tokLen[id] != kNoToken;
  }
  /// The byte of a "<0xNN>" token, -1 for any other token.
  static int byteOfToken(std::string_view t);

  Status normalize(std::string &s) const;
  /// BPE of one pre-tokenized word (HF BPE::merge_word + Word::merge_all).
  Status bpe(std::string_view word, std::vector<int32_t> &ids) const;
  /// Runs the decoder over token strings (HF Decoder::decode).
  std::string runDecoder(std::vector<std::string> tokens) const;
};

} // namespace gemma_rt

#endif
