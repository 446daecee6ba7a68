//===- profile.cpp --------------------------------------------------------===//
#include "runtime/profile.h"
#include "runtime/gemma_abi.h"

#include <time.h>

namespace {
double seconds[GEMMA_PROF_COUNT], started[GEMMA_PROF_COUNT];
int64_t calls[GEMMA_PROF_COUNT];
const char *const kNames[GEMMA_PROF_COUNT] = {
    "embedding",          "rms_norm",          "linear (projections, MLP)",
    "qk_norm_rope + KV write", "attention (sliding)", "attention (full)",
    "MoE router",         "MoE experts + combine", "elementwise (GELU, adds, scales)",
    "LM head (+ soft-cap)"};

double now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
bool valid(int64_t f) { return f >= 0 && f < GEMMA_PROF_COUNT; }
} // namespace

extern "C" void gemma_prof_begin(int64_t family) {
  if (valid(family))
    started[family] = now();
}

extern "C" void gemma_prof_end(int64_t family) {
  if (!valid(family))
    return;
  seconds[family] += now() - started[family];
  ++calls[family];
}

namespace gemma_rt {

void profileReset() {
  for (int f = 0; f < GEMMA_PROF_COUNT; ++f) {
    seconds[f] = 0;
    calls[f] = 0;
  }
}

bool profileHasData() {
  for (int f = 0; f < GEMMA_PROF_COUNT; ++f)
    if (calls[f])
      return true;
  return false;
}

void profilePrint(FILE *out, const char *what, double tokens) {
  double total = 0;
  for (int f = 0; f < GEMMA_PROF_COUNT; ++f)
    total += seconds[f];
  std::fprintf(out, "\n%s\n\n| %-34s | %12s | %7s | %10s |\n", what, "op family",
               "ms / token", "share", "calls");
  std::fprintf(out, "| %s | -----------: | ------: | ---------: |\n",
               "----------------------------------");
  for (int f = 0; f < GEMMA_PROF_COUNT; ++f) {
    if (!calls[f])
      continue;
    std::fprintf(out, "| %-34s | %12.3f | %6.1f%% | %10lld |\n", kNames[f],
                 1e3 * seconds[f] / tokens, total > 0 ? 100.0 * seconds[f] / total : 0.0,
                 static_cast<long long>(calls[f]));
  }
  std::fprintf(out, "| %-34s | %12.3f | %6.1f%% | %10s |\n", "total (timed ops)",
               1e3 * total / tokens, 100.0, "");
}

} // namespace gemma_rt
