//===- EmitObject.cpp -----------------------------------------------------===//
//
// In-process code generation: mlir::translateModuleToLLVMIR, the O3 pipeline
// (makeOptimizingTransformer) with the target machine, then the legacy
// codegen pass manager for the object file.
//
//===----------------------------------------------------------------------===//
#include "codegen/EmitObject.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

using namespace gemma;

llvm::Error gemma::emitModule(mlir::ModuleOp module, const CpuTarget &target, EmitKind kind,
                              llvm::StringRef path) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "gemma_model");
  if (!llvmModule)
    return llvm::createStringError("cannot translate the module to LLVM IR");

  llvm::Triple triple("x86_64-unknown-linux-gnu");
  std::string error;
  const llvm::Target *llvmTarget = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return llvm::createStringError("no x86-64 target in this LLVM: %s", error.c_str());
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());

  // The kernels spell out their vector width; some AVX-512 CPUs prefer 256-bit
  // vectors by default, which would split every zmm operation in two.
  std::string width = std::to_string(target.vectorWidth * 32);
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", target.cpu);
    f.addFnAttr("target-features", target.features);
    f.addFnAttr("prefer-vector-width", width);
    f.addFnAttr("min-legal-vector-width", width);
  }

  auto optimize = mlir::makeOptimizingTransformer(3, 0, machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return err;

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError("cannot write %s: %s", path.str().c_str(),
                                   ec.message().c_str());
  if (kind == EmitKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return llvm::Error::success();
  }
  llvm::legacy::PassManager pm;
  auto fileType = kind == EmitKind::Object ? llvm::CodeGenFileType::ObjectFile
                                           : llvm::CodeGenFileType::AssemblyFile;
  if (machine->addPassesToEmitFile(pm, os, nullptr, fileType))
    return llvm::createStringError("the x86-64 target cannot emit this file type");
  pm.run(*llvmModule);
  os.flush();
  if (os.has_error())
    return llvm::createStringError("error writing %s", path.str().c_str());
  return llvm::Error::success();
}
