// plain_math.h's log and exp on W lanes: the same operations in the same
// order as the scalar functions, with the bits handled on GCC vectors, so a
// lane's result is the scalar build's bit for bit. Used by the lane engine's
// step-size controllers and (lane_sde.h) the lanes' Box-Muller.
//
// Included by lanes.h in a CPU build with CUBIE_LANES.
#ifndef CUBIE_LANE_PLAIN_MATH_H
#define CUBIE_LANE_PLAIN_MATH_H
#include "cubie/plain_math.h"

namespace cubie {

// GCC vectors of W lanes of each width.
template <int W>
struct lane_ints {
  typedef unsigned int u32 __attribute__((vector_size(4 * W)));
  typedef int i32 __attribute__((vector_size(4 * W)));
  typedef unsigned long long u64 __attribute__((vector_size(8 * W)));
  typedef long long i64 __attribute__((vector_size(8 * W)));
  typedef double f64 __attribute__((vector_size(8 * W)));
  typedef float f32 __attribute__((vector_size(4 * W)));
};

// log_open (plain_math.h) lane by lane.
template <int W>
CUBIE_FN typename lane_ints<W>::f64 lane_log_open(typename lane_ints<W>::f64 x) {
  typedef typename lane_ints<W>::u64 u64;
  typedef typename lane_ints<W>::i64 i64;
  typedef typename lane_ints<W>::f64 f64;
  const u64 bits = (u64)x;
  u64 hx = bits >> 32;
  i64 k = (i64)(hx >> 20);
  k -= 1023;
  hx &= 0x000fffffull;
  const u64 i = (hx + 0x95f64ull) & 0x100000ull;
  const u64 mbits = ((hx | (i ^ 0x3ff00000ull)) << 32) | (bits & 0xffffffffull);
  const f64 m = (f64)mbits;
  k += (i64)(i >> 20);
  return log_reduced<double>(m - 1.0, __builtin_convertvector(k, f64));
}

template <int W>
CUBIE_FN typename lane_ints<W>::f32 lane_log_open(typename lane_ints<W>::f32 x) {
  typedef typename lane_ints<W>::u32 u32;
  typedef typename lane_ints<W>::i32 i32;
  typedef typename lane_ints<W>::f32 f32;
  u32 ix = (u32)x;
  i32 k = (i32)(ix >> 23);
  k -= 127;
  ix &= 0x007fffffu;
  const u32 i = (ix + (0x95f64u << 3)) & 0x800000u;
  const u32 mbits = ix | (i ^ 0x3f800000u);
  const f32 m = (f32)mbits;
  k += (i32)(i >> 23);
  return log_reduced<float>(m - 1.0f, __builtin_convertvector(k, f32));
}

// exp_open (plain_math.h) lane by lane; the clamp is fmin/fmax's for numbers.
template <int W>
CUBIE_FN typename lane_ints<W>::f64 lane_exp_open(typename lane_ints<W>::f64 x) {
  typedef fdlibm_exp<double> C;
  typedef typename lane_ints<W>::i64 i64;
  typedef typename lane_ints<W>::f64 f64;
  x = x > C::highest() ? f64{} + C::highest() : x;
  x = x < C::lowest() ? f64{} + C::lowest() : x;
  f64 k;
  const f64 y = exp_reduced<double>(x, k);
  const i64 e = (__builtin_convertvector(k, i64) + 1023) << 52;
  return y * (f64)e;
}

template <int W>
CUBIE_FN typename lane_ints<W>::f32 lane_exp_open(typename lane_ints<W>::f32 x) {
  typedef fdlibm_exp<float> C;
  typedef typename lane_ints<W>::i32 i32;
  typedef typename lane_ints<W>::f32 f32;
  x = x > C::highest() ? f32{} + C::highest() : x;
  x = x < C::lowest() ? f32{} + C::lowest() : x;
  f32 k;
  const f32 y = exp_reduced<float>(x, k);
  const i32 e = (__builtin_convertvector(k, i32) + 127) << 23;
  return y * (f32)e;
}

namespace simd {
template <class T, int W>
CUBIE_FN vec<T, W> log_open(const vec<T, W>& x) { return vec<T, W>(lane_log_open<W>(x.v)); }
template <class T, int W>
CUBIE_FN vec<T, W> exp_open(const vec<T, W>& x) { return vec<T, W>(lane_exp_open<W>(x.v)); }
}  // namespace simd

}  // namespace cubie
#endif
