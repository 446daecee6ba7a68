//===- PyJson.cpp ---------------------------------------------------------===//
#include "PyJson.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace gemma_synth {

/// Python float repr: shortest round-trip digits, exponent form if exp < -4 or >= 16.
std::string pyFloat(double v) {
  char buf[40];
  for (int p = 1; p <= 17; ++p) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    if (strtod(buf, nullptr) == v) break;
  }
  std::string str(buf), sign, digits;
  size_t pos = 0;
  if (str[0] == '-') { sign = "-"; pos = 1; }
  size_t e = str.find('e');
  for (size_t k = pos; k < e; ++k)
    if (str[k] != '.') digits += str[k];
  int exp = atoi(str.c_str() + e + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exp < -4 || exp >= 16) {
    std::string m = digits.substr(0, 1);
    if (digits.size() > 1) m += "." + digits.substr(1);
    snprintf(buf, sizeof buf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return sign + m + buf;
  }
  if (exp < 0) return sign + "0." + std::string(-exp - 1, '0') + digits;
  if ((int)digits.size() <= exp + 1) return sign + digits + std::string(exp + 1 - digits.size(), '0') + ".0";
  return sign + digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
}

void writeJson(const Json &j, std::string &out, bool pretty, int depth) {
  auto nl = [&](int d) { if (pretty) { out += '\n'; out.append(2 * d, ' '); } };
  switch (j.kind) {
  case Json::Null: out += "null"; return;
  case Json::Bool: out += j.b ? "true" : "false"; return;
  case Json::Int: out += std::to_string(j.i); return;
  case Json::Float: out += pyFloat(j.f); return;
  case Json::Str:
    out += '"';
    for (char c : j.s) {
      if (c == '"' || c == '\\') { out += '\\'; out += c; }
      else if ((unsigned char)c < 0x20) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); out += b; }
      else out += c;
    }
    out += '"';
    return;
  case Json::Arr:
    if (j.arr.empty()) { out += "[]"; return; }
    out += '[';
    for (size_t k = 0; k < j.arr.size(); ++k) {
      if (k) out += ',';
      nl(depth + 1);
      writeJson(j.arr[k], out, pretty, depth + 1);
    }
    nl(depth);
    out += ']';
    return;
  case Json::Obj: {
    if (j.obj.empty()) { out += "{}"; return; }
    std::vector<const std::pair<std::string, Json> *> kv;
    for (auto &p : j.obj) kv.push_back(&p);
    if (pretty) // sort_keys=True
      std::sort(kv.begin(), kv.end(), [](auto *a, auto *b) { return a->first < b->first; });
    out += '{';
    for (size_t k = 0; k < kv.size(); ++k) {
      if (k) out += ',';
      nl(depth + 1);
      writeJson(Json(kv[k]->first), out, pretty);
      out += pretty ? ": " : ":";
      writeJson(kv[k]->second, out, pretty, depth + 1);
    }
    nl(depth);
    out += '}';
    return;
  }
  }
}

std::string pretty(const Json &j) { std::string s; writeJson(j, s, true); return s + "\n"; }

} // namespace gemma_synth
