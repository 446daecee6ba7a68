//===- status.cpp - message formatting for Status ------------------------===//
//
// Kept out of the header so the vsnprintf plumbing is written once.
//
//===----------------------------------------------------------------------===//
#include "runtime/status.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace gemma_rt {

std::string format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string out;
  if (n > 0) {
    out.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(&out[0], out.size(), fmt, ap2);
    out.resize(static_cast<size_t>(n));
  }
  va_end(ap2);
  return out;
}

std::string osError(int err) { return std::strerror(err); }

} // namespace gemma_rt
