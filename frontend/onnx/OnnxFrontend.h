//===- OnnxFrontend.h - model.onnx -> ModelConfig + Checkpoint --*- C++ -*-===//
//
// The whole ONNX frontend behind one call, for gemmac: parse (OnnxModel),
// import (gemma_onnx dialect), raise (Raise*.cpp patterns), assemble
// (ModelConfig + weight binding). The result feeds the same importModel()
// as a Hugging Face folder. Runs in its own MLIRContext: nothing of the
// import dialect outlives this call.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_ONNXFRONTEND_H
#define GEMMA_FRONTEND_ONNX_ONNXFRONTEND_H

#include "frontend/Checkpoint.h"
#include "frontend/ModelConfig.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace gemma::onnxfe {

struct OnnxInput {
  ModelConfig cfg;
  std::unique_ptr<Checkpoint> ckpt; // null if stopped early
  std::string report;               // --report table
  std::string directory;            // the model's folder (side files)
};

enum class OnnxStop { None, AfterImport, AfterRaising };

/// `stop` != None prints the IR at that point to `ir` and returns without
/// assembling (cfg and ckpt empty).
llvm::Expected<OnnxInput> readOnnxModel(llvm::StringRef path, OnnxStop stop = OnnxStop::None,
                                        llvm::raw_ostream *ir = nullptr);

} // namespace gemma::onnxfe

#endif
