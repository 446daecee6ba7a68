//===- GemmaDialect.td - the gemma dialect -------------------*- tablegen -*-===//
//
// Model-level ops of a Gemma 4 decoder. They work on memrefs in destination-
// passing style (like linalg on buffers): the importer already knows where
// every activation, weight and cache row lives (three arenas planned at
// compile time), so no bufferization is needed and every fusion pass can
// reason about buffers directly.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_DIALECT
#define GEMMA_DIALECT

include "mlir/IR/OpBase.td"

def Gemma_Dialect : Dialect {
  let name = "gemma";
  let summary = "Gemma 4 model-level operations";
  let cppNamespace = "::mlir::gemma";
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

class Gemma_Op<string mnemonic, list<Trait> traits = []>
    : Op<Gemma_Dialect, mnemonic, traits>;

#endif
