//===- ByteDot.cpp --------------------------------------------------------===//
#include "passes/ByteDot.h"
#include "dialects/GemmaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

namespace mlir::gemma {

VectorType vecOf(OpBuilder &b, int64_t n, Type elem) { return VectorType::get({n}, elem); }

Value intSplat(OpBuilder &b, Location loc, VectorType type, int64_t value) {
  auto attr = DenseElementsAttr::get(
      type, APInt(type.getElementTypeBitWidth(), static_cast<uint64_t>(value), true));
  return b.create<arith::ConstantOp>(loc, type, attr);
}

Value intrinsic(KernelBuilder &k, StringRef name, Type result, ValueRange args) {
  return k.builder()
      .create<LLVM::CallIntrinsicOp>(k.location(), result, k.builder().getStringAttr(name), args)
      .getResult(0);
}

Value dotBytes(KernelBuilder &k, Value acc, Value u, Value s, bool vnni) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements(), bytes = 4 * lanes;
  if (vnni) {
    // LLVM 22's signature: (<N x i32> acc, <4N x i8> u, <4N x i8> s).
    std::string name = "llvm.x86.avx512.vpdpbusd." + std::to_string(32 * lanes);
    return intrinsic(k, name, accType, {acc, u, s});
  }
  VectorType wide = vecOf(b, bytes, b.getI32Type());
  Value prod = b.create<arith::MulIOp>(loc, b.create<arith::ExtUIOp>(loc, wide, u),
                                       b.create<arith::ExtSIOp>(loc, wide, s));
  // Lane l sums products 4l..4l+3: four strided 1-D shuffles (n-D vectors
  // would need the vector dialect's unrolling patterns).
  Value sum = acc;
  for (int64_t r = 0; r < 4; ++r) {
    SmallVector<int64_t> strided;
    for (int64_t l = 0; l < lanes; ++l)
      strided.push_back(4 * l + r);
    sum = b.create<arith::AddIOp>(loc, sum,
                                  b.create<vector::ShuffleOp>(loc, prod, prod, strided));
  }
  return sum;
}

Value maddubsPairs(KernelBuilder &k, Value u, Value s) {
  OpBuilder &b = k.builder();
  return intrinsic(k, "llvm.x86.avx2.pmadd.ub.sw", vecOf(b, 16, b.getI16Type()), {u, s});
}

Value sumAdjacentPairs(KernelBuilder &k, Value pairs) {
  OpBuilder &b = k.builder();
  VectorType i16s = vecOf(b, 16, b.getI16Type());
  return intrinsic(k, "llvm.x86.avx2.pmadd.wd", vecOf(b, 8, b.getI32Type()),
                   {pairs, intSplat(b, k.location(), i16s, 1)});
}

Value maddubsQuads(KernelBuilder &k, Value u, Value s) {
  return sumAdjacentPairs(k, maddubsPairs(k, u, s));
}

Value signedDotBlock(KernelBuilder &k, Value absX, Value signedX, Value w) {
  Value signedW = intrinsic(k, "llvm.x86.avx2.psign.b", w.getType(), {w, signedX});
  return maddubsQuads(k, absX, signedW);
}

Value unsignedDot(KernelBuilder &k, Value acc, Value u, Value s, bool vnni) {
  if (vnni || cast<VectorType>(u.getType()).getNumElements() != kQuantBlock)
    return dotBytes(k, acc, u, s, vnni);
  return k.builder().create<arith::AddIOp>(k.location(), acc, maddubsQuads(k, u, s));
}

} // namespace mlir::gemma
