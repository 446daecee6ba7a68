//===- atomic_file.h - output files that appear whole or not at all ------===//
//
// gemma-run must never leave a partial output behind: every output is
// written to FILE.tmp and renamed onto FILE by commit(); destroying an
// uncommitted AtomicFile removes the temporary.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_ATOMIC_FILE_H
#define GEMMA_RUNTIME_ATOMIC_FILE_H

#include "runtime/status.h"

#include <cstddef>
#include <cstdio>
#include <string>

namespace gemma_rt {

class AtomicFile {
public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;
  ~AtomicFile() { discard(); }

  /// Creates FILE.tmp. `flag` names the option in errors ("--logits-out").
  Status open(const std::string &path, const std::string &flag);
  Status write(const void *data, size_t n);
  Status write(const std::string &s) { return write(s.data(), s.size()); }
  /// Flushes, closes and renames FILE.tmp onto FILE.
  Status commit();
  /// Closes and removes FILE.tmp (no-op when not open).
  void discard();
  bool isOpen() const { return file != nullptr; }
  const std::string &path() const { return finalPath; }

private:
  FILE *file = nullptr;
  std::string finalPath, tmpPath, flagName;
};

} // namespace gemma_rt

#endif
