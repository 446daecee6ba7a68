//===- GemmaDialect.cpp - gemma dialect registration ----------------------===//
#include "dialects/GemmaDialect.h"
#include "dialects/GemmaOps.h"

using namespace mlir;
using namespace mlir::gemma;

#include "dialects/GemmaDialect.cpp.inc"

void GemmaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/GemmaOps.cpp.inc"
      >();
}
