// gemma-lower-moe: the router (rmsnorm, project, softmax, top-k argmax,
// renormalise) and the weighted combine of the selected experts.
//
// RUN: gemma-opt %s --gemma-lower-moe | FileCheck %s

// Three parallel loops: the normalised token, the projection (the GEMV
// kernel over blocks of 4 experts, each (token, block) one iteration, so a
// single decoded token still spreads over the threads), then softmax and
// top-k per token.
// CHECK-LABEL: func.func @route(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: memref<?x16xf32>, %[[S:[a-z0-9]+]]: memref<16xf32>, %[[P:[a-z0-9]+]]: memref<4x16xbf16>, %[[PES:[a-z0-9]+]]: memref<4xf32>, %[[IDX:[a-z0-9]+]]: memref<?x2xi32>, %[[W:[a-z0-9]+]]: memref<?x2xf32>
// CHECK-NOT:   gemma.moe_route
// CHECK:       %[[R:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK:       scf.parallel (%[[T1:[a-z0-9_]+]]) =
//                Weight-free RMSNorm of the token, in f32.
// CHECK:         vector.load %[[X]][%[[T1]], %{{.*}}] : memref<?x16xf32>, vector<8xf32>
// CHECK:         math.rsqrt
// CHECK:         vector.load %[[S]]
// CHECK:         vector.store %{{.*}}, %[[R]][%[[T1]], %{{.*}}]
// CHECK:       %[[Z:[a-z0-9_]+]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK:       scf.parallel (%[[T2:[a-z0-9_]+]], %[[B:[a-z0-9_]+]]) =
//                Router projection: bf16 rows widened to f32, 4 experts a block.
// CHECK:         scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:           vector.load %[[R]][%[[T2]], %{{.*}}] : memref<?x16xf32>, vector<8xf32>
// CHECK:           vector.load %[[P]][%{{.*}}, %{{.*}}] : memref<4x16xbf16>, vector<8xbf16>
// CHECK:           arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK:           math.fma
// CHECK:         vector.reduction <add>
// CHECK:         memref.store %{{.*}}, %[[Z]][%[[T2]], %{{.*}}]
// CHECK:       scf.parallel (%[[T:[a-z0-9_]+]]) =
// CHECK:         memref.alloca_scope
// CHECK:           %[[LOGITS:[a-z0-9_]+]] = memref.alloca() : memref<4xf32>
//                  Softmax numerator exp(z - max).
// CHECK:           arith.maximumf
// CHECK:           %[[ZL:[a-z0-9_]+]] = memref.load %[[Z]][%[[T]], %{{.*}}]
// CHECK:           %[[ZS:[a-z0-9_]+]] = arith.subf %[[ZL]], %{{.*}} : f32
// CHECK:           %[[E:[a-z0-9_]+]] = math.exp %[[ZS]] : f32
// CHECK:           memref.store %[[E]], %[[LOGITS]]
//                  top-k rounds of a strict (lowest index wins) argmax.
// CHECK:           scf.for %[[SLOT:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}}) -> (f32)
// CHECK:             %[[BEST:[a-z0-9_]+]]:2 = scf.for %[[EI:[a-z0-9_]+]] = {{.*}} iter_args(%[[CP:[a-z0-9_]+]] = %{{.*}}, %[[CI:[a-z0-9_]+]] = %{{.*}}) -> (f32, index)
// CHECK:               %[[PR:[a-z0-9_]+]] = memref.load %[[LOGITS]][%[[EI]]]
// CHECK:               %[[GT:[a-z0-9_]+]] = arith.cmpf ogt, %[[PR]], %[[CP]] : f32
// CHECK:               arith.select %[[GT]], %[[PR]], %[[CP]] : f32
// CHECK:               arith.select %[[GT]], %[[EI]], %[[CI]] : index
// CHECK:             memref.store %{{.*}}, %[[LOGITS]][%[[BEST]]#1]
// CHECK:             %[[ID:[a-z0-9_]+]] = arith.index_cast %[[BEST]]#1 : index to i32
// CHECK:             memref.store %[[ID]], %[[IDX]][%[[T]], %[[SLOT]]] : memref<?x2xi32>
// CHECK:             memref.store %[[BEST]]#0, %[[W]][%[[T]], %[[SLOT]]] : memref<?x2xf32>
//                  Renormalise and apply per_expert_scale[e].
// CHECK:           arith.divf
// CHECK:           scf.for
// CHECK:             %[[LID:[a-z0-9_]+]] = memref.load %[[IDX]]
// CHECK:             %[[LE:[a-z0-9_]+]] = arith.index_cast %[[LID]] : i32 to index
// CHECK:             memref.load %[[PES]][%[[LE]]] : memref<4xf32>
// CHECK:             memref.store %{{.*}}, %[[W]]
// CHECK:       memref.dealloc %[[R]]
// CHECK:       memref.dealloc %[[Z]]
// CHECK-NOT:   gemma.moe_route
// CHECK:       return
func.func @route(%x: memref<?x16xf32>, %s: memref<16xf32>, %p: memref<4x16xbf16>, %pes: memref<4xf32>, %idx: memref<?x2xi32>, %w: memref<?x2xf32>) {
  gemma.moe_route %x, %s, %p, %pes -> %idx, %w {eps = 1.0e-06 : f32} : memref<?x16xf32>, memref<16xf32>, memref<4x16xbf16>, memref<4xf32> -> memref<?x2xi32>, memref<?x2xf32>
  return
}

// CHECK-LABEL: func.func @combine(
// CHECK-SAME:      %[[Y:[a-z0-9]+]]: memref<?x2x16xf32>, %[[CW:[a-z0-9]+]]: memref<?x2xf32>, %[[O:[a-z0-9]+]]: memref<?x16xf32>
// CHECK-NOT:   gemma.moe_combine
// CHECK:       scf.parallel (%[[CT:[a-z0-9_]+]]) =
// CHECK:         scf.for %[[COL:[a-z0-9_]+]] =
// CHECK:           scf.for %[[K:[a-z0-9_]+]] = {{.*}} -> (vector<8xf32>)
// CHECK:             %[[G:[a-z0-9_]+]] = memref.load %[[CW]][%[[CT]], %[[K]]]
// CHECK:             %[[GV:[a-z0-9_]+]] = vector.broadcast %[[G]] : f32 to vector<8xf32>
// CHECK:             %[[YV:[a-z0-9_]+]] = vector.load %[[Y]][%[[CT]], %[[K]], %[[COL]]] : memref<?x2x16xf32>, vector<8xf32>
// CHECK:             math.fma %[[GV]], %[[YV]], %{{.*}} : vector<8xf32>
// CHECK:           vector.store %{{.*}}, %[[O]][%[[CT]], %[[COL]]] : memref<?x16xf32>, vector<8xf32>
// CHECK-NOT:   gemma.moe_combine
// CHECK:       return
func.func @combine(%y: memref<?x2x16xf32>, %w: memref<?x2xf32>, %o: memref<?x16xf32>) {
  gemma.moe_combine %y, %w -> %o : memref<?x2x16xf32>, memref<?x2xf32> -> memref<?x16xf32>
  return
}
