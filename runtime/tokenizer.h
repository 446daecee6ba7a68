//===- tokenizer.h - Hugging Face tokenizer.json (Gemma BPE) in C++ -------===//
//
// Text <-> token ids for a deployable, with no Python: reads the model
// folder's tokenizer.json (BPE with byte fallback, its normalizer,
// pre-tokenizer and decoder, added/special tokens). Nothing is wired to one
// vocabulary: special tokens (<bos>, <|turn>, <turn|>, ...) come from the
// file's added_tokens, so Gemma 3 and Gemma 4 files both work.
//
// This header is the contract between the tokenizer (tokenizer.cpp) and its
// users (gemma-run's -p/--chat, the C API, gemma-tokenize).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_TOKENIZER_H
#define GEMMA_RUNTIME_TOKENIZER_H

#include "runtime/status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gemma_rt {

class Tokenizer {
public:
  ~Tokenizer();
  Tokenizer(const Tokenizer &) = delete;
  Tokenizer &operator=(const Tokenizer &) = delete;

  /// Loads a tokenizer.json. Errors name the file and the offending field
  /// (missing file, not JSON, a model type other than BPE, ...).
  static Status load(const std::string &path, std::unique_ptr<Tokenizer> &out);

  /// Text -> ids. Special tokens written in the text (e.g. "<start_of_turn>")
  /// become their ids. addSpecial: also add what the file's post_processor
  /// adds (<bos> for Gemma). Invalid UTF-8 is an error naming the byte offset.
  /// `ids` is replaced. encode/decode keep no state: safe from any thread.
  Status encode(std::string_view text, bool addSpecial,
                std::vector<int32_t> &ids) const;

  /// Ids -> text through the file's decoder (byte fallback fused into
  /// UTF-8). skipSpecial drops special tokens. An id outside the vocabulary
  /// is an error.
  Status decode(const int32_t *ids, size_t count, bool skipSpecial,
                std::string &text) const;

  /// Token id for an exact token string (vocab or added token), -1 if none.
  int32_t tokenId(std::string_view token) const;
  /// The token string for an id ("" when out of range).
  std::string tokenString(int32_t id) const;
  /// Whether `id` is an added token marked special.
  bool isSpecial(int32_t id) const;
  /// Number of ids (largest id + 1, counting added tokens).
  int64_t vocabSize() const;
  /// <bos> id from the file (-1 if it has none).
  int32_t bosId() const;

  struct Impl;

private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
  friend class StreamDecoder;
};

/// Streams generated ids as text: holds back incomplete UTF-8 (byte-fallback
/// tokens such as <0xE2>) until the character is whole, so every returned
/// chunk is valid UTF-8 and the concatenation equals Tokenizer::decode.
class StreamDecoder {
public:
  StreamDecoder(const Tokenizer &tokenizer, bool skipSpecial)
      : tokenizer(tokenizer), skipSpecial(skipSpecial) {}
  /// Text that became printable with `id` (possibly empty). An id the
  /// tokenizer cannot decode yields nothing.
  std::string push(int32_t id);
  /// Whatever is still held back (invalid trailing bytes as U+FFFD).
  std::string finish();

private:
  const Tokenizer &tokenizer;
  bool skipSpecial;
  std::vector<int32_t> pending;
  std::string emitted;
};

} // namespace gemma_rt

#endif
