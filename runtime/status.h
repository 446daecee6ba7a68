//===- status.h - error values for an exception-free runtime -------------===//
//
// The project builds with -fno-exceptions, and every gemma-run failure must
// end as ONE "gemma-run: error: ..." line with exit code 1. Functions return
// a Status carrying that message; main() is the only place that prints it.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_STATUS_H
#define GEMMA_RUNTIME_STATUS_H

#include <string>
#include <utility>

namespace gemma_rt {

class [[nodiscard]] Status {
public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string msg) {
    Status s;
    s.failed = true;
    s.text = std::move(msg);
    return s;
  }
  bool isOk() const { return !failed; }
  const std::string &message() const { return text; }

private:
  bool failed = false;
  std::string text;
};

/// printf-style message builder for Status::error.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// The OS error text for errno value `err` (strerror, thread-safe enough here).
std::string osError(int err);

} // namespace gemma_rt

#define GEMMA_RT_TRY(expr)                                                     \
  do {                                                                         \
    ::gemma_rt::Status _st = (expr);                                           \
    if (!_st.isOk())                                                           \
      return _st;                                                              \
  } while (0)

#endif
