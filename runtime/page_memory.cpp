//===- page_memory.cpp - anonymous memory on transparent huge pages -------===//
#include "runtime/page_memory.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>

namespace gemma_rt {

HugePageBuffer::~HugePageBuffer() {
  if (mapping)
    ::munmap(mapping, mappedBytes);
}

Status HugePageBuffer::allocate(uint64_t n, const char *what) {
  if (n == 0 || n > UINT64_MAX - kHugePageBytes)
    return Status::error(format("%s: cannot allocate %" PRIu64 " bytes", what, n));
  // One page of slack so the start can be moved up to a 2 MiB boundary
  // (the kernel only puts huge pages on aligned 2 MiB ranges).
  uint64_t total = n + kHugePageBytes;
  void *m = ::mmap(nullptr, total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED)
    return Status::error(format("%s: cannot allocate %.2f GiB: %s", what,
                                static_cast<double>(n) / (1 << 30),
                                osError(errno).c_str()));
  uintptr_t start = (reinterpret_cast<uintptr_t>(m) + kHugePageBytes - 1) &
                    ~static_cast<uintptr_t>(kHugePageBytes - 1);
  // Advice only: EINVAL where the kernel lacks THP leaves 4 KiB pages.
  (void)::madvise(reinterpret_cast<void *>(start), n, MADV_HUGEPAGE);
  mapping = m;
  mappedBytes = total;
  aligned = reinterpret_cast<uint8_t *>(start);
  return Status::ok();
}

namespace {

/// The value in kB of the line "key: N kB" of a /proc file, in bytes.
int64_t procKilobytes(const char *file, const char *key) {
  FILE *f = std::fopen(file, "re");
  if (!f)
    return -1;
  char line[256];
  int64_t bytes = -1;
  size_t keyLen = std::strlen(key);
  while (std::fgets(line, sizeof(line), f)) {
    unsigned long long kb;
    if (std::strncmp(line, key, keyLen) == 0 && line[keyLen] == ':' &&
        std::sscanf(line + keyLen + 1, "%llu", &kb) == 1) {
      bytes = static_cast<int64_t>(kb) * 1024;
      break;
    }
  }
  std::fclose(f);
  return bytes;
}

} // namespace

int64_t anonHugePageBytes() {
  return procKilobytes("/proc/self/smaps_rollup", "AnonHugePages");
}

int64_t availableMemoryBytes() {
  // Testing: pretend this much is available (test/runtime/bench_roofline.test
  // checks the fallback to the mapping without filling the machine).
  if (const char *mib = std::getenv("GEMMA_RUN_MEM_AVAILABLE_MIB")) {
    char *end = nullptr;
    long long v = std::strtoll(mib, &end, 10);
    if (*mib && !*end && v >= 0)
      return static_cast<int64_t>(v) << 20;
  }
  return procKilobytes("/proc/meminfo", "MemAvailable");
}

} // namespace gemma_rt
