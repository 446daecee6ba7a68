//===- Pipeline.h - gemmac's phases, in one place ---------------*- C++ -*-===//
//
// The compiler is a fixed sequence of named phases (as MLC-LLM's
// pipeline.py). gemmac runs them in order, can dump the IR after each
// (--dump-after-phase), and can switch single passes off (--disable-pass).
// gemma-opt exposes each phase as a pipeline `--gemma-phase-<name>` so lit
// tests can run exactly what gemmac runs.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_CODEGEN_PIPELINE_H
#define GEMMA_CODEGEN_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LogicalResult.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace mlir::gemma {

struct PipelineOptions {
  int64_t vectorWidth = 8;
  std::set<std::string> disabledPasses; // pass arguments, e.g. "gemma-approximate-math"
  std::string dumpDir;                  // empty: no dumps
  bool verbose = false;
  bool profile = false; // gemma-profile-ops: time each op family (gemmac --profile)
  /// gemmac --activations int8: x quantised to int8 for int8/int4 weights.
  bool int8Activations = false;
  bool vnni = false; // the target has AVX-512 VNNI (vpdpbusd on zmm)
  /// gemmac --activations bf16: x rounded to bf16 for bf16 weights (vdpbf16ps).
  bool bf16Activations = false;
  /// The target has AMX-BF16 and the module an eligible op: bf16-weight
  /// calls of 16+ tokens on AMX tiles (x as 1 bf16 term with bf16Activations,
  /// else 3).
  bool amx = false;
  /// gemmac --panel-tiles: 8-lane bf16 prefill on re-laid weight panels
  /// (passes/Bf16PanelTiles.h).
  bool panelTiles = true;
};

struct Phase {
  std::string name;
  std::string summary;
  /// Adds the phase's passes, skipping disabled ones.
  std::function<void(OpPassManager &, const PipelineOptions &)> build;
};

/// The phases after import, in order.
const std::vector<Phase> &phases();

/// Runs every phase on `module`; with dumpDir, writes NN-<phase>.mlir after
/// each (00-import.mlir is the input).
LogicalResult runPhases(ModuleOp module, const PipelineOptions &options);

/// Names of the passes that --disable-pass accepts.
std::vector<std::string> switchablePasses();

/// Registers `gemma-phase-<name>` pipelines for gemma-opt.
void registerPhasePipelines();

/// Registers every dialect and translation the phases need on `registry`.
void registerPipelineDialects(DialectRegistry &registry);

} // namespace mlir::gemma

#endif
