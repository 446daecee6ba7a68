//===- TiledQuantizedDot.cpp ----------------------------------------------===//
//
// Per block of 32 inputs, token t and tile (16 rows), with x's 4 bytes for
// inputs c..c+3 broadcast to every lane:
//
//   acc_i = -bias * sum(q_x)                   (x's corrections, or 0)
//   acc_i += dot4(u_w[c..c+3], q_x[c..c+3])    for each group of 4 inputs
//   acc_f += (float(acc_i) * s_w[16 rows]) * s_x
//
// where u_w is the unsigned operand: q_w + 128 (int8: the stored byte ^ 0x80)
// or the nibble q_w + 8 (int4, stored so). AVX2 without VNNI multiplies int8
// as llama.cpp does (|q_x| * sign(q_x) q_w, no bias). Every route gives the
// same integers and the float steps are the same, so logits do not depend
// on the CPU's byte-dot instructions.
//
//===----------------------------------------------------------------------===//
#include "passes/TiledQuantizedDot.h"
#include "passes/ByteDot.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::gemma;

bool mlir::gemma::tiledSignedRoute(KernelBuilder &k, WeightFormat format, bool vnni) {
  return format == WeightFormat::Int8 && !vnni && 4 * k.lanes() == kQuantBlock;
}

int64_t mlir::gemma::tiledTokensPerBlock(KernelBuilder &k, WeightFormat format) {
  if (k.lanes() >= 16)
    return 8;
  // AVX2: int4 sums its pairs in i16 (pairSums below), which frees the
  // registers for 4 tokens: pp512 196-199 -> 211-215 t/s (6 and 8 tokens:
  // 219-227, with longer remainders). int8 at 4 tokens: 166-174 vs 171-172.
  return format == WeightFormat::Int4 ? 4 : 2;
}

int64_t mlir::gemma::tiledCorrectionFactor(KernelBuilder &k, WeightFormat format, bool vnni) {
  if (format == WeightFormat::Int4)
    return 8;
  return tiledSignedRoute(k, format, vnni) ? 0 : 128;
}

void mlir::gemma::emitTiledQuantizedDot(KernelBuilder &k, const DotBlock &blk,
                                        const QuantizedActivations &x, const TiledWeight &w,
                                        const OperandRows &rows, bool vnni) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  assert(blk.rows == kQuantTileRows && blk.depth == w.in && "one tile over all inputs");
  int64_t lanes = k.lanes(), perTile = kQuantTileRows / lanes, vectorBytes = 4 * lanes;
  int64_t tokens = blk.tokens, n = tokens * perTile;
  bool int8 = w.format == WeightFormat::Int8, signedBytes = tiledSignedRoute(k, w.format, vnni);
  assert((!signedBytes || x.magnitudes) && "the signed route reads x's magnitudes");
  // int4 on AVX2: a block's 8 vpmaddubsw per token and vector (4 steps x
  // low/high nibbles) are summed in i16 and widened by one vpmaddwd at the
  // block's end, not one per vpmaddubsw. Exact: a pair sum is at most
  // 2 * 15 * 127 = 3810 in magnitude, 8 of them 30480 < 32767.
  bool pairSums = !int8 && !vnni && vectorBytes == kQuantBlock;
  VectorType i16s = vecOf(b, 2 * lanes, b.getI16Type());
  // 64-byte tile vectors per block: 4 inputs each (int8) or 8 (int4).
  int64_t steps = int8 ? kQuantBlock / 4 : kQuantBlock / 8;
  SmallVector<Value> tile = rows.w(0);
  tile.back() = b.create<arith::DivUIOp>(loc, tile.back(), k.index(kQuantTileRows));
  VectorType i32s = vecOf(b, lanes, b.getI32Type()), bytes = vecOf(b, vectorBytes, b.getI8Type());
  Value zero = intSplat(b, loc, i32s, 0);
  // x's bytes c..c+3 of token t in every lane (vpbroadcastd from memory).
  auto broadcastX = [&](int64_t t, Value c, Value from) -> Value {
    Value four = b.create<vector::LoadOp>(loc, vecOf(b, 4, b.getI8Type()), from,
                                          indicesWith(rows.x(t), c));
    Value word = b.create<vector::ExtractOp>(
        loc, b.create<vector::BitCastOp>(loc, vecOf(b, 1, b.getI32Type()), four),
        ArrayRef<int64_t>{0});
    return b.create<vector::BitCastOp>(loc, bytes, b.create<vector::BroadcastOp>(loc, i32s, word));
  };
  // A single token (decode GEMV) prefetches its weights (DotBlock.h), once
  // per 64-byte step.
  int64_t prefetchBytes = tokens == 1 ? kDecodePrefetchBytes : 0;
  auto tileVector = [&](Value block, int64_t step, int64_t v) -> Value {
    SmallVector<Value> at = tile;
    at.push_back(plus(k, times(k, block, steps * kTileVectorBytes),
                      step * kTileVectorBytes + v * vectorBytes));
    if (prefetchBytes && v == 0)
      prefetchAhead(k, w.values, tile, at.back(), prefetchBytes);
    return b.create<vector::LoadOp>(loc, bytes, w.values, at);
  };
  SmallVector<Value> init(n, k.constant(0.0, lanes));
  SmallVector<Value> acc = k.loop(
      k.index(0), k.index(blk.depth / kQuantBlock), 1, init,
      [&](Value block, ValueRange accF) -> SmallVector<Value> {
        SmallVector<Value> accI, acc16(pairSums ? n : 0, intSplat(b, loc, i16s, 0));
        for (int64_t t = 0; t < tokens; ++t) {
          Value start = zero;
          if (!signedBytes)
            start = b.create<vector::BroadcastOp>(
                loc, i32s,
                b.create<memref::LoadOp>(loc, x.corrections, indicesWith(rows.x(t), block)));
          accI.append(perTile, start);
        }
        Value col0 = times(k, block, kQuantBlock);
        for (int64_t s = 0; s < steps; ++s) {
          SmallVector<Value> u, high; // per vector of the tile
          for (int64_t v = 0; v < perTile; ++v) {
            Value raw = tileVector(block, s, v);
            if (int8) {
              u.push_back(signedBytes ? raw
                                      : b.create<arith::XOrIOp>(loc, raw,
                                                                intSplat(b, loc, bytes, 0x80))
                                            .getResult());
              continue;
            }
            Value mask = intSplat(b, loc, bytes, 0x0F);
            u.push_back(b.create<arith::AndIOp>(loc, raw, mask));
            high.push_back(b.create<arith::AndIOp>(
                loc, b.create<arith::ShRUIOp>(loc, raw, intSplat(b, loc, bytes, 4)), mask));
          }
          for (int64_t t = 0; t < tokens; ++t) {
            Value c = plus(k, col0, s * (int8 ? 4 : 8));
            Value xb = broadcastX(t, c, x.values);
            Value xHigh = int8 ? Value() : broadcastX(t, plus(k, c, 4), x.values);
            // |q_x| broadcast from its own buffer: a load instead of a
            // vpabsb per token and step on the multiply ports.
            Value absX = signedBytes ? broadcastX(t, c, x.magnitudes) : Value();
            for (int64_t v = 0; v < perTile; ++v) {
              Value &a = accI[t * perTile + v];
              if (pairSums) {
                Value &p = acc16[t * perTile + v];
                p = b.create<arith::AddIOp>(loc, p, maddubsPairs(k, u[v], xb));
                p = b.create<arith::AddIOp>(loc, p, maddubsPairs(k, high[v], xHigh));
              } else if (signedBytes)
                a = b.create<arith::AddIOp>(loc, a, signedDotBlock(k, absX, xb, u[v]));
              else if (int8)
                a = dotBytes(k, a, u[v], xb, vnni);
              else
                a = unsignedDot(k, unsignedDot(k, a, u[v], xb, vnni), high[v], xHigh, vnni);
            }
          }
        }
        for (size_t i = 0; i < acc16.size(); ++i)
          accI[i] = b.create<arith::AddIOp>(loc, accI[i], sumAdjacentPairs(k, acc16[i]));
        SmallVector<Value> scaleW, next;
        for (int64_t v = 0; v < perTile; ++v) {
          SmallVector<Value> at = tile;
          at.push_back(plus(k, times(k, block, kQuantTileRows), v * lanes));
          scaleW.push_back(k.load(w.scales, at, lanes));
        }
        for (int64_t t = 0; t < tokens; ++t) {
          Value scaleX = k.splat(k.load(x.scales, indicesWith(rows.x(t), block), 1), lanes);
          for (int64_t v = 0; v < perTile; ++v) {
            Value sum = b.create<arith::SIToFPOp>(loc, vecOf(b, lanes, b.getF32Type()),
                                                  accI[t * perTile + v]);
            next.push_back(k.fma(k.mul(sum, scaleW[v]), scaleX, accF[t * perTile + v]));
          }
        }
        return next;
      });
  finishRowLaneBlock(k, blk, acc);
}
