//===- tokenizer_text.cpp - UTF-8 checks and the added-token trie ---------===//
//
// UTF-8 validation follows Rust's str rules (no overlongs, surrogates or code
// points above U+10FFFF) because HF tokenizers only ever sees such strings;
// the offset of the first bad byte is what encode reports.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer_internal.h"

#include <algorithm>

namespace gemma_rt {
namespace tok {

int32_t TokenTrie::child(int32_t node, uint8_t byte) const {
  if (node == 0)
    return rootInit ? rootChildren[byte] : -1;
  const auto &c = nodes[node].children;
  auto it = std::lower_bound(c.begin(), c.end(), byte,
                             [](const std::pair<uint8_t, int32_t> &e,
                                uint8_t b) { return e.first < b; });
  return it != c.end() && it->first == byte ? it->second : -1;
}

void TokenTrie::add(std::string_view pattern, int32_t value) {
  if (pattern.empty())
    return; // HF never matches an empty added token either
  if (!rootInit) {
    std::fill(std::begin(rootChildren), std::end(rootChildren), -1);
    rootInit = true;
  }
  int32_t node = 0;
  for (unsigned char b : pattern) {
    int32_t next = child(node, b);
    if (next < 0) {
      next = int32_t(nodes.size());
      nodes.emplace_back();
      if (node == 0) {
        rootChildren[b] = next;
      } else {
        auto &c = nodes[node].children;
        auto it = std::lower_bound(c.begin(), c.end(), b,
                                   [](const std::pair<uint8_t, int32_t> &e,
                                      uint8_t x) { return e.first < x; });
        c.insert(it, {b, next});
      }
    }
    node = next;
  }
  // The first token with a given content wins, as in HF's added vocabulary.
  if (nodes[node].value < 0)
    nodes[node].value = value;
}

size_t TokenTrie::longestMatch(const char *p, size_t n, int32_t &value) const {
  size_t best = 0;
  int32_t node = 0;
  for (size_t i = 0; i < n; ++i) {
    node = child(node, uint8_t(p[i]));
    if (node < 0)
      break;
    if (nodes[node].value >= 0) {
      best = i + 1;
      value = nodes[node].value;
    }
  }
  return best;
}

uint32_t decodeUtf8(const char *s, size_t n, size_t &i) {
  auto b = [&](size_t k) { return uint32_t(uint8_t(s[k])); };
  uint32_t c = b(i);
  if (c < 0x80 || i + 1 >= n) {
    i += 1;
    return c;
  }
  if (c < 0xE0) {
    i += 2;
    return ((c & 0x1F) << 6) | (b(i - 1) & 0x3F);
  }
  if (c < 0xF0) {
    i += 3;
    return ((c & 0x0F) << 12) | ((b(i - 2) & 0x3F) << 6) | (b(i - 1) & 0x3F);
  }
  i += 4;
  return ((c & 0x07) << 18) | ((b(i - 3) & 0x3F) << 12) |
         ((b(i - 2) & 0x3F) << 6) | (b(i - 1) & 0x3F);
}

// Scans one character at s[i]; returns its length, 0 if invalid, or -1 if
// the string ends inside a character that is valid so far.
static int scanUtf8(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return uint8_t(s[k]); };
  uint8_t c = at(i);
  if (c < 0x80)
    return 1;
  int len;
  uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0)
      lo = 0xA0; // overlong
    if (c == 0xED)
      hi = 0x9F; // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0)
      lo = 0x90; // overlong
    if (c == 0xF4)
      hi = 0x8F; // above U+10FFFF
  } else {
    return 0;
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size())
      return -1;
    uint8_t x = at(i + k);
    if (k == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF))
      return 0;
  }
  return len;
}

size_t invalidUtf8Offset(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int len = scanUtf8(s, i);
    if (len <= 0)
      return i;
    i += size_t(len);
  }
  return std::string_view::npos;
}

int utf8Completeness(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int len = scanUtf8(s, i);
    if (len == 0)
      return 2;
    if (len < 0)
      return 1;
    i += size_t(len);
  }
  return 0;
}

void replaceAll(std::string &s, const std::string &from,
                const std::string &to) {
  if (from.empty() || s.find(from) == std::string::npos)
    return;
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos;
       pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out += to;
  }
  out.append(s, pos, std::string::npos);
  s = std::move(out);
}

} // namespace tok
} // namespace gemma_rt
