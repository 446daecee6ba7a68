//===- chat.h - the Gemma 4 chat template, as token ids ------------------===//
//
// Renders conversations the way the Gemma 4 chat_template.jinja does:
//
//   <bos><|turn>system\n[<|think|>\n]SYSTEM<turn|>\n
//   <|turn>user\nUSER<turn|>\n<|turn>model\n
//
// (the system turn only when there is a system prompt or thinking is on;
// contents are trimmed). Control tokens are inserted by id, looked up in the
// tokenizer's added tokens, and only the text between them is encoded, so
// the ids equal those of tokenizing the rendered template. Later turns of a
// conversation continue the KV cache: they start by closing the model's turn
// (<turn|>\n) and add only the new user turn and the model header.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_CHAT_H
#define GEMMA_RUNTIME_CHAT_H

#include "runtime/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gemma_rt {

class Tokenizer;

class ChatTemplate {
public:
  /// Looks up <|turn>, <turn|> (required: "tokenizer has no <|turn> token;
  /// use --raw"), <bos> (the tokenizer's, else `fallbackBos` when >= 0),
  /// and the optional <|think|>, <|channel>, <channel|>.
  static Status create(const Tokenizer &tokenizer, int32_t fallbackBos,
                       ChatTemplate &out);

  /// With `on`, a model header in non-thinking mode is followed by an empty
  /// thought channel "<|channel>thought\n<channel|>", as newer Gemma 4
  /// templates render it (when the tokenizer has those tokens).
  void setEmptyThoughtChannel(bool on) { emptyThought = on; }

  /// The ids of a conversation's first turn: <bos>, the system turn (when
  /// `system` is non-null or `think`), the user turn and the model header.
  /// Errors: --think without a <|think|> token, text that does not encode.
  Status firstTurn(const std::string *system, bool think, const std::string &user,
                   std::vector<int32_t> &ids) const;

  /// The ids that continue a conversation after the model's reply: `unfed`
  /// (the reply's last id if it never entered the cache; -1 for none), the
  /// end of the model turn, the user turn and the model header.
  Status nextTurn(int32_t unfed, bool think, const std::string &user,
                  std::vector<int32_t> &ids) const;

  /// <turn|>: ends every turn, so generation stops on it.
  int32_t endOfTurn() const { return turnEnd; }

  /// Offset of the first byte that is not valid UTF-8, npos if none.
  static size_t invalidUtf8(const std::string &s);
  /// "WHAT: not valid UTF-8: byte 0xFF at offset N" for invalid text.
  static Status checkUtf8(const std::string &s, const char *what);

  /// Text as the template writes it: surrounding whitespace trimmed.
  static std::string trim(const std::string &s);

private:
  Status text(const std::string &s, const char *what, std::vector<int32_t> &ids) const;
  Status modelHeader(bool think, std::vector<int32_t> &ids) const;
  /// The user turn (`<|turn>user\n` + trimmed text + `<turn|>\n`), then
  /// the model header: how every turn of a conversation ends.
  Status userTurnThenModel(const std::string &user, bool think,
                           std::vector<int32_t> &ids) const;

  const Tokenizer *tok = nullptr;
  int32_t bos = -1, turnStart = -1, turnEnd = -1, thinkId = -1,
          channelStart = -1, channelEnd = -1;
  bool emptyThought = false;
};

} // namespace gemma_rt

#endif
