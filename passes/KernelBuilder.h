//===- KernelBuilder.h - helpers for emitting vector kernels ----*- C++ -*-===//
//
// The lowering passes emit their kernels with these helpers so that every
// kernel handles the same concerns the same way: f32 math on widened
// bf16/f16 loads, a vector body of `vl` lanes plus a scalar tail for inner
// sizes that are not a multiple of the vector width, and one outer
// scf.parallel per kernel (turned into an OpenMP loop later).
//
// Values of "width" 1 are scalars and of width vl are vector<vl x f32>;
// arith ops accept both, so a kernel body is written once for both parts.
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_PASSES_KERNELBUILDER_H
#define GEMMA_PASSES_KERNELBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <functional>

namespace mlir::gemma {

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, int64_t vectorWidth)
      : b(b), loc(loc), vl(vectorWidth) {}

  OpBuilder &builder() { return b; }
  Location location() const { return loc; }
  int64_t lanes() const { return vl; }

  Value index(int64_t v);
  Value f32(double v);
  Value i32(int32_t v);
  Value dim(Value memref, int64_t i);

  /// Scalar (width 1) or vector<width x f32> broadcast of a scalar f32.
  Value splat(Value scalar, int64_t width);
  Value constant(double v, int64_t width) { return splat(f32(v), width); }

  /// Loads `width` consecutive elements along the last index, widened to f32.
  Value load(Value memref, ValueRange indices, int64_t width);
  /// Loads `width` consecutive weights along the last index as f32: a float
  /// weight as load() does; a block-quantised one (scales given, see
  /// docs/weights.md) dequantised in registers: the i8 values (int8) or
  /// sign-extended nibbles (int4) converted to f32 times the block's scale
  /// (one scalar per kQuantBlock columns, splat). The column must be a
  /// multiple of `width`, and width 1 or a divisor of 16. Tiled matrices
  /// (weightTiled) are read through passes/WeightTiles.h.
  Value loadWeight(Value weight, Value scales, ValueRange indices, int64_t width);
  /// Stores an f32 scalar or vector (narrowing to the memref's element type).
  void store(Value value, Value memref, ValueRange indices);
  /// Horizontal sum of a vector (identity on scalars).
  Value sum(Value v);
  Value fma(Value a, Value b, Value c);
  Value add(Value a, Value c);
  Value sub(Value a, Value c);
  Value mul(Value a, Value c);
  Value div(Value a, Value c);
  Value max(Value a, Value c);
  Value exp(Value x);
  Value tanh(Value x);
  /// gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  Value gelu(Value x);

  /// Calls body(column, width) over [0, n): vector steps of vl, then a
  /// scalar tail. `n` is static.
  void sweep(int64_t n, const std::function<void(Value col, int64_t width)> &body);
  /// Sum over [0, n) of term(column, width) (term returns width lanes).
  Value sumOver(int64_t n, const std::function<Value(Value col, int64_t width)> &term);

  /// One scf.parallel over [0, ubs[i]).
  void parallel(ValueRange ubs, const std::function<void(ValueRange ivs)> &body);
  /// scf.for over [lb, ub) step `step`.
  void loop(Value lb, Value ub, int64_t step, const std::function<void(Value iv)> &body);
  /// scf.for with loop-carried values; body returns the next values.
  SmallVector<Value> loop(Value lb, Value ub, int64_t step, ValueRange init,
                          const std::function<SmallVector<Value>(Value iv, ValueRange args)> &body);
  /// For a memref of rank r >= 1: one parallel iteration per index of the
  /// outer r-1 dims (a single iteration for rank 1).
  void forEachRow(Value memref, const std::function<void(ValueRange outer)> &body);
  /// scf.if: `then` where cond (i1) holds, `otherwise` (if given) where not;
  /// code emitted afterwards goes after the scf.if.
  void ifThen(Value cond, const std::function<void()> &then,
              const std::function<void()> &otherwise = {});
  /// Runs body inside a memref.alloca_scope, so stack buffers allocated in a
  /// loop iteration are released at its end.
  void allocaScope(const std::function<void()> &body);
  /// A heap buffer (memref.alloc) of `like`'s shape and dynamic sizes with
  /// element type `elem`, the last dim divided by `lastDivisor`.
  Value allocLike(Value like, Type elem, int64_t lastDivisor = 1);

private:
  OpBuilder &b;
  Location loc;
  int64_t vl;
};

/// Appends `last` to `outer`.
SmallVector<Value> indicesWith(ValueRange outer, Value last);

} // namespace mlir::gemma

#endif
