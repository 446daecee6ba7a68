//===- tokenizer.cpp - encode / decode through a tokenizer.json pipeline --===//
//
// encode follows HF tokenizers' Tokenizer::encode step by step, because the
// model only understands the ids that library produces:
//   1. added tokens are cut out of the raw text (leftmost-longest match);
//   2. each remaining piece goes through the normalizer, then normalized
//      added tokens are cut out, then the pre-tokenizer splits it into words;
//   3. each word is BPE-encoded (tokenizer_bpe.cpp);
//   4. with addSpecial, the post-processor's template adds <bos> etc.
// Decoding is in tokenizer_decode.cpp.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer_internal.h"

#include <algorithm>

namespace gemma_rt {

using tok::AddedToken;

namespace {

struct Piece {
  size_t begin, end;
  int32_t added; // index into Impl::added, -1 for text
};

// Unicode White_Space (Rust's char::is_whitespace).
bool isSpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Approximates Rust's `is_alphanumeric() || c == '_'`, used only by
// single_word added tokens (no Gemma file sets it): exact for ASCII; other
// characters count as word characters unless they are spaces or sit in the
// main punctuation / symbol / emoji blocks.
bool isWordChar(uint32_t c) {
  if (c < 0x80)
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '_';
  if (isSpace(c))
    return false;
  if (c < 0xC0)
    return c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 || c == 0xB3 ||
           c == 0xB9 || (c >= 0xBC && c <= 0xBE);
  if (c == 0xD7 || c == 0xF7)
    return false;
  return !((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0x1F000 && c <= 0x1FAFF));
}

uint32_t lastChar(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && (uint8_t(s[i - 1]) & 0xC0) == 0x80)
    --i;
  if (i > 0)
    --i;
  return s.empty() ? ' ' : tok::decodeUtf8(s.data(), s.size(), i);
}

uint32_t firstChar(std::string_view s) {
  size_t i = 0;
  return s.empty() ? ' ' : tok::decodeUtf8(s.data(), s.size(), i);
}

// HF AddedVocabulary::find_matches: splits `s` around added tokens, with
// their single_word / lstrip / rstrip rules.
void findAdded(std::string_view s, const tok::TokenTrie &trie,
               const std::vector<AddedToken> &added, std::vector<Piece> &out) {
  size_t from = 0; // end of the previous piece
  for (size_t i = 0; !trie.empty() && i < s.size();) {
    int32_t idx = -1;
    size_t len = trie.longestMatch(s.data() + i, s.size() - i, idx);
    if (len == 0) {
      ++i;
      continue;
    }
    size_t start = i, stop = i + len;
    i = stop;
    const AddedToken &tk = added[size_t(idx)];
    if (tk.singleWord && (isWordChar(lastChar(s.substr(0, start))) ||
                          isWordChar(firstChar(s.substr(stop)))))
      continue;
    if (tk.lstrip) {
      size_t k = start;
      while (k > 0) {
        size_t j = k - 1;
        while (j > 0 && (uint8_t(s[j]) & 0xC0) == 0x80)
          --j;
        size_t at = j;
        if (!isSpace(tok::decodeUtf8(s.data(), s.size(), at)))
          break;
        k = j;
      }
      start = k;
    }
    if (tk.rstrip) {
      while (stop < s.size()) {
        size_t at = stop;
        if (!isSpace(tok::decodeUtf8(s.data(), s.size(), at)))
          break;
        stop = at;
      }
    }
    start = std::max(start, from); // never reach into an earlier piece
    if (from < start)
      out.push_back(Piece{from, start, -1});
    out.push_back(Piece{start, stop, idx});
    from = stop;
    i = std::max(i, stop);
  }
  if (from < s.size() || s.empty())
    out.push_back(Piece{from, s.size(), -1});
}

// Blocks with no canonical decomposition and no character that composes
// with the one before it (combining marks, Hangul jamo, kana voicing marks
// and singletons such as U+212B ANGSTROM SIGN are all outside them).
bool isNfcInert(uint32_t c) {
  static const uint32_t ranges[][2] = {
      {0x0000, 0x02FF}, {0x2010, 0x2027}, {0x2030, 0x205E}, {0x20A0, 0x20C0},
      {0x2190, 0x2328}, {0x232B, 0x23FF}, {0x2500, 0x27BF}, {0x3041, 0x3096},
      {0x30A1, 0x30FA}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0x1F300, 0x1FAFF}};
  for (const auto &r : ranges)
    if (c >= r[0] && c <= r[1])
      return true;
  return false;
}

// HF Split pre-tokenizer with a String pattern (pre_tokenizers/split.rs and
// NormalizedString::split): pieces are (range, is_match), merged per
// behavior, empty pieces dropped.
void splitWords(const tok::SplitStep &st,
                std::vector<std::string_view> &words) {
  std::vector<std::string_view> out;
  for (std::string_view w : words) {
    std::vector<std::pair<std::string_view, bool>> parts;
    size_t pos = 0;
    if (!st.pattern.empty() && !w.empty()) {
      for (size_t hit; (hit = w.find(st.pattern, pos)) != std::string::npos;
           pos = hit + st.pattern.size()) {
        if (hit > pos)
          parts.push_back({w.substr(pos, hit - pos), false});
        parts.push_back({w.substr(hit, st.pattern.size()), true});
      }
    }
    if (pos < w.size() || w.empty())
      parts.push_back({w.substr(pos), false});
    if (st.invert)
      for (auto &p : parts)
        p.second = !p.second;

    std::vector<std::pair<std::string_view, bool>> merged; // (text, removed)
    auto extendLast = [&](std::string_view next) {
      std::string_view &last = merged.back().first;
      last = std::string_view(last.data(), last.size() + next.size());
    };
    bool prevMatch = false;
    switch (st.behavior) {
    case tok::SplitStep::Removed:
    case tok::SplitStep::Isolated:
      for (auto &p : parts)
        merged.push_back(
            {p.first, p.second && st.behavior == tok::SplitStep::Removed});
      break;
    case tok::SplitStep::MergedWithPrevious:
      for (auto &p : parts) {
        if (p.second && !prevMatch && !merged.empty())
          extendLast(p.first);
        else
          merged.push_back({p.first, false});
        prevMatch = p.second;
      }
      break;
    case tok::SplitStep::MergedWithNext:
      for (size_t k = parts.size(); k-- > 0;) {
        auto &p = parts[k];
        if (p.second && !prevMatch && !merged.empty()) {
          std::string_view &first = merged.back().first;
          first =
              std::string_view(p.first.data(), p.first.size() + first.size());
        } else {
          merged.push_back({p.first, false});
        }
        prevMatch = p.second;
      }
      std::reverse(merged.begin(), merged.end());
      break;
    case tok::SplitStep::Contiguous:
      for (size_t k = 0; k < parts.size(); ++k) {
        if (k > 0 && parts[k].second == prevMatch)
          extendLast(parts[k].first);
        else
          merged.push_back({parts[k].first, false});
        prevMatch = parts[k].second;
      }
      break;
    }
    for (auto &m : merged)
      if (!m.second && !m.first.empty())
        out.push_back(m.first);
  }
  words = std::move(out);
}

} // namespace

Status Tokenizer::Impl::normalize(std::string &s) const {
  for (const tok::NormStep &step : normalizer) {
    switch (step.kind) {
    case tok::NormStep::Replace:
      tok::replaceAll(s, step.pattern, step.content);
      break;
    case tok::NormStep::Prepend:
      if (!s.empty())
        s.insert(0, step.content);
      break;
    case tok::NormStep::NFC:
      // Without Unicode tables, NFC is applied only where it is the
      // identity: text made of characters that neither decompose nor
      // combine with a neighbour (isNfcInert); anything else is an error.
      for (size_t i = 0; i < s.size();) {
        size_t at = i;
        uint32_t c = tok::decodeUtf8(s.data(), s.size(), i);
        if (!isNfcInert(c))
          return Status::error(
              format("normalizer NFC: U+%04X at byte %zu may change under NFC, "
                     "which this runtime does not implement",
                     c, at));
      }
      break;
    }
  }
  return Status::ok();
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

Status Tokenizer::encode(std::string_view text, bool addSpecial,
                         std::vector<int32_t> &ids) const {
  const Impl &t = *impl;
  ids.clear();
  size_t bad = tok::invalidUtf8Offset(text);
  if (bad != std::string_view::npos)
    return Status::error(
        format("input is not valid UTF-8: byte 0x%02X at offset %zu",
               unsigned(uint8_t(text[bad])), bad));

  std::vector<int32_t> body;
  std::vector<Piece> pieces, inner;
  std::vector<std::string_view> words;
  findAdded(text, t.rawTrie, t.added, pieces);
  for (const Piece &p : pieces) {
    if (p.added >= 0) {
      body.push_back(t.added[size_t(p.added)].id);
      continue;
    }
    std::string norm(text.substr(p.begin, p.end - p.begin));
    GEMMA_RT_TRY(t.normalize(norm));
    inner.clear();
    findAdded(norm, t.normTrie, t.added, inner);
    for (const Piece &q : inner) {
      if (q.added >= 0) {
        body.push_back(t.added[size_t(q.added)].id);
        continue;
      }
      words.assign(1, std::string_view(norm).substr(q.begin, q.end - q.begin));
      for (const tok::SplitStep &st : t.preTokenizer)
        splitWords(st, words);
      for (std::string_view w : words)
        GEMMA_RT_TRY(t.bpe(w, body));
    }
  }

  if (!addSpecial || t.singleTemplate.empty()) {
    ids = std::move(body);
    return Status::ok();
  }
  for (const tok::TemplateItem &item : t.singleTemplate) {
    const std::vector<int32_t> &src = item.isSequence ? body : item.ids;
    ids.insert(ids.end(), src.begin(), src.end());
  }
  return Status::ok();
}

int32_t Tokenizer::tokenId(std::string_view token) const {
  for (const AddedToken &tk : impl->added)
    if (tk.content == token)
      return tk.id;
  return impl->vocab.find(token);
}

std::string Tokenizer::tokenString(int32_t id) const {
  return std::string(impl->token(id));
}

bool Tokenizer::isSpecial(int32_t id) const {
  return id >= 0 && size_t(id) < impl->special.size() &&
         impl->special[size_t(id)];
}

int64_t Tokenizer::vocabSize() const { return int64_t(impl->tokLen.size()); }

int32_t Tokenizer::bosId() const { return impl->bos; }

} // namespace gemma_rt
