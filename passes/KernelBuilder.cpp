//===- KernelBuilder.cpp --------------------------------------------------===//
#include "passes/KernelBuilder.h"
#include "passes/WeightTiles.h"
#include "dialects/GemmaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::gemma;

SmallVector<Value> mlir::gemma::indicesWith(ValueRange outer, Value last) {
  SmallVector<Value> all(outer.begin(), outer.end());
  all.push_back(last);
  return all;
}

Value KernelBuilder::index(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
Value KernelBuilder::f32(double v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(static_cast<float>(v)));
}
Value KernelBuilder::i32(int32_t v) {
  return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(v));
}
Value KernelBuilder::dim(Value memref, int64_t i) {
  return b.create<memref::DimOp>(loc, memref, i);
}

Value KernelBuilder::splat(Value scalar, int64_t width) {
  if (width == 1)
    return scalar;
  return b.create<vector::BroadcastOp>(loc, VectorType::get({width}, b.getF32Type()), scalar);
}

Value KernelBuilder::load(Value memref, ValueRange indices, int64_t width) {
  Type elem = cast<MemRefType>(memref.getType()).getElementType();
  Value v;
  Type f32Ty = b.getF32Type();
  if (width == 1) {
    v = b.create<memref::LoadOp>(loc, memref, indices);
  } else {
    v = b.create<vector::LoadOp>(loc, VectorType::get({width}, elem), memref, indices);
    f32Ty = VectorType::get({width}, f32Ty);
  }
  if (elem.isF32())
    return v;
  return b.create<arith::ExtFOp>(loc, f32Ty, v);
}

Value KernelBuilder::loadWeight(Value weight, Value scales, ValueRange indices, int64_t width) {
  WeightFormat format = weightFormat(weight, scales);
  if (format == WeightFormat::Float)
    return load(weight, indices, width);
  if (weightTiled(weight, scales))
    return loadTiledWeight(*this, tiledView(*this, weight, scales), indices, width);
  assert((width == 1 || 16 % width == 0) && "quantised loads take 1, 2, 4, 8 or 16 lanes");
  Location l = loc;
  Value col = indices.back();
  SmallVector<Value> at(indices.begin(), indices.end());
  // The block's scale: scales[..., col / 32], widened to f32 and splat.
  Value block = b.create<arith::DivUIOp>(l, col, index(kQuantBlock));
  SmallVector<Value> scaleAt(indices.drop_back());
  scaleAt.push_back(block);
  Value scale = splat(load(scales, scaleAt, 1), width);
  auto typeOf = [&](Type elem) -> Type {
    return width == 1 ? elem : VectorType::get({width}, elem);
  };
  auto loadBytes = [&](ValueRange where) -> Value {
    if (width == 1)
      return b.create<memref::LoadOp>(l, weight, where);
    return b.create<vector::LoadOp>(l, typeOf(b.getI8Type()), weight, where);
  };
  Value q;
  if (format == WeightFormat::Int8) {
    q = loadBytes(at);
  } else {
    // Int4: byte j of a 32-weight block holds weight j (low nibble) and
    // weight j + 16 (high nibble). Columns [col, col + width) lie in one half
    // of a block: bytes block * 16 + col % 16, nibble (col / 16) % 2.
    Value inBlock = b.create<arith::RemUIOp>(l, col, index(16));
    at.back() = b.create<arith::AddIOp>(
        l, b.create<arith::MulIOp>(l, block, index(kQuantBlock / 2)), inBlock);
    Value bytes = loadBytes(at);
    Value half = b.create<arith::RemUIOp>(l, b.create<arith::DivUIOp>(l, col, index(16)),
                                          index(2));
    // Sign-extend the byte to i32, move the wanted nibble to the top
    // (shift left by 28 or 24) and shift it back arithmetically by 28.
    Value left = b.create<arith::SubIOp>(l, index(28),
                                         b.create<arith::MulIOp>(l, half, index(4)));
    Type i32 = b.getI32Type();
    Value leftI32 = b.create<arith::IndexCastOp>(l, i32, left);
    Value wide = b.create<arith::ExtSIOp>(l, typeOf(i32), bytes);
    Value shl = b.create<arith::ShLIOp>(l, wide, width == 1 ? leftI32
                                                            : b.create<vector::BroadcastOp>(
                                                                  l, typeOf(i32), leftI32)
                                                                  .getResult());
    Value by28 = b.create<arith::ConstantOp>(
        l, width == 1 ? TypedAttr(b.getI32IntegerAttr(28))
                      : TypedAttr(DenseElementsAttr::get(cast<ShapedType>(typeOf(i32)),
                                                         b.getI32IntegerAttr(28).getValue())));
    q = b.create<arith::ShRSIOp>(l, shl, by28);
  }
  Value f = b.create<arith::SIToFPOp>(l, typeOf(b.getF32Type()), q);
  return mul(f, scale);
}

void KernelBuilder::store(Value value, Value memref, ValueRange indices) {
  Type elem = cast<MemRefType>(memref.getType()).getElementType();
  if (!elem.isF32()) {
    Type ty = elem;
    if (auto vt = dyn_cast<VectorType>(value.getType()))
      ty = VectorType::get(vt.getShape(), elem);
    value = b.create<arith::TruncFOp>(loc, ty, value);
  }
  if (isa<VectorType>(value.getType()))
    b.create<vector::StoreOp>(loc, value, memref, indices);
  else
    b.create<memref::StoreOp>(loc, value, memref, indices);
}

Value KernelBuilder::sum(Value v) {
  if (!isa<VectorType>(v.getType()))
    return v;
  return b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, v);
}
Value KernelBuilder::fma(Value a, Value x, Value c) { return b.create<math::FmaOp>(loc, a, x, c); }
Value KernelBuilder::add(Value a, Value c) { return b.create<arith::AddFOp>(loc, a, c); }
Value KernelBuilder::sub(Value a, Value c) { return b.create<arith::SubFOp>(loc, a, c); }
Value KernelBuilder::mul(Value a, Value c) { return b.create<arith::MulFOp>(loc, a, c); }
Value KernelBuilder::div(Value a, Value c) { return b.create<arith::DivFOp>(loc, a, c); }
Value KernelBuilder::max(Value a, Value c) { return b.create<arith::MaximumFOp>(loc, a, c); }
Value KernelBuilder::exp(Value x) { return b.create<math::ExpOp>(loc, x); }
Value KernelBuilder::tanh(Value x) { return b.create<math::TanhOp>(loc, x); }

Value KernelBuilder::gelu(Value x) {
  int64_t width = 1;
  if (auto vt = dyn_cast<VectorType>(x.getType()))
    width = vt.getNumElements();
  Value x3 = mul(mul(x, x), x);
  Value inner = mul(fma(constant(0.044715, width), x3, x), constant(std::sqrt(2.0 / M_PI), width));
  Value t = tanh(inner);
  return mul(mul(constant(0.5, width), x), add(constant(1.0, width), t));
}

void KernelBuilder::sweep(int64_t n, const std::function<void(Value, int64_t)> &body) {
  int64_t vecEnd = n - n % vl;
  if (vecEnd > 0)
    loop(index(0), index(vecEnd), vl, [&](Value col) { body(col, vl); });
  if (vecEnd < n)
    loop(index(vecEnd), index(n), 1, [&](Value col) { body(col, 1); });
}

Value KernelBuilder::sumOver(int64_t n, const std::function<Value(Value, int64_t)> &term) {
  int64_t vecEnd = n - n % vl;
  Value total = f32(0.0);
  if (vecEnd > 0) {
    Value acc = loop(index(0), index(vecEnd), vl, {constant(0.0, vl)},
                     [&](Value col, ValueRange args) -> SmallVector<Value> {
                       return {add(args[0], term(col, vl))};
                     })[0];
    total = sum(acc);
  }
  if (vecEnd < n)
    total = loop(index(vecEnd), index(n), 1, {total},
                 [&](Value col, ValueRange args) -> SmallVector<Value> {
                   return {add(args[0], term(col, 1))};
                 })[0];
  return total;
}

void KernelBuilder::parallel(ValueRange ubs, const std::function<void(ValueRange)> &body) {
  SmallVector<Value> lbs(ubs.size(), index(0)), steps(ubs.size(), index(1));
  b.create<scf::ParallelOp>(loc, lbs, ubs, steps,
                            [&](OpBuilder &nested, Location, ValueRange ivs) {
                              OpBuilder::InsertionGuard g(b);
                              b.setInsertionPoint(nested.getInsertionBlock(),
                                                  nested.getInsertionPoint());
                              body(ivs);
                            });
}

void KernelBuilder::loop(Value lb, Value ub, int64_t step, const std::function<void(Value)> &body) {
  b.create<scf::ForOp>(loc, lb, ub, index(step), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         {
                           OpBuilder::InsertionGuard g(b);
                           b.setInsertionPoint(nested.getInsertionBlock(),
                                               nested.getInsertionPoint());
                           body(iv);
                         }
                         nested.create<scf::YieldOp>(loc);
                       });
}

SmallVector<Value>
KernelBuilder::loop(Value lb, Value ub, int64_t step, ValueRange init,
                    const std::function<SmallVector<Value>(Value, ValueRange)> &body) {
  auto forOp = b.create<scf::ForOp>(
      loc, lb, ub, index(step), init,
      [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
        SmallVector<Value> next;
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
          next = body(iv, args);
        }
        nested.create<scf::YieldOp>(loc, next);
      });
  return SmallVector<Value>(forOp.getResults().begin(), forOp.getResults().end());
}

void KernelBuilder::forEachRow(Value memref, const std::function<void(ValueRange)> &body) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<Value> ubs;
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    ubs.push_back(dim(memref, i));
  if (ubs.empty()) {
    body({});
    return;
  }
  parallel(ubs, body);
}

void KernelBuilder::ifThen(Value cond, const std::function<void()> &then,
                           const std::function<void()> &otherwise) {
  auto ifOp = b.create<scf::IfOp>(loc, cond, /*withElseRegion=*/bool(otherwise));
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  then();
  if (otherwise) {
    b.setInsertionPointToStart(ifOp.elseBlock());
    otherwise();
  }
}

void KernelBuilder::allocaScope(const std::function<void()> &body) {
  auto scope = b.create<memref::AllocaScopeOp>(loc, TypeRange{});
  // The guard comes first: createBlock moves the insertion point into the
  // scope, and code emitted after allocaScope() belongs after the scope.
  OpBuilder::InsertionGuard g(b);
  Block *block = b.createBlock(&scope.getBodyRegion());
  b.setInsertionPointToStart(block);
  body();
  b.create<memref::AllocaScopeReturnOp>(loc);
}

Value KernelBuilder::allocLike(Value like, Type elem, int64_t lastDivisor) {
  auto type = cast<MemRefType>(like.getType());
  SmallVector<int64_t> shape(type.getShape());
  assert(!type.isDynamicDim(shape.size() - 1) && shape.back() % lastDivisor == 0);
  shape.back() /= lastDivisor;
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(dim(like, i));
  return b.create<memref::AllocOp>(loc, MemRefType::get(shape, elem), dynamic);
}
