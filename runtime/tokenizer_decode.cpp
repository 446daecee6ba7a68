//===- tokenizer_decode.cpp - ids -> text, at once or streamed ------------===//
//
// decode maps ids to token strings and runs the file's decoder chain (HF
// Decoder::decode_chain per step, then the pieces joined).
//
// Generated ids arrive one at a time, but a character outside the vocabulary
// arrives as several byte-fallback tokens (<0xE2><0x82><0xAC> for "€").
// push() holds those back until the character is whole. To stay exact for
// decoders whose output depends on neighbours (Strip, Replace over token
// boundaries), the new text is taken as decode(context + pending) minus
// decode(context), with the last emitted non-byte token as context.
//
// The concatenation equals Tokenizer::decode except after an invalid byte
// run: decode turns a whole run that is not valid UTF-8 into one U+FFFD per
// byte, while the stream has already printed the run's valid characters.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer_internal.h"

#include <algorithm>

namespace gemma_rt {

namespace {} // namespace

int Tokenizer::Impl::byteOfToken(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>')
    return -1;
  auto hex = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  };
  int hi = hex(t[3]), lo = hex(t[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::string Tokenizer::Impl::runDecoder(std::vector<std::string> toks) const {
  std::string out;
  if (!hasDecoder) { // HF joins the tokens with spaces
    for (size_t i = 0; i < toks.size(); ++i)
      out += (i ? " " : "") + toks[i];
    return out;
  }
  for (const tok::DecodeStep &step : decoder) {
    switch (step.kind) {
    case tok::DecodeStep::Replace:
      for (std::string &t : toks)
        tok::replaceAll(t, step.pattern, step.content);
      break;
    case tok::DecodeStep::Fuse: {
      std::string all;
      for (const std::string &t : toks)
        all += t;
      toks.assign(1, std::move(all));
      break;
    }
    case tok::DecodeStep::ByteFallback: {
      // Runs of <0xNN> become their bytes when those are valid UTF-8, else
      // one U+FFFD per byte (HF ByteFallback::decode_chain).
      std::vector<std::string> next;
      std::string bytes;
      auto flush = [&] {
        if (bytes.empty())
          return;
        if (tok::utf8Completeness(bytes) == 0)
          next.push_back(bytes);
        else
          for (size_t k = 0; k < bytes.size(); ++k)
            next.push_back("\xEF\xBF\xBD");
        bytes.clear();
      };
      for (std::string &t : toks) {
        int b = byteOfToken(t);
        if (b >= 0) {
          bytes += char(b);
          continue;
        }
        flush();
        next.push_back(std::move(t));
      }
      flush();
      toks = std::move(next);
      break;
    }
    case tok::DecodeStep::Strip:
      for (std::string &t : toks) {
        std::vector<std::pair<size_t, uint32_t>> chars; // (offset, char)
        for (size_t i = 0; i < t.size();) {
          size_t at = i;
          chars.push_back({at, tok::decodeUtf8(t.data(), t.size(), i)});
        }
        size_t startCut = 0, stopCut = chars.size();
        for (size_t i = 0; i < chars.size() && int64_t(i) < step.start; ++i) {
          if (chars[i].second != step.stripChar)
            break;
          startCut = i + 1;
        }
        for (int64_t i = 0; i < step.stop && int64_t(chars.size()) - i > 0;
             ++i) {
          size_t idx = chars.size() - size_t(i) - 1;
          if (chars[idx].second != step.stripChar)
            break;
          stopCut = idx;
        }
        if (stopCut <= startCut) {
          t.clear();
          continue;
        }
        size_t b = chars[startCut].first;
        size_t e = stopCut < chars.size() ? chars[stopCut].first : t.size();
        t = t.substr(b, e - b);
      }
      break;
    }
  }
  for (const std::string &t : toks)
    out += t;
  return out;
}

Status Tokenizer::decode(const int32_t *ids, size_t count, bool skipSpecial,
                         std::string &text) const {
  const Impl &t = *impl;
  std::vector<std::string> toks;
  toks.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    int32_t id = ids[i];
    if (!t.hasToken(id))
      return Status::error(format("token id %d at position %zu is not in the "
                                  "vocabulary (%lld ids)",
                                  id, i, (long long)vocabSize()));
    if (skipSpecial && t.special[size_t(id)])
      continue;
    toks.emplace_back(t.token(id));
  }
  text = t.runDecoder(std::move(toks));
  return Status::ok();
}

std::string StreamDecoder::push(int32_t id) {
  const Tokenizer::Impl &t = *tokenizer.impl;
  // Ids the tokenizer cannot decode are dropped; the caller produced them
  // from a model whose vocabulary is checked against the tokenizer's.
  if (!t.hasToken(id) || (skipSpecial && t.special[size_t(id)]))
    return {};
  pending.push_back(id);
  bool isByte = t.decoderHasByteFallback &&
                Tokenizer::Impl::byteOfToken(t.token(id)) >= 0;
  if (isByte) {
    std::string bytes;
    for (size_t k = pending.size(); k-- > 0;) {
      int b = Tokenizer::Impl::byteOfToken(t.token(pending[k]));
      if (b < 0)
        break;
      bytes.insert(bytes.begin(), char(b));
    }
    if (tok::utf8Completeness(bytes) == 1)
      return {}; // wait for the rest of the character
  }
  std::string text;
  if (!tokenizer.decode(pending.data(), pending.size(), false, text).isOk())
    return {};
  std::string out = text.compare(0, emitted.size(), emitted) == 0
                        ? text.substr(emitted.size())
                        : text;
  // A byte token is never kept as context: a later byte run would merge with
  // it inside decode and change how the run is judged.
  pending.clear();
  emitted.clear();
  if (!isByte) {
    pending.push_back(id);
    // decode({id}) is what the context contributes next time.
    (void)tokenizer.decode(pending.data(), 1, false, emitted);
  }
  return out;
}

std::string StreamDecoder::finish() {
  std::string text;
  if (pending.empty() ||
      !tokenizer.decode(pending.data(), pending.size(), false, text).isOk())
    text.clear();
  std::string out = text.compare(0, emitted.size(), emitted) == 0
                        ? text.substr(emitted.size())
                        : text;
  pending.clear();
  emitted.clear();
  return out;
}

} // namespace gemma_rt
