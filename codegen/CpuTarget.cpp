//===- CpuTarget.cpp ------------------------------------------------------===//
//
// The kernels need AVX2+FMA at least; with AVX-512F/BW/VL/DQ they use zmm
// (16 f32 lanes). The feature set is also recorded as GEMMA_CPU_* bits so
// the deployable can refuse a CPU that lacks them instead of crashing.
//
//===----------------------------------------------------------------------===//
#include "codegen/CpuTarget.h"
#include "runtime/gemma_abi.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <memory>

using namespace gemma;

namespace {
struct FeatureBit {
  const char *llvmName;
  uint64_t bit;
};
const FeatureBit kFeatureBits[] = {
    {"avx2", GEMMA_CPU_AVX2},           {"fma", GEMMA_CPU_FMA},
    {"f16c", GEMMA_CPU_F16C},           {"avx512f", GEMMA_CPU_AVX512F},
    {"avx512bw", GEMMA_CPU_AVX512BW},   {"avx512vl", GEMMA_CPU_AVX512VL},
    {"avx512dq", GEMMA_CPU_AVX512DQ},   {"avx512bf16", GEMMA_CPU_AVX512BF16},
    {"avx512vnni", GEMMA_CPU_AVX512VNNI}};
} // namespace

std::string CpuTarget::describe() const {
  return cpu + (vectorWidth == 16 ? " (AVX-512, 16 f32 lanes)" : " (AVX2+FMA, 8 f32 lanes)");
}

llvm::Expected<CpuTarget> gemma::resolveCpuTarget(llvm::StringRef name) {
  llvm::StringMap<bool> enabled;
  CpuTarget target;
  if (name == "native" || name.empty()) {
    target.cpu = llvm::sys::getHostCPUName().str();
    enabled = llvm::sys::getHostCPUFeatures();
  } else {
    if (!llvm::X86::parseArchX86(name, /*Only64Bit=*/true) &&
        name != "x86-64-v3" && name != "x86-64-v4")
      return llvm::createStringError("unknown CPU '%s' for --cpu (try native, x86-64-v3, "
                                     "x86-64-v4, znver3, sapphirerapids)",
                                     name.str().c_str());
    target.cpu = name.str();
    // Ask the X86 backend itself: llvm::X86::getFeaturesForCPU lists only a
    // CPU's direct features (x86-64-v4 names avx512bw/dq/vl but not the
    // implied avx512f), while the subtarget resolves the implications.
    llvm::InitializeNativeTarget();
    std::string error;
    const llvm::Triple triple("x86_64-unknown-linux-gnu");
    const llvm::Target *x86 = llvm::TargetRegistry::lookupTarget(triple, error);
    if (!x86)
      return llvm::createStringError("no x86 target in this LLVM: %s", error.c_str());
    std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
        x86->createMCSubtargetInfo(triple, target.cpu, ""));
    for (const llvm::SubtargetFeatureKV &feature : subtarget->getAllProcessorFeatures())
      if (subtarget->getFeatureBits().test(feature.Value))
        enabled[feature.Key] = true;
  }
  if (!enabled.lookup("avx2") || !enabled.lookup("fma"))
    return llvm::createStringError(
        "CPU '%s' lacks AVX2+FMA; gemmac generates code for x86-64-v3 (AVX2+FMA) or newer",
        target.cpu.c_str());
  bool avx512 = enabled.lookup("avx512f") && enabled.lookup("avx512bw") &&
                enabled.lookup("avx512vl") && enabled.lookup("avx512dq");
  target.vectorWidth = avx512 ? 16 : 8;
  target.vnni = avx512 && enabled.lookup("avx512vnni");
  target.bf16Dot = avx512 && enabled.lookup("avx512bf16");
  target.amxBf16 = target.bf16Dot && enabled.lookup("amx-tile") && enabled.lookup("amx-bf16");
  target.requiredBits = 0;
  for (const FeatureBit &f : kFeatureBits)
    if (enabled.lookup(f.llvmName))
      target.requiredBits |= f.bit;
  // The runtime checks only what the code may use; keep the string in step.
  std::string features;
  for (auto &kv : enabled) {
    if (!features.empty())
      features += ",";
    features += (kv.second ? "+" : "-") + kv.first().str();
  }
  target.features = features;
  return target;
}
