//===- tokenizer_bpe.cpp - BPE model, lookup tables and UTF-8 helpers -----===//
//
// The BPE algorithm is HF tokenizers' BPE::merge_word + Word::merge_all: the
// word starts as one symbol per character (or per byte through byte
// fallback), then a min-heap of (merge rank, position) over a linked list of
// symbols merges the best-ranked pair first, leftmost on ties. That is
// O(n log n) per word, which matters because Gemma's normalizer turns spaces
// into "▁" before its pre-tokenizer looks for spaces, so a long paragraph is
// one word. Stale heap entries are detected the same way HF does, so the
// merge order (and hence every id) is the same.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer_internal.h"

#include <algorithm>
#include <cstring>

namespace gemma_rt {
namespace tok {

static uint64_t hashBytes(std::string_view s) {
  // FNV-1a: tokens are short, so a byte loop is as fast as anything fancier.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return h ^ (h >> 29);
}

// Power of two with a load factor of at most 2/3: short linear probes
// without the 32 MB a 1/4 load would cost for Gemma's 515k merges.
static size_t tableSize(size_t n) {
  size_t cap = 16;
  while (cap < n + n / 2)
    cap <<= 1;
  return cap;
}

void StringIdMap::build(const std::string &a, const std::vector<uint32_t> &off,
                        const std::vector<uint32_t> &len,
                        const std::vector<int32_t> &ids) {
  arena = &a;
  slots.assign(tableSize(ids.size()), Slot{0, 0, -1, 0});
  count = 0;
  size_t mask = slots.size() - 1;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string_view key(a.data() + off[i], len[i]);
    uint64_t h = hashBytes(key);
    size_t at = size_t(h) & mask;
    for (;; at = (at + 1) & mask) {
      Slot &s = slots[at];
      if (s.id < 0) {
        s = Slot{off[i], len[i], ids[i], uint32_t(h >> 32)};
        ++count;
        break;
      }
      // A repeated key keeps the last id, like a JSON object read into a map.
      if (s.hash == uint32_t(h >> 32) &&
          std::string_view(a.data() + s.offset, s.length) == key) {
        s.id = ids[i];
        break;
      }
    }
  }
}

int32_t StringIdMap::find(std::string_view key) const {
  if (slots.empty())
    return -1;
  uint64_t h = hashBytes(key);
  size_t mask = slots.size() - 1;
  for (size_t at = size_t(h) & mask;; at = (at + 1) & mask) {
    const Slot &s = slots[at];
    if (s.id < 0)
      return -1;
    if (s.hash == uint32_t(h >> 32) && s.length == key.size() &&
        std::memcmp(arena->data() + s.offset, key.data(), key.size()) == 0)
      return s.id;
  }
}

static size_t pairSlot(uint64_t key, size_t mask) {
  return size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

void PairMap::reserve(size_t n) {
  slots.assign(tableSize(n), Slot{kEmpty, 0, 0});
  count = 0;
}

void PairMap::insert(int32_t a, int32_t b, uint32_t rank, int32_t merged) {
  uint64_t key = (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
  size_t mask = slots.size() - 1;
  for (size_t at = pairSlot(key, mask);; at = (at + 1) & mask) {
    Slot &s = slots[at];
    if (s.key == kEmpty || s.key == key) {
      count += s.key == kEmpty;
      s = Slot{key, rank, merged};
      return;
    }
  }
}

bool PairMap::find(int32_t a, int32_t b, uint32_t &rank,
                   int32_t &merged) const {
  if (slots.empty())
    return false;
  uint64_t key = (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
  size_t mask = slots.size() - 1;
  for (size_t at = pairSlot(key, mask);; at = (at + 1) & mask) {
    const Slot &s = slots[at];
    if (s.key == kEmpty)
      return false;
    if (s.key == key) {
      rank = s.rank;
      merged = s.merged;
      return true;
    }
  }
}

} // namespace tok

Status Tokenizer::Impl::bpe(std::string_view w,
                            std::vector<int32_t> &ids) const {
  if (w.empty())
    return Status::ok();
  if (ignoreMerges) {
    int32_t id = vocab.find(w);
    if (id >= 0) {
      ids.push_back(id);
      return Status::ok();
    }
  }
  struct Sym {
    int32_t id, prev, next;
    bool alive;
  };
  std::vector<Sym> syms;
  syms.reserve(w.size());
  auto add = [&](int32_t id) {
    int32_t idx = int32_t(syms.size());
    if (idx > 0)
      syms.back().next = idx;
    syms.push_back(Sym{id, idx - 1, -1, true});
  };

  // Initial symbols (merge_word): a character's token, else its bytes'
  // "<0xNN>" tokens, else <unk> (fused over runs when fuse_unk).
  const bool plain = subwordPrefix.empty() && wordSuffix.empty();
  int32_t unkId = -1;
  bool unkPending = false;
  std::string piece;
  for (size_t i = 0; i < w.size();) {
    size_t start = i;
    tok::decodeUtf8(w.data(), w.size(), i);
    std::string_view ch = w.substr(start, i - start);
    int32_t id;
    if (plain) {
      id = ch.size() == 1 && uint8_t(ch[0]) < 0x80 ? asciiIds[uint8_t(ch[0])]
                                                   : vocab.find(ch);
    } else {
      piece.assign(start == 0 ? "" : subwordPrefix);
      piece.append(ch);
      if (i == w.size())
        piece.append(wordSuffix);
      ch = piece;
      id = vocab.find(ch);
    }
    if (id >= 0) {
      if (unkPending) {
        add(unkId);
        unkPending = false;
      }
      add(id);
      continue;
    }
    if (byteFallback) {
      bool all = true;
      for (unsigned char b : ch)
        all = all && byteIds[b] >= 0;
      if (all) {
        for (unsigned char b : ch)
          add(byteIds[b]);
        continue;
      }
    }
    if (!hasUnk)
      continue; // HF drops the character when there is no unk_token
    if (unkId < 0) {
      unkId = vocab.find(unkToken);
      if (unkId < 0)
        return Status::error(format("%s: model.unk_token \"%s\" is not in "
                                    "model.vocab",
                                    path.c_str(), unkToken.c_str()));
    }
    if (unkPending && !fuseUnk)
      add(unkId);
    unkPending = true;
  }
  if (unkPending)
    add(unkId);

  struct Entry {
    uint32_t rank;
    int32_t pos, merged;
  };
  // std heap functions build a max-heap; "greater" puts the lowest rank, then
  // the lowest position, on top (HF's Merge ordering).
  auto after = [](const Entry &a, const Entry &b) {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  };
  std::vector<Entry> heap;
  heap.reserve(syms.size());
  uint32_t rank;
  int32_t merged;
  for (size_t k = 0; k + 1 < syms.size(); ++k)
    if (merges.find(syms[k].id, syms[k + 1].id, rank, merged))
      heap.push_back(Entry{rank, int32_t(k), merged});
  std::make_heap(heap.begin(), heap.end(), after);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    Entry top = heap.back();
    heap.pop_back();
    Sym &s = syms[top.pos];
    if (!s.alive || s.next < 0)
      continue;
    int32_t right = s.next;
    // An entry is stale when either symbol changed since it was queued.
    if (!merges.find(s.id, syms[right].id, rank, merged) ||
        merged != top.merged)
      continue;
    s.id = top.merged;
    s.next = syms[right].next;
    syms[right].alive = false;
    if (s.next >= 0)
      syms[s.next].prev = top.pos;
    if (s.prev >= 0 && merges.find(syms[s.prev].id, s.id, rank, merged)) {
      heap.push_back(Entry{rank, s.prev, merged});
      std::push_heap(heap.begin(), heap.end(), after);
    }
    if (s.next >= 0 && merges.find(s.id, syms[s.next].id, rank, merged)) {
      heap.push_back(Entry{rank, top.pos, merged});
      std::push_heap(heap.begin(), heap.end(), after);
    }
  }
  for (const Sym &s : syms)
    if (s.alive)
      ids.push_back(s.id);
  return Status::ok();
}

} // namespace gemma_rt
