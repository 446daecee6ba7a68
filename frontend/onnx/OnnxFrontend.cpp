//===- OnnxFrontend.cpp - model.onnx -> ModelConfig + Checkpoint ----------===//
#include "frontend/onnx/OnnxFrontend.h"
#include "frontend/onnx/Assemble.h"
#include "frontend/onnx/GemmaOnnxDialect.h"
#include "frontend/onnx/OnnxImport.h"
#include "frontend/onnx/Raise.h"
#include "frontend/onnx/Report.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

namespace gemma::onnxfe {

llvm::Expected<OnnxInput> readOnnxModel(llvm::StringRef path, OnnxStop stop, llvm::raw_ostream *ir) {
  auto loaded = OnnxModel::load(path);
  if (!loaded)
    return loaded.takeError();
  std::shared_ptr<const OnnxModel> model(std::move(*loaded));
  mlir::MLIRContext ctx;
  ctx.disableMultithreading();
  ctx.loadDialect<mlir::gemma_onnx::GemmaOnnxDialect, mlir::func::FuncDialect>();
  auto module = importOnnxGraph(ctx, *model);
  if (!module)
    return module.takeError();
  OnnxInput in;
  in.directory = model->directory;
  if (stop == OnnxStop::AfterImport) {
    (*module)->print(*ir);
    return std::move(in);
  }
  if (mlir::failed(raiseOnnxGraph(**module)))
    return llvm::createStringError(model->path + ": raising failed");
  if (stop == OnnxStop::AfterRaising) {
    (*module)->print(*ir);
    return std::move(in);
  }
  auto assembled = assembleGemma(**module, *model);
  if (!assembled)
    return assembled.takeError();
  in.report = raisingReport(*model, **module, assembled->generic);
  auto ckpt = bindWeights(*assembled, model);
  if (!ckpt)
    return ckpt.takeError();
  in.cfg = std::move(assembled->cfg);
  in.ckpt = std::move(*ckpt);
  return std::move(in);
}

} // namespace gemma::onnxfe
