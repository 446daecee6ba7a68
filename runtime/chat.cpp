//===- chat.cpp - the Gemma 4 chat template ------------------------------===//
#include "runtime/chat.h"

#include "runtime/tokenizer.h"

namespace gemma_rt {

size_t ChatTemplate::invalidUtf8(const std::string &s) {
  const auto *b = reinterpret_cast<const unsigned char *>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    unsigned c = b[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > n)
      return i;
    unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      if ((b[i + k] & 0xc0) != 0x80)
        return i;
      cp = (cp << 6) | (b[i + k] & 0x3f);
    }
    static const unsigned minCp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minCp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return i;
    i += len;
  }
  return std::string::npos;
}

Status ChatTemplate::checkUtf8(const std::string &s, const char *what) {
  size_t bad = invalidUtf8(s);
  if (bad == std::string::npos)
    return Status::ok();
  return Status::error(format("%s: not valid UTF-8: byte 0x%02X at offset %zu", what,
                              static_cast<unsigned>(static_cast<unsigned char>(s[bad])),
                              bad));
}

std::string ChatTemplate::trim(const std::string &s) {
  const char *ws = " \t\n\r\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos)
    return std::string();
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

Status ChatTemplate::create(const Tokenizer &tokenizer, int32_t fallbackBos,
                            ChatTemplate &out) {
  out = ChatTemplate();
  out.tok = &tokenizer;
  out.turnStart = tokenizer.tokenId("<|turn>");
  if (out.turnStart < 0)
    return Status::error("tokenizer has no <|turn> token (not a Gemma 4 chat "
                         "tokenizer); use --raw");
  out.turnEnd = tokenizer.tokenId("<turn|>");
  if (out.turnEnd < 0)
    return Status::error("tokenizer has no <turn|> token (not a Gemma 4 chat "
                         "tokenizer); use --raw");
  out.bos = tokenizer.bosId();
  if (out.bos < 0)
    out.bos = tokenizer.tokenId("<bos>");
  if (out.bos < 0)
    out.bos = fallbackBos;
  if (out.bos < 0)
    return Status::error("tokenizer has no <bos> token; use --raw");
  out.thinkId = tokenizer.tokenId("<|think|>");
  out.channelStart = tokenizer.tokenId("<|channel>");
  out.channelEnd = tokenizer.tokenId("<channel|>");
  return Status::ok();
}

Status ChatTemplate::text(const std::string &s, const char *what,
                          std::vector<int32_t> &ids) const {
  if (s.empty())
    return Status::ok();
  std::vector<int32_t> part;
  Status st = tok->encode(s, /*addSpecial=*/false, part);
  if (!st.isOk())
    return Status::error(format("%s: %s", what, st.message().c_str()));
  ids.insert(ids.end(), part.begin(), part.end());
  return Status::ok();
}

Status ChatTemplate::modelHeader(bool think, std::vector<int32_t> &ids) const {
  ids.push_back(turnStart);
  GEMMA_RT_TRY(text("model\n", "chat template", ids));
  if (!think && emptyThought && channelStart >= 0 && channelEnd >= 0) {
    ids.push_back(channelStart);
    GEMMA_RT_TRY(text("thought\n", "chat template", ids));
    ids.push_back(channelEnd);
  }
  return Status::ok();
}

Status ChatTemplate::firstTurn(const std::string *system, bool think,
                               const std::string &user,
                               std::vector<int32_t> &ids) const {
  ids.clear();
  if (think && thinkId < 0)
    return Status::error("tokenizer has no <|think|> token; thinking mode "
                         "(--think) needs a Gemma 4 tokenizer");
  if (system)
    GEMMA_RT_TRY(checkUtf8(*system, "system prompt"));
  GEMMA_RT_TRY(checkUtf8(user, "prompt"));
  ids.push_back(bos);
  if (system || think) {
    ids.push_back(turnStart);
    GEMMA_RT_TRY(text("system\n", "chat template", ids));
    std::string body = system ? trim(*system) : std::string();
    if (think) {
      ids.push_back(thinkId);
      body = "\n" + body;
    }
    GEMMA_RT_TRY(text(body, "system prompt", ids));
    ids.push_back(turnEnd);
    GEMMA_RT_TRY(text("\n", "chat template", ids));
  }
  return userTurnThenModel(user, think, ids);
}

Status ChatTemplate::userTurnThenModel(const std::string &user, bool think,
                                       std::vector<int32_t> &ids) const {
  ids.push_back(turnStart);
  GEMMA_RT_TRY(text("user\n" + trim(user), "prompt", ids));
  ids.push_back(turnEnd);
  GEMMA_RT_TRY(text("\n", "chat template", ids));
  return modelHeader(think, ids);
}

Status ChatTemplate::nextTurn(int32_t unfed, bool think, const std::string &user,
                              std::vector<int32_t> &ids) const {
  ids.clear();
  GEMMA_RT_TRY(checkUtf8(user, "prompt"));
  if (unfed >= 0)
    ids.push_back(unfed);
  ids.push_back(turnEnd);
  GEMMA_RT_TRY(text("\n", "chat template", ids));
  return userTurnThenModel(user, think, ids);
}

} // namespace gemma_rt
