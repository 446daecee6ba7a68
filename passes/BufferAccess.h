//===- BufferAccess.h - which arena regions a gemma op reads and writes --*- C++ -*-===//
//
// The fusion passes match chains of destination-passing ops through the
// buffers they share, not through SSA results: ops write into views of
// arena regions, and several views (e.g. [T, n_q*d] and [T, n_q, d]) can
// name one region. These helpers give each view its region ("root") and
// answer "who last wrote this region before op X" and "is anything touching
// it in between", so a fusion only fires when moving ops is provably safe.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_BUFFERACCESS_H
#define GEMMA_PASSES_BUFFERACCESS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/SmallPtrSet.h"

#include <string>

namespace mlir::gemma {

/// The region a memref value views: "scratch:NAME", "kv:NAME",
/// "weight:NAME", or "value:<address>" for anything else (function
/// arguments, allocations). Views of one region share a root.
std::string bufferRoot(Value memref);

/// The memref operands `op` writes (its destinations).
SmallVector<Value> writtenBuffers(Operation *op);
/// The memref operands `op` reads (everything else; an in-place operand is
/// both read and written).
SmallVector<Value> readBuffers(Operation *op);

bool touches(Operation *op, const std::string &root);
bool writes(Operation *op, const std::string &root);
bool reads(Operation *op, const std::string &root);

/// The closest op before `at` in its block that writes `buffer`'s region;
/// null if none (or if an op with regions is in the way: not analysed).
Operation *lastWriterBefore(Operation *at, Value buffer);

/// True if no op strictly between `from` and `to` (same block, from before
/// to) touches `root`, ignoring the ops in `ignore`.
bool untouchedBetween(Operation *from, Operation *to, const std::string &root,
                      const llvm::SmallPtrSetImpl<Operation *> &ignore);

/// True if the region's contents after `op` are never read: the first later
/// op touching it only writes it (or none does and it is scratch).
bool deadAfter(Operation *op, const std::string &root);

} // namespace mlir::gemma

#endif
