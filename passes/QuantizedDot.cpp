//===- QuantizedDot.cpp - int8 activations x int8/int4 weights ------------===//
//
// Dequantising int8/int4 weights to f32 in registers costs ~3 vector ops per
// weight vector before the FMA, so a decode GEMV is bound by that arithmetic,
// not by memory. llama.cpp's Q8_0/Q4_0 matmuls avoid it by quantising the
// activations too and multiplying bytes; this is the same scheme:
//
//   y += (s_x * s_w) * sum_{32-block}(q_x * q_w)     (the byte sum exact, i32)
//
// A vector step covers 4 * lanes bytes (one i32 lane per 4 bytes): 2 blocks
// with zmm, 1 with ymm. AVX-512 VNNI's vpdpbusd sums unsigned x signed byte
// products in groups of 4, so x is read biased (q + 128 as an unsigned
// byte) and each weight vector's 128 * sum(q_w) is subtracted; that
// correction is computed once per weight vector and shared by every token of
// the register block. Without VNNI, other instructions produce the same
// integers (AVX2: vpsignb/vpmaddubsw/vpmaddwd on the signed bytes, as
// llama.cpp), so the results do not depend on the CPU. int4 nibbles are
// sign-extended to bytes in registers and put in column order; with VNNI
// and on AVX2 they stay unsigned (q + 8) and 8 * sum(q_x) is subtracted
// instead.
//
//===----------------------------------------------------------------------===//
#include "passes/QuantizedDot.h"
#include "passes/ByteDot.h"
#include "dialects/GemmaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

namespace {

/// The f32 scales of `bytes / 32` consecutive blocks, each repeated over its
/// 8 i32 lanes: vector<bytes/4 x f32>. Two blocks are one vector load of two
/// scales, widened and spread by one shuffle (vcvtph2ps + vpermps for f16),
/// not two scalar loads and conversions.
Value blockScales(KernelBuilder &k, Value scales, SmallVector<Value> at, Value block,
                  int64_t bytes) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  int64_t blocks = bytes / kQuantBlock;
  at.push_back(block);
  if (blocks == 1)
    return k.splat(k.load(scales, at, 1), 8);
  Value pair = k.load(scales, at, blocks);
  SmallVector<int64_t> spread;
  for (int64_t g = 0; g < blocks; ++g)
    spread.append(8, g);
  return b.create<vector::ShuffleOp>(loc, pair, pair, spread);
}

/// `bytes` quantised weights of one row from column `col` as signed bytes
/// in column order; int4 with `unsignedNibbles`: q + 8 (0..15) instead.
Value weightBytes(KernelBuilder &k, Value w, SmallVector<Value> at, Value col, int64_t bytes,
                  WeightFormat format, bool unsignedNibbles = false) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type i8 = b.getI8Type();
  if (format == WeightFormat::Int8) {
    at.push_back(col);
    return b.create<vector::LoadOp>(loc, vecOf(b, bytes, i8), w, at);
  }
  // int4: block g's 16 bytes hold columns 0..15 (low nibbles) and 16..31
  // (high nibbles); (n ^ 8) - 8 sign-extends a 4-bit n held in a byte.
  int64_t half = bytes / 2;
  VectorType type = vecOf(b, half, i8);
  at.push_back(b.create<arith::DivUIOp>(loc, col, k.index(2)));
  Value raw = b.create<vector::LoadOp>(loc, type, w, at);
  auto toBytes = [&](Value nibbles) -> Value {
    Value n = b.create<arith::AndIOp>(loc, nibbles, intSplat(b, loc, type, 0x0F));
    if (unsignedNibbles)
      return n;
    return b.create<arith::SubIOp>(
        loc, b.create<arith::XOrIOp>(loc, n, intSplat(b, loc, type, 8)), intSplat(b, loc, type, 8));
  };
  // Nibbles hold q in two's complement; flipping bit 3 of both (one xor per
  // byte) makes them q + 8, the unsigned form.
  if (unsignedNibbles)
    raw = b.create<arith::XOrIOp>(loc, raw, intSplat(b, loc, type, 0x88));
  Value lo = toBytes(raw);
  Value hi = toBytes(b.create<arith::ShRUIOp>(loc, raw, intSplat(b, loc, type, 4)));
  SmallVector<int64_t> order;
  for (int64_t g = 0; g < bytes / kQuantBlock; ++g) {
    for (int64_t i = 0; i < 16; ++i)
      order.push_back(16 * g + i);
    for (int64_t i = 0; i < 16; ++i)
      order.push_back(half + 16 * g + i);
  }
  return b.create<vector::ShuffleOp>(loc, lo, hi, order);
}

} // namespace

QuantizedActivations mlir::gemma::quantizeActivations(KernelBuilder &k, Value x,
                                                      int64_t correctionFactor,
                                                      bool magnitudes) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  auto xType = cast<MemRefType>(x.getType());
  int64_t rank = xType.getRank(), depth = xType.getDimSize(rank - 1);
  assert(depth % kQuantBlock == 0 && "int8 activations need rows of whole blocks");
  QuantizedActivations q;
  q.values = k.allocLike(x, b.getI8Type());
  q.scales = k.allocLike(x, b.getF32Type(), kQuantBlock);
  if (correctionFactor)
    q.corrections = k.allocLike(x, b.getI32Type(), kQuantBlock);
  if (magnitudes)
    q.magnitudes = k.allocLike(x, b.getI8Type());
  int64_t vl = std::min<int64_t>(k.lanes(), kQuantBlock);
  VectorType i32s = vecOf(b, vl, b.getI32Type());
  k.forEachRow(x, [&](ValueRange outer) {
    k.loop(k.index(0), k.index(depth / kQuantBlock), 1, [&](Value block) {
      Value col0 = times(k, block, kQuantBlock);
      SmallVector<Value> parts;
      Value amax;
      for (int64_t p = 0; p < kQuantBlock / vl; ++p) {
        parts.push_back(k.load(x, indicesWith(outer, plus(k, col0, p * vl)), vl));
        Value mag = b.create<math::AbsFOp>(loc, parts.back());
        amax = amax ? k.max(amax, mag) : mag;
      }
      Value maxAbs = b.create<vector::ReductionOp>(loc, vector::CombiningKind::MAXNUMF, amax);
      Value positive = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, maxAbs, k.f32(0.0));
      Value inverse = b.create<arith::SelectOp>(loc, positive, k.div(k.f32(127.0), maxAbs),
                                                k.f32(0.0));
      b.create<memref::StoreOp>(loc, k.div(maxAbs, k.f32(127.0)), q.scales,
                                indicesWith(outer, block));
      Value sum;
      for (int64_t p = 0; p < kQuantBlock / vl; ++p) {
        Value scaled = b.create<math::RoundEvenOp>(loc, k.mul(parts[p], k.splat(inverse, vl)));
        Value ints = b.create<arith::FPToSIOp>(loc, i32s, scaled);
        sum = sum ? b.create<arith::AddIOp>(loc, sum, ints).getResult() : ints;
        Value bytes = b.create<arith::TruncIOp>(loc, vecOf(b, vl, b.getI8Type()), ints);
        b.create<vector::StoreOp>(loc, bytes, q.values,
                                  indicesWith(outer, plus(k, col0, p * vl)));
        if (magnitudes)
          b.create<vector::StoreOp>(loc, b.create<math::AbsIOp>(loc, bytes), q.magnitudes,
                                    indicesWith(outer, plus(k, col0, p * vl)));
      }
      if (correctionFactor) {
        Value total = b.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, sum);
        Value correction = b.create<arith::MulIOp>(loc, total, k.i32(-correctionFactor));
        b.create<memref::StoreOp>(loc, correction, q.corrections, indicesWith(outer, block));
      }
    });
  });
  return q;
}

void mlir::gemma::freeQuantizedActivations(KernelBuilder &k, const QuantizedActivations &q) {
  k.builder().create<memref::DeallocOp>(k.location(), q.values);
  k.builder().create<memref::DeallocOp>(k.location(), q.scales);
  if (q.corrections)
    k.builder().create<memref::DeallocOp>(k.location(), q.corrections);
  if (q.magnitudes)
    k.builder().create<memref::DeallocOp>(k.location(), q.magnitudes);
}

void mlir::gemma::emitQuantizedDotBlock(KernelBuilder &k, const DotBlock &blk,
                                        const QuantizedActivations &x, Value weight,
                                        Value weightScales, const OperandRows &rows,
                                        bool vnni) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  WeightFormat format = weightFormat(weight, weightScales);
  int64_t n = blk.tokens * blk.rows, stepBytes = 4 * k.lanes();
  int64_t vecEnd = blk.depth - blk.depth % stepBytes;
  assert(blk.depth % kQuantBlock == 0 && "quantised rows are whole blocks");
  // One step of `bytes` columns from `col` for every (token, row) pair.
  auto step = [&](Value col, int64_t bytes, ValueRange acc) {
    int64_t lanes = bytes / 4;
    VectorType i32s = vecOf(b, lanes, b.getI32Type());
    Value block = b.create<arith::DivUIOp>(loc, col, k.index(kQuantBlock));
    SmallVector<Value> signedX, xScale, ws, wScale, negCorrection, next;
    for (int64_t i = 0; i < blk.tokens; ++i) {
      signedX.push_back(b.create<vector::LoadOp>(loc, vecOf(b, bytes, b.getI8Type()), x.values,
                                                 indicesWith(rows.x(i), col)));
      xScale.push_back(blockScales(k, x.scales, rows.x(i), block, bytes));
    }
    Value zero = intSplat(b, loc, i32s, 0);
    VectorType byteType = vecOf(b, bytes, b.getI8Type());
    Value bias = intSplat(b, loc, byteType, 0x80);
    // x is stored as signed bytes; the default route reads it biased
    // (q_x + 128, the unsigned operand). 32-byte steps without VNNI take the
    // signed-byte route instead of the bias correction. A single token with VNNI (a
    // decode GEMV) does too, with the sign moved onto the weights by a
    // masked byte negation (AVX-512BW has no vpsignb): one op per row
    // instead of the correction's vpdpbusd + vpsubd, which only pays off
    // when several tokens share it.
    //
    // int4 with VNNI skips the nibbles' sign extension: the unsigned
    // operand is the raw nibble q_w + 8 and the signed one q_x, so
    // sum(q_w q_x) = sum((q_w + 8) q_x) - 8 sum(q_x), whose last term is one
    // vpdpbusd per token and step, shared by every row (llama.cpp's Q4_0).
    // Without VNNI, 32-byte int4 steps do the same with vpmaddubsw (the
    // nibble is its unsigned operand; 2 * 15 * 127 fits its i16 sums).
    bool nibbleRoute = format == WeightFormat::Int4 && (vnni || bytes == kQuantBlock);
    bool signedRoute = !vnni && bytes == kQuantBlock && !nibbleRoute;
    bool maskedSignRoute = vnni && blk.tokens == 1 && !nibbleRoute;
    SmallVector<Value> biasedX, absX, negativeX;
    SmallVector<Value> nibbleOffset; // -8 sum(q_x) per lane, per token
    Value eights = nibbleRoute ? intSplat(b, loc, byteType, 8) : Value();
    for (Value s : signedX) {
      if (!nibbleRoute && !signedRoute && !maskedSignRoute)
        biasedX.push_back(b.create<arith::XOrIOp>(loc, s, bias));
      if (nibbleRoute)
        nibbleOffset.push_back(b.create<arith::SubIOp>(
            loc, zero, unsignedDot(k, zero, eights, s, vnni)));
      if (signedRoute || maskedSignRoute)
        absX.push_back(b.create<math::AbsIOp>(loc, s));
      if (maskedSignRoute)
        negativeX.push_back(b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt,
                                                    s,
                                                    intSplat(b, loc, byteType, 0)));
    }
    for (int64_t j = 0; j < blk.rows; ++j) {
      ws.push_back(weightBytes(k, weight, rows.w(j), col, bytes, format, nibbleRoute));
      wScale.push_back(blockScales(k, weightScales, rows.w(j), block, bytes));
      if (!signedRoute && !maskedSignRoute && !nibbleRoute)
        negCorrection.push_back(
            b.create<arith::SubIOp>(loc, zero, dotBytes(k, zero, bias, ws[j], vnni)));
    }
    // |q_w| <= 127, so negating a weight byte cannot overflow.
    auto signOfXOnW = [&](int64_t i, Value w) -> Value {
      Value negated = b.create<arith::SubIOp>(loc, intSplat(b, loc, byteType, 0), w);
      return b.create<arith::SelectOp>(loc, negativeX[i], negated, w);
    };
    for (int64_t i = 0; i < blk.tokens; ++i)
      for (int64_t j = 0; j < blk.rows; ++j) {
        Value dot = nibbleRoute       ? unsignedDot(k, nibbleOffset[i], ws[j], signedX[i], vnni)
                    : signedRoute     ? signedDotBlock(k, absX[i], signedX[i], ws[j])
                    : maskedSignRoute ? dotBytes(k, zero, absX[i], signOfXOnW(i, ws[j]), vnni)
                                      : dotBytes(k, negCorrection[j], biasedX[i], ws[j], vnni);
        Value asFloat = b.create<arith::SIToFPOp>(loc, vecOf(b, lanes, b.getF32Type()), dot);
        next.push_back(k.fma(asFloat, k.mul(xScale[i], wScale[j]), acc[i * blk.rows + j]));
      }
    return next;
  };
  SmallVector<Value> sums(n, k.f32(0.0));
  if (vecEnd > 0) {
    SmallVector<Value> init(n, k.constant(0.0, stepBytes / 4));
    SmallVector<Value> acc =
        k.loop(k.index(0), k.index(vecEnd), stepBytes, init,
               [&](Value col, ValueRange args) { return step(col, stepBytes, args); });
    for (int64_t a = 0; a < n; ++a)
      sums[a] = k.sum(acc[a]);
  }
  // AVX-512 steps are 2 blocks; an odd block count leaves one 32-byte step.
  if (vecEnd < blk.depth) {
    SmallVector<Value> init(n, k.constant(0.0, kQuantBlock / 4));
    SmallVector<Value> tail = step(k.index(vecEnd), kQuantBlock, init);
    for (int64_t a = 0; a < n; ++a)
      sums[a] = k.add(sums[a], k.sum(tail[a]));
  }
  finishDotBlock(blk, sums);
}
