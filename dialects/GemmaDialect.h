//===- GemmaDialect.h - the gemma dialect -----------------------*- C++ -*-===//
#ifndef GEMMA_DIALECTS_GEMMADIALECT_H
#define GEMMA_DIALECTS_GEMMADIALECT_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Dialect.h"

#include "dialects/GemmaDialect.h.inc"

#endif
