//===- page_memory.h - anonymous memory on transparent huge pages ---------===//
//
// Decode streams every weight byte once per token; on 4 KiB pages that is a
// TLB miss per 4 KiB, and the CPU's stream prefetchers stop at each page
// boundary. Read into 2 MiB pages instead, the int4 deployable of the
// 26B-A4B geometry decodes 17 % faster than mapped from 4 KiB page-cache
// pages (docs/benchmarks.md "Weights on huge pages"). The weights pack and
// gemma-run --bench's bandwidth arrays take their memory from here, so the
// two are measured on the same kind of pages.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_PAGE_MEMORY_H
#define GEMMA_RUNTIME_PAGE_MEMORY_H

#include "runtime/status.h"

#include <cstdint>

namespace gemma_rt {

/// Size of the pages asked for (x86-64's PMD size).
constexpr uint64_t kHugePageBytes = 2u << 20;

/// Anonymous, zero-filled memory aligned to kHugePageBytes and advised
/// MADV_HUGEPAGE. The kernel backs it with huge pages when transparent huge
/// pages are "always" or "madvise" (/sys/kernel/mm/transparent_hugepage/
/// enabled) and it finds free 2 MiB frames; otherwise with 4 KiB pages —
/// slower, never wrong.
class HugePageBuffer {
public:
  HugePageBuffer() = default;
  HugePageBuffer(const HugePageBuffer &) = delete;
  HugePageBuffer &operator=(const HugePageBuffer &) = delete;
  ~HugePageBuffer();

  /// Maps `bytes` (> 0); `what` names the memory in the error.
  Status allocate(uint64_t bytes, const char *what);
  uint8_t *data() const { return aligned; }

private:
  void *mapping = nullptr;
  uint64_t mappedBytes = 0;
  uint8_t *aligned = nullptr;
};

/// This process's anonymous memory on huge pages (AnonHugePages of
/// /proc/self/smaps_rollup), or -1 where the kernel does not say.
int64_t anonHugePageBytes();

/// MemAvailable of /proc/meminfo (GEMMA_RUN_MEM_AVAILABLE_MIB overrides it
/// for tests), or -1 where unknown.
int64_t availableMemoryBytes();

} // namespace gemma_rt

#endif
