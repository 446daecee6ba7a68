//===- cpu_features.h - does this CPU run the generated code? ------------===//
//
// The generated object is compiled for a chosen x86-64 level; running it on
// a CPU (or OS) without those instructions would die with SIGILL. This file
// is compiled for baseline x86-64 and checks first.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_CPU_FEATURES_H
#define GEMMA_RUNTIME_CPU_FEATURES_H

#include "runtime/status.h"

#include <cstdint>
#include <string>

namespace gemma_rt {

/// GEMMA_CPU_* bits that the CPU supports AND the OS has enabled the
/// register state for (XCR0 via xgetbv).
uint64_t detectCpuFeatures();

/// "AVX2, FMA, ..." for the given GEMMA_CPU_* bits.
std::string describeCpuFeatures(uint64_t bits);

/// Errors when `required` has bits the CPU lacks. GEMMA_RUN_CPU_MASK (hex)
/// masks the detected features, for testing the failure path.
Status checkCpuFeatures(uint64_t required);

} // namespace gemma_rt

#endif
