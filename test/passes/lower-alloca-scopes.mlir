// gemma-lower-alloca-scopes: memref.alloca_scope is inlined between an
// llvm.intr.stacksave and an llvm.intr.stackrestore (innermost first).
//
// RUN: gemma-opt %s --gemma-lower-alloca-scopes -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @scopes(
// CHECK-NOT:   memref.alloca_scope
// CHECK:       scf.parallel
// CHECK:         %[[SP:[a-z0-9_]+]] = llvm.intr.stacksave : !llvm.ptr
// CHECK-NEXT:    %[[A:[a-z0-9_]+]] = memref.alloca() : memref<32xf32>
// CHECK:         scf.for
// CHECK-NEXT:      %[[SP2:[a-z0-9_]+]] = llvm.intr.stacksave : !llvm.ptr
// CHECK-NEXT:      memref.alloca() : memref<8xf32>
// CHECK:           llvm.intr.stackrestore %[[SP2]] : !llvm.ptr
// CHECK-NEXT:    }
// CHECK:         memref.store %{{.*}}, %[[A]]
// CHECK-NEXT:    llvm.intr.stackrestore %[[SP]] : !llvm.ptr
// CHECK-NEXT:    scf.reduce
// CHECK-NOT:   memref.alloca_scope
// CHECK:       return
func.func @scopes(%n: index, %f: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.alloca_scope {
      %a = memref.alloca() : memref<32xf32>
      scf.for %j = %c0 to %n step %c1 {
        memref.alloca_scope {
          %b = memref.alloca() : memref<8xf32>
          memref.store %f, %b[%c0] : memref<8xf32>
        }
      }
      memref.store %f, %a[%c0] : memref<32xf32>
    }
    scf.reduce
  }
  return
}

// -----

func.func @with_result() -> f32 {
  // expected-error @+1 {{'memref.alloca_scope' op with results is not supported here}}
  %r = memref.alloca_scope -> (f32) {
    %c = arith.constant 1.0 : f32
    memref.alloca_scope.return %c : f32
  }
  return %r : f32
}
