//===- Assemble.h - raised ONNX graph -> ModelConfig + weights --*- C++ -*-===//
//
// Reads a raised gemma_onnx module back into what the Hugging Face path has
// after parsing config.json: a ModelConfig, and a Checkpoint whose tensors
// carry the canonical names (spec section 3) but point at the ONNX
// initializers (transposed into a copy where the graph stores a matrix
// [in, out]). gemmac then calls the same importModel(), so both frontends
// produce the same gemma-dialect IR and the same weights.gpack.
//
// The walk goes backwards from the logits through the decoder's skeleton.
// Residual Adds, the layer_scalar Mul and layout-only nodes (Reshape,
// Squeeze, Unsqueeze, Identity and the shape arithmetic feeding them) are
// lowered generically: they become the importer's gemma.add / gemma.scale
// and arena views. Every other ONNX node must have been raised; one that was
// not is an error naming the node, its op type and the opset.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_ASSEMBLE_H
#define GEMMA_FRONTEND_ONNX_ASSEMBLE_H

#include "frontend/Checkpoint.h"
#include "frontend/ModelConfig.h"
#include "frontend/onnx/OnnxModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gemma::onnxfe {

/// One checkpoint tensor of the manifest, bound to an ONNX initializer.
struct WeightBinding {
  std::string name;        // canonical, e.g. "model.layers.0.self_attn.q_proj.weight"
  std::string initializer; // ONNX initializer name
  bool transpose = false;  // stored [in, out]: transposed when bound
  std::string user;        // the ONNX node reading it (for errors)
};

struct AssembledModel {
  ModelConfig cfg;
  std::vector<WeightBinding> weights;
  /// ONNX node name -> the generic lowering it took ("residual add",
  /// "layer scale", "view").
  std::map<std::string, std::string> generic;
};

llvm::Expected<AssembledModel> assembleGemma(mlir::ModuleOp raised, const OnnxModel &model);

/// The Checkpoint over the bound initializers (shapes checked against the
/// tensor manifest of `assembled.cfg`; a mismatch names the initializer and
/// the node using it).
llvm::Expected<std::unique_ptr<Checkpoint>>
bindWeights(const AssembledModel &assembled, std::shared_ptr<const OnnxModel> model);

} // namespace gemma::onnxfe

#endif
