//===- Match.h - helpers shared by the raising patterns ---------*- C++ -*-===//
//
// Small predicates over the import IR: "is this value produced by an ONNX node
// of type X", "is it an initializer holding the scalar c", and the fused
// location that records which ONNX nodes a raised op replaced (read back by
// the --report table).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_FRONTEND_ONNX_MATCH_H
#define GEMMA_FRONTEND_ONNX_MATCH_H

#include "frontend/onnx/GemmaOnnxDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace gemma::onnxfe {

namespace go = mlir::gemma_onnx;

/// The ONNX node defining `v` if its op type is `type`, else null.
go::NodeOp nodeOf(mlir::Value v, llvm::StringRef type);
/// True if `op` is an ONNX node of type `type`.
bool isNode(mlir::Operation *op, llvm::StringRef type);
/// The initializer defining `v`, else null.
go::InitializerOp initOf(mlir::Value v);
/// The values of a small initializer (<= 1024 elements, any numeric type).
std::optional<llvm::SmallVector<double>> constValues(mlir::Value v);
std::optional<llvm::SmallVector<int64_t>> constInts(mlir::Value v);
/// The value of a one-element initializer.
std::optional<double> constScalar(mlir::Value v);
/// True if `v` is a one-element initializer equal to `c` (relative 1e-6).
bool isConst(mlir::Value v, double c);
/// Integer / string attribute of an ONNX node, or `dflt`.
int64_t intAttr(mlir::Operation *op, llvm::StringRef name, int64_t dflt);
llvm::StringRef strAttr(mlir::Operation *op, llvm::StringRef name);
/// Rank of a ranked tensor value, else -1.
int64_t rankOf(mlir::Value v);
/// Size of the last dimension if static, else -1.
int64_t lastDim(mlir::Value v);
/// True if the single-axis list `axes` (an initializer) names the last axis
/// of a value of rank `rank` (-1 = unknown: only -1 accepted then).
bool isLastAxis(mlir::Value axes, int64_t rank);
/// The float `f` as the shortest decimal that rounds back to it (so an f32
/// epsilon of 1e-6 reads 1e-06, exactly as config.json's double).
double shortestDouble(float f);
/// A fused location over every matched op (nested fused locations flatten).
mlir::Location fusedLoc(mlir::PatternRewriter &rewriter, llvm::ArrayRef<mlir::Operation *> ops);
/// Operations defining the given values (skipping block arguments).
llvm::SmallVector<mlir::Operation *> defs(llvm::ArrayRef<mlir::Value> values);

/// Pattern groups, in the order the raising pass applies them (each group
/// adds its patterns to the phases it needs).
struct PatternGroup {
  const char *name;
  const char *summary;
};
llvm::ArrayRef<PatternGroup> patternGroups();
constexpr int kNumPhases = 4;

// One populate function per pattern file; `phase` is 0..kNumPhases-1 (later phases
// match on the raised ops of earlier ones).
void populateRmsNormPatterns(mlir::RewritePatternSet &p, int phase);
void populateLinearPatterns(mlir::RewritePatternSet &p, int phase);
void populateRopePatterns(mlir::RewritePatternSet &p, int phase);
void populateMaskPatterns(mlir::RewritePatternSet &p, int phase);
void populateGqaPatterns(mlir::RewritePatternSet &p, int phase);
void populateAttentionPatterns(mlir::RewritePatternSet &p, int phase);
void populateMlpPatterns(mlir::RewritePatternSet &p, int phase);
void populateMoePatterns(mlir::RewritePatternSet &p, int phase);
void populatePlePatterns(mlir::RewritePatternSet &p, int phase);
void populateEmbedPatterns(mlir::RewritePatternSet &p, int phase);
void populateSoftcapPatterns(mlir::RewritePatternSet &p, int phase);

/// Base for patterns rooted at an ONNX node of one op type.
struct NodePattern : mlir::OpRewritePattern<go::NodeOp> {
  NodePattern(mlir::MLIRContext *ctx, llvm::StringRef type, mlir::PatternBenefit b = 1)
      : OpRewritePattern(ctx, b), type(type.str()) {}
  mlir::LogicalResult matchAndRewrite(go::NodeOp op,
                                      mlir::PatternRewriter &rewriter) const final {
    if (op.getOpType() != type)
      return mlir::failure();
    return rewrite(op, rewriter);
  }
  virtual mlir::LogicalResult rewrite(go::NodeOp op, mlir::PatternRewriter &rewriter) const = 0;
  std::string type;
};

} // namespace gemma::onnxfe

#endif
