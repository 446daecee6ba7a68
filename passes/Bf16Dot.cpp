//===- Bf16Dot.cpp - bf16 activations x bf16 weights (vdpbf16ps) ----------===//
//
// With bf16 weights and f32 activations, every weight vector is widened to
// f32 (a zero-extend and a shift) before its FMA. CPUs with AVX512_BF16
// multiply bf16 pairs directly: vdpbf16ps acc, a, b adds
// a[2l] * b[2l] + a[2l+1] * b[2l+1] to f32 lane l, exactly the products (a
// bf16 product fits an f32) with f32 accumulation. The price is x rounded
// to bf16 (8 bits of mantissa), which is what llama.cpp's BF16 matmul does
// too; it is opt-in because the goldens' 1e-3 needs f32 activations.
//
// vdpbf16ps retires at a quarter of the FMA rate on the CPUs measured (two
// MACs per lane: half the MAC rate), so it wins where the widening of the
// weights dominates, a single token (decode GEMV), and loses where several
// tokens share each widened weight vector (prefill). The rounded x is
// therefore kept twice: as bf16 for vdpbf16ps (single tokens) and as f32
// holding the same bf16 values for the FMA kernel (token blocks). Both
// compute the same products; only the order of the f32 sums differs.
//
//===----------------------------------------------------------------------===//
#include "passes/Bf16Dot.h"
#include "dialects/GemmaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

bool mlir::gemma::bf16DotApplies(KernelBuilder &k, Value weight, Value scales) {
  return bf16WeightInSteps(weight, scales, bf16DotStep(k));
}

RoundedActivations mlir::gemma::roundActivationsToBf16(KernelBuilder &k, Value x) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  auto xType = cast<MemRefType>(x.getType());
  int64_t depth = xType.getShape().back(), vl = k.lanes();
  RoundedActivations r;
  r.bf16 = k.allocLike(x, b.getBF16Type());
  r.asF32 = k.allocLike(x, b.getF32Type());
  VectorType f32s = VectorType::get({vl}, b.getF32Type());
  k.forEachRow(x, [&](ValueRange outer) {
    k.loop(k.index(0), k.index(depth), vl, [&](Value col) {
      Value v = k.load(x, indicesWith(outer, col), vl);
      Value narrow = b.create<arith::TruncFOp>(loc, VectorType::get({vl}, b.getBF16Type()), v);
      b.create<vector::StoreOp>(loc, narrow, r.bf16, indicesWith(outer, col));
      b.create<vector::StoreOp>(loc, b.create<arith::ExtFOp>(loc, f32s, narrow), r.asF32,
                                indicesWith(outer, col));
    });
  });
  return r;
}

void mlir::gemma::freeRoundedActivations(KernelBuilder &k, const RoundedActivations &r) {
  k.builder().create<memref::DeallocOp>(k.location(), r.bf16);
  k.builder().create<memref::DeallocOp>(k.location(), r.asF32);
}

void mlir::gemma::emitBf16DotBlock(KernelBuilder &k, const DotBlock &blk, Value xBf16,
                                   Value weight, const OperandRows &rows) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t n = blk.tokens * blk.rows, step = bf16DotStep(k), lanes = k.lanes();
  assert(blk.depth % step == 0 && "bf16 dot rows are whole steps");
  auto pairs = VectorType::get({step}, b.getBF16Type());
  auto accType = VectorType::get({lanes}, b.getF32Type());
  // LLVM 22's signature: (<N x float> acc, <2N x bfloat> a, <2N x bfloat> b).
  StringAttr dpbf16 = b.getStringAttr("llvm.x86.avx512bf16.dpbf16ps." + std::to_string(32 * lanes));
  SmallVector<Value> init(n, k.constant(0.0, lanes));
  SmallVector<Value> acc = k.loop(
      k.index(0), k.index(blk.depth), step, init, [&](Value col, ValueRange args) {
        SmallVector<Value> xs, ws, next;
        for (int64_t i = 0; i < blk.tokens; ++i)
          xs.push_back(b.create<vector::LoadOp>(loc, pairs, xBf16, indicesWith(rows.x(i), col)));
        // Single tokens only (Activations.cpp): prefetch as the GEMVs do.
        prefetchRowStreams(k, weight, rows, blk.rows, col);
        for (int64_t j = 0; j < blk.rows; ++j)
          ws.push_back(b.create<vector::LoadOp>(loc, pairs, weight, indicesWith(rows.w(j), col)));
        for (int64_t i = 0; i < blk.tokens; ++i)
          for (int64_t j = 0; j < blk.rows; ++j)
            next.push_back(b.create<LLVM::CallIntrinsicOp>(loc, accType, dpbf16,
                                                           ValueRange{args[i * blk.rows + j],
                                                                      xs[i], ws[j]})
                               .getResult(0));
        return next;
      });
  SmallVector<Value> sums;
  for (Value a : acc)
    sums.push_back(k.sum(a));
  finishDotBlock(blk, sums);
}
