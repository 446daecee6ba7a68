//===- atomic_file.cpp - FILE.tmp + rename output files ------------------===//
//
// See atomic_file.h. Uses stdio with a large buffer: logits files are
// written a row (up to ~1 MiB) at a time.
//
//===----------------------------------------------------------------------===//
#include "runtime/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <unistd.h>

namespace gemma_rt {

Status AtomicFile::open(const std::string &path, const std::string &flag) {
  discard();
  finalPath = path;
  tmpPath = path + ".tmp";
  flagName = flag;
  file = std::fopen(tmpPath.c_str(), "wb");
  if (!file)
    return Status::error(format("%s: cannot create '%s': %s", flag.c_str(),
                                tmpPath.c_str(), osError(errno).c_str()));
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  return Status::ok();
}

Status AtomicFile::write(const void *data, size_t n) {
  if (n && std::fwrite(data, 1, n, file) != n) {
    int err = errno;
    discard();
    return Status::error(format("%s: cannot write '%s': %s", flagName.c_str(),
                                tmpPath.c_str(), osError(err).c_str()));
  }
  return Status::ok();
}

Status AtomicFile::commit() {
  int err = 0;
  if (std::fflush(file) != 0 || std::ferror(file))
    err = errno ? errno : EIO;
  if (std::fclose(file) != 0 && !err)
    err = errno ? errno : EIO;
  file = nullptr;
  if (err) {
    ::unlink(tmpPath.c_str());
    return Status::error(format("%s: cannot write '%s': %s", flagName.c_str(),
                                tmpPath.c_str(), osError(err).c_str()));
  }
  if (std::rename(tmpPath.c_str(), finalPath.c_str()) != 0) {
    err = errno;
    ::unlink(tmpPath.c_str());
    return Status::error(format("%s: cannot rename '%s' to '%s': %s",
                                flagName.c_str(), tmpPath.c_str(),
                                finalPath.c_str(), osError(err).c_str()));
  }
  return Status::ok();
}

void AtomicFile::discard() {
  if (!file)
    return;
  std::fclose(file);
  file = nullptr;
  ::unlink(tmpPath.c_str());
}

} // namespace gemma_rt
