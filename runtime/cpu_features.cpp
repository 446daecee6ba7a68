//===- cpu_features.cpp - cpuid/xgetbv feature detection -----------------===//
//
// Maps cpuid + XCR0 onto GEMMA_CPU_* bits. Must stay free of AVX code: it
// runs before we know the CPU can execute it.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu_features.h"

#include "runtime/gemma_abi.h"

#include <cerrno>
#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace gemma_rt {

namespace {

struct FeatureName {
  uint64_t bit;
  const char *name;
};

const FeatureName kFeatureNames[] = {
    {GEMMA_CPU_AVX2, "AVX2"},
    {GEMMA_CPU_FMA, "FMA"},
    {GEMMA_CPU_F16C, "F16C"},
    {GEMMA_CPU_AVX512F, "AVX-512F"},
    {GEMMA_CPU_AVX512BW, "AVX-512BW"},
    {GEMMA_CPU_AVX512VL, "AVX-512VL"},
    {GEMMA_CPU_AVX512DQ, "AVX-512DQ"},
    {GEMMA_CPU_AVX512BF16, "AVX-512BF16"},
    {GEMMA_CPU_AVX512VNNI, "AVX-512VNNI"},
    {GEMMA_CPU_AMXBF16, "AMX-BF16"},
};

constexpr uint64_t kV3 = GEMMA_CPU_AVX2 | GEMMA_CPU_FMA | GEMMA_CPU_F16C;
constexpr uint64_t kV4 = kV3 | GEMMA_CPU_AVX512F | GEMMA_CPU_AVX512BW |
                         GEMMA_CPU_AVX512VL | GEMMA_CPU_AVX512DQ;

/// Linux hands out the 8 KB AMX tile state only to processes that ask
/// (arch_prctl ARCH_REQ_XCOMP_PERM, once, for all threads); without it the
/// first tile instruction dies with SIGILL. Asking is harmless elsewhere.
bool requestTileState() {
#if defined(__linux__) && defined(__x86_64__)
  constexpr int kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}

} // namespace

uint64_t detectCpuFeatures() {
  uint64_t bits = 0;
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (!__get_cpuid_count(1, 0, &a, &b, &c, &d))
    return 0;
  const bool osxsave = c & (1u << 27);
  const bool avx = c & (1u << 28);
  const bool fma = c & (1u << 12);
  const bool f16c = c & (1u << 29);
  if (!osxsave || !avx)
    return 0; // no YMM state: nothing we check for is usable
  unsigned xcr0Lo, xcr0Hi;
  __asm__ volatile("xgetbv" : "=a"(xcr0Lo), "=d"(xcr0Hi) : "c"(0));
  const bool ymmOs = (xcr0Lo & 0x6) == 0x6;          // SSE + AVX state
  const bool zmmOs = ymmOs && (xcr0Lo & 0xE0) == 0xE0; // opmask, ZMM hi
  if (!ymmOs)
    return 0;
  if (fma)
    bits |= GEMMA_CPU_FMA;
  if (f16c)
    bits |= GEMMA_CPU_F16C;
  unsigned maxLeaf = __get_cpuid_max(0, nullptr);
  if (maxLeaf >= 7) {
    __get_cpuid_count(7, 0, &a, &b, &c, &d);
    unsigned leaf7MaxSub = a;
    if (b & (1u << 5))
      bits |= GEMMA_CPU_AVX2;
    if (zmmOs) {
      if (b & (1u << 16))
        bits |= GEMMA_CPU_AVX512F;
      if (b & (1u << 17))
        bits |= GEMMA_CPU_AVX512DQ;
      if (b & (1u << 30))
        bits |= GEMMA_CPU_AVX512BW;
      if (b & (1u << 31))
        bits |= GEMMA_CPU_AVX512VL;
      if (c & (1u << 11))
        bits |= GEMMA_CPU_AVX512VNNI;
      const bool amxTile = d & (1u << 24), amxBf16 = d & (1u << 22);
      const bool tileOs = (xcr0Lo & 0x60000) == 0x60000; // XTILECFG, XTILEDATA
      if (amxTile && amxBf16 && tileOs && requestTileState())
        bits |= GEMMA_CPU_AMXBF16;
      if (leaf7MaxSub >= 1) {
        __get_cpuid_count(7, 1, &a, &b, &c, &d);
        if (a & (1u << 5))
          bits |= GEMMA_CPU_AVX512BF16;
      }
    }
  }
#endif
  return bits;
}

std::string describeCpuFeatures(uint64_t bits) {
  std::string out;
  for (const FeatureName &f : kFeatureNames) {
    if (!(bits & f.bit))
      continue;
    if (!out.empty())
      out += ", ";
    out += f.name;
  }
  uint64_t known = 0;
  for (const FeatureName &f : kFeatureNames)
    known |= f.bit;
  if (bits & ~known) {
    if (!out.empty())
      out += ", ";
    out += format("unknown feature bits 0x%llx",
                  static_cast<unsigned long long>(bits & ~known));
  }
  return out;
}

Status checkCpuFeatures(uint64_t required) {
  uint64_t have = detectCpuFeatures();
  if (const char *mask = std::getenv("GEMMA_RUN_CPU_MASK")) {
    char *end = nullptr;
    errno = 0;
    unsigned long long m = std::strtoull(mask, &end, 16);
    if (errno || end == mask || *end != '\0')
      return Status::error(format(
          "GEMMA_RUN_CPU_MASK: '%s' is not a hexadecimal feature mask", mask));
    have &= m;
  }
  uint64_t missing = required & ~have;
  if (!missing)
    return Status::ok();
  const char *level = (have & kV4) == kV4   ? "x86-64-v4"
                      : (have & kV3) == kV3 ? "x86-64-v3"
                                            : "x86-64-v2";
  if (missing == GEMMA_CPU_AMXBF16)
    return Status::error(
        "this deployable multiplies bf16 on AMX tiles (bf16 weights compiled for a CPU with "
        "AMX-BF16); this CPU or its OS does not offer them (recompile with gemmac "
        "--cpu=native on this machine, or a --cpu without AMX such as x86-64-v4)");
  return Status::error(
      format("this deployable was compiled for a CPU with %s; this CPU lacks "
             "%s (recompile with gemmac --cpu=%s)",
             describeCpuFeatures(required).c_str(),
             describeCpuFeatures(missing).c_str(), level));
}

} // namespace gemma_rt
