//===- CpuTarget.h - which x86-64 CPU the generated code is for -*- C++ -*-===//
#ifndef GEMMA_CODEGEN_CPUTARGET_H
#define GEMMA_CODEGEN_CPUTARGET_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace gemma {

struct CpuTarget {
  std::string cpu;        // LLVM CPU name, e.g. "x86-64-v3", "znver3"
  std::string features;   // LLVM feature string, e.g. "+avx2,+fma,..."
  int64_t vectorWidth;    // f32 lanes the kernels use: 8 (ymm) or 16 (zmm)
  uint64_t requiredBits;  // GEMMA_CPU_* bits the runtime checks at start
  bool vnni = false;      // AVX-512 VNNI with zmm kernels: vpdpbusd for int8 dots
  bool bf16Dot = false;   // AVX512_BF16 with zmm kernels: vdpbf16ps for bf16 dots
  bool amxBf16 = false;   // AMX-TILE + AMX-BF16 with zmm kernels: tdpbf16ps GEMMs
  std::string describe() const; // "x86-64-v4 (AVX-512, 16 f32 lanes)"
};

/// `name`: "native" (the compiling host), "x86-64-v3" (AVX2+FMA),
/// "x86-64-v4" (AVX-512) or any LLVM x86 CPU name. Errors for unknown CPUs or
/// CPUs without AVX2+FMA.
llvm::Expected<CpuTarget> resolveCpuTarget(llvm::StringRef name);

} // namespace gemma

#endif
