// The one place where the kernel library learns whether NVRTC or a host
// compiler is reading it. Everything else in kernel/ is written once and
// compiled by both.
#ifndef CUBIE_PLATFORM_H
#define CUBIE_PLATFORM_H

#if defined(__CUDACC__)
#define CUBIE_DEVICE 1
#define CUBIE_FN __device__ __forceinline__
// A rarely taken path kept out of line, so the registers it needs are not
// added to those of the code around its call (RunContext's Jacobian fallback).
#define CUBIE_COLD_FN __device__ __noinline__
#define CUBIE_KERNEL extern "C" __global__
#define CUBIE_UNROLL _Pragma("unroll")
// Kept as a loop on the GPU: a fully unrolled loop over an N x N matrix turns
// every entry into a register and spills past 255; as a loop, the matrix sits
// in (cached) local memory and the registers hold the vectors.
#define CUBIE_KEEP_LOOP _Pragma("unroll 1")
// A constant kept in the compiled image (see assembleKernelSource).
#define CUBIE_MARKER __device__
#else
#define CUBIE_DEVICE 0
#include <cmath>
// The C++ <math.h> brings std's float overloads (fabs(float), sqrt(float)...)
// into the global namespace, as CUDA's math headers do on the device.
#include <math.h>
#include <cstdint>
#include <cstddef>
#define CUBIE_FN inline
#define CUBIE_COLD_FN inline
#define CUBIE_KERNEL extern "C"
// Host compilers unroll fixed small loops on their own at -O3.
#define CUBIE_UNROLL
#define CUBIE_KEEP_LOOP
#define CUBIE_MARKER
#endif

// The arithmetic type of the generated system and stepper: the scalar itself,
// except in a CPU lane build, where it is W lanes of it (lanes.h).
//   lanes_of<double>  `real` in the generated text
//   wide_of<real>     stage times and sums kept in double
//   mask_of<real>     a shared boolean subexpression
//   scalar_of<real>   the type of one lane (real itself outside lane builds)
//   CUBIE_SELECT      a piecewise expression: a conditional here, a select in lanes
//   CUBIE_REQUIRE_SOLVED  an implicit stepper's factorisation or solve: here a
//                     failure ends the step (implicit_solve_failed, newton.h); in
//                     lanes the failing lanes are noted, stop counting, and the
//                     others go on
//   CUBIE_REQUIRE_PIVOT   the same for a pivot of a generated sparse LU
//   any_lane(m)       a branch taken when any lane needs it (the mask itself here);
//                     inside, each lane's value still goes through CUBIE_SELECT
//   mask_as<real>(m)  a mask of wide_of<real> as one of real (the same bool here)
#if !CUBIE_DEVICE && defined(CUBIE_LANES)
#define CUBIE_LANE_BUILD 1
#include "cubie/lanes.h"
#define CUBIE_SELECT(c, a, b) ::cubie::select((c), (a), (b))
#define CUBIE_REQUIRE_SOLVED(ctx, solved) (ctx).require_solved(solved)
#define CUBIE_REQUIRE_PIVOT(ok, good) ok = (ok) && (good)
#else
#define CUBIE_LANE_BUILD 0
namespace cubie {
template <class T>
using lanes_of = T;
template <class R>
using wide_of = double;
template <class R>
using mask_of = bool;
template <class R>
using scalar_of = R;
CUBIE_FN double wide(double x) { return x; }
CUBIE_FN double wide(float x) { return static_cast<double>(x); }
CUBIE_FN bool any_lane(bool m) { return m; }
template <class R>
CUBIE_FN bool mask_as(bool m) {
  return m;
}
}  // namespace cubie
#define CUBIE_SELECT(c, a, b) ((c) ? (a) : (b))
#define CUBIE_REQUIRE_SOLVED(ctx, solved) \
  if (!(solved)) return ::cubie::implicit_solve_failed<real>(ctx)
// A generated sparse factorisation's pivot check (sparse-lu-source.ts): a bad pivot ends it.
#define CUBIE_REQUIRE_PIVOT(ok, good) \
  if (!(good)) return false
#endif

namespace cubie {
// True: in every lane, in a lane build.
template <class R>
CUBIE_FN mask_of<R> all_lanes() {
  return R(0) == R(0);
}
}  // namespace cubie

#endif
