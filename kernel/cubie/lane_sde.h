// Noise in CPU lanes: W runs' Brownian paths at once, one run per lane.
//
// Why it can share one descent: a lane build runs a stochastic method only at
// fixed steps, and the lane engine starts the W runs of a vector together
// (lockstep refill, lane_engine.h), so every lane asks the tree for the same
// times. The decade intervals, which splits are drawn and the block numbers
// are then the same in every lane; only the run word of the Philox counter,
// hence the normals and the values, differ. The normals are random.h's, on
// vectors: Philox4x32-10, the open uniforms, log_open and sincos_two_pi with
// the same operations in the same order, so a lane's noise is the scalar
// build's (and the GPU's) bit for bit.
//
// Included by sde.h in a CPU build with CUBIE_LANES.
#ifndef CUBIE_LANE_SDE_H
#define CUBIE_LANE_SDE_H

namespace cubie {

// The batch indices of the W runs in the lanes: the run word of their counters.
template <int W>
struct lane_runs {
  unsigned int v[W];
};

template <int W>
struct lane_words {
  typedef unsigned int u32 __attribute__((vector_size(4 * W)));
  typedef int i32 __attribute__((vector_size(4 * W)));
  typedef unsigned long long u64 __attribute__((vector_size(8 * W)));
  typedef long long i64 __attribute__((vector_size(8 * W)));
  typedef double f64 __attribute__((vector_size(8 * W)));
  typedef float f32 __attribute__((vector_size(4 * W)));
  u32 v[4];
};

// philox4x32 (random.h) for B blocks of W counters at once. Why B at once: a
// block's ten rounds are one chain of dependent vector operations, so one
// block at a time waits on their latency; B independent chains fill it.
template <int W, int B>
CUBIE_FN void lane_philox4x32(lane_words<W>* c, philox4x32_key key) {
  typedef typename lane_words<W>::u32 u32;
  typedef typename lane_words<W>::u64 u64;
  const u64 m0 = u64{} + PHILOX_M4x32_0, m1 = u64{} + PHILOX_M4x32_1;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key.v[0] += PHILOX_W32_0;
      key.v[1] += PHILOX_W32_1;
    }
    for (int b = 0; b < B; ++b) {
      const u64 p0 = __builtin_convertvector(c[b].v[0], u64) * m0;
      const u64 p1 = __builtin_convertvector(c[b].v[2], u64) * m1;
      lane_words<W> out;
      out.v[0] = __builtin_convertvector(p1 >> 32, u32) ^ c[b].v[1] ^ key.v[0];
      out.v[1] = __builtin_convertvector(p1, u32);
      out.v[2] = __builtin_convertvector(p0 >> 32, u32) ^ c[b].v[3] ^ key.v[1];
      out.v[3] = __builtin_convertvector(p0, u32);
      c[b] = out;
    }
  }
}

// log_open (random.h) lane by lane.
template <int W>
CUBIE_FN typename lane_words<W>::f64 lane_log_open(typename lane_words<W>::f64 x) {
  typedef typename lane_words<W>::u64 u64;
  typedef typename lane_words<W>::i64 i64;
  typedef typename lane_words<W>::f64 f64;
  const u64 bits = (u64)x;
  u64 hx = bits >> 32;
  i64 k = (i64)(hx >> 20);
  k -= 1023;
  hx &= 0x000fffffull;
  const u64 i = (hx + 0x95f64ull) & 0x100000ull;
  const u64 mbits = ((hx | (i ^ 0x3ff00000ull)) << 32) | (bits & 0xffffffffull);
  const f64 m = (f64)mbits;
  k += (i64)(i >> 20);
  const f64 f = m - 1.0;
  const f64 s = f / (2.0 + f);
  const f64 dk = __builtin_convertvector(k, f64);
  const f64 z = s * s;
  const f64 w = z * z;
  const f64 t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const f64 t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const f64 R = t2 + t1;
  const f64 hfsq = 0.5 * f * f;
  return dk * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + R) + dk * 1.90821492927058770002e-10)) - f);
}

template <int W>
CUBIE_FN typename lane_words<W>::f32 lane_log_open(typename lane_words<W>::f32 x) {
  typedef typename lane_words<W>::u32 u32;
  typedef typename lane_words<W>::i32 i32;
  typedef typename lane_words<W>::f32 f32;
  u32 ix = (u32)x;
  i32 k = (i32)(ix >> 23);
  k -= 127;
  ix &= 0x007fffffu;
  const u32 i = (ix + (0x95f64u << 3)) & 0x800000u;
  const u32 mbits = ix | (i ^ 0x3f800000u);
  const f32 m = (f32)mbits;
  k += (i32)(i >> 23);
  const f32 f = m - 1.0f;
  const f32 s = f / (2.0f + f);
  const f32 dk = __builtin_convertvector(k, f32);
  const f32 z = s * s;
  const f32 w = z * z;
  const f32 t1 = w * (4.0000000596e-01f + w * (2.2222198546e-01f + w * 1.5313838422e-01f));
  const f32 t2 = z * (6.6666668653e-01f + w * (2.8571429849e-01f + w * (1.8183572590e-01f + w * 1.4798198640e-01f)));
  const f32 R = t2 + t1;
  const f32 hfsq = 0.5f * f * f;
  return dk * 6.9313812256e-01f - ((hfsq - (s * (hfsq + R) + dk * 9.0580006145e-06f)) - f);
}

// sincos_two_pi (random.h) lane by lane.
template <int W>
CUBIE_FN void lane_sincos_two_pi(typename lane_words<W>::f64 u, typename lane_words<W>::f64& s, typename lane_words<W>::f64& c) {
  typedef typename lane_words<W>::i64 i64;
  typedef typename lane_words<W>::f64 f64;
  const f64 v = 4.0 * u;
  const f64 n = floor(simd::vec<double, W>(v + 0.5)).v;
  const f64 x = (v - n) * 1.57079632679489661923;
  const i64 q = __builtin_convertvector(n, i64) & 3;
  const f64 z = x * x;
  const f64 sp = x + x * z * (-1.66666666666666324348e-01 + z * (8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)))));
  const f64 cp = 1.0 - 0.5 * z + z * z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))));
  const i64 odd = (q & 1) != 0;
  const f64 cq = odd ? sp : cp;
  const f64 sq = odd ? cp : sp;
  c = ((q == 1) | (q == 2)) ? -cq : cq;
  s = (q >= 2) ? -sq : sq;
}

template <int W>
CUBIE_FN void lane_sincos_two_pi(typename lane_words<W>::f32 u, typename lane_words<W>::f32& s, typename lane_words<W>::f32& c) {
  typedef typename lane_words<W>::i32 i32;
  typedef typename lane_words<W>::f32 f32;
  const f32 v = 4.0f * u;
  const f32 n = floor(simd::vec<float, W>(v + 0.5f)).v;
  const f32 x = (v - n) * 1.57079632679489661923f;
  const i32 q = __builtin_convertvector(n, i32) & 3;
  const f32 z = x * x;
  const f32 sp = x + x * z * (-1.66666666666666324348e-01f + z * (8.33333333332248946124e-03f + z * (-1.98412698298579493134e-04f + z * 2.75573137070700676789e-06f)));
  const f32 cp = 1.0f - 0.5f * z + z * z * (4.16666666666666019037e-02f + z * (-1.38888888888741095749e-03f + z * (2.48015872894767294178e-05f + z * -2.75573143513906633035e-07f)));
  const i32 odd = (q & 1) != 0;
  const f32 cq = odd ? sp : cp;
  const f32 sq = odd ? cp : sp;
  c = ((q == 1) | (q == 2)) ? -cq : cq;
  s = (q >= 2) ? -sq : sq;
}

// philox_normals (random.h) lane by lane: two normals a block in double.
template <int W>
CUBIE_FN void lane_normals(const lane_words<W>& w, simd::vec<double, W>* z) {
  typedef typename lane_words<W>::u64 u64;
  typedef typename lane_words<W>::i64 i64;
  typedef typename lane_words<W>::f64 f64;
  auto uniform = [](const typename lane_words<W>::u32& hi, const typename lane_words<W>::u32& lo) {
    const u64 word = (__builtin_convertvector(hi, u64) << 32) | __builtin_convertvector(lo, u64);
    const u64 odd = (word >> 11) | 1ull;
    return __builtin_convertvector((i64)odd, f64) * 1.1102230246251565404236316680908203125e-16;
  };
  const f64 u1 = uniform(w.v[0], w.v[1]);
  const f64 u2 = uniform(w.v[2], w.v[3]);
  const f64 radius = sqrt(simd::vec<double, W>(-2.0 * lane_log_open<W>(u1))).v;
  f64 s, c;
  lane_sincos_two_pi<W>(u2, s, c);
  z[0] = simd::vec<double, W>(radius * c);
  z[1] = simd::vec<double, W>(radius * s);
}

// Four normals a block in float.
template <int W>
CUBIE_FN void lane_normals(const lane_words<W>& w, simd::vec<float, W>* z) {
  typedef typename lane_words<W>::u32 u32;
  typedef typename lane_words<W>::i32 i32;
  typedef typename lane_words<W>::f32 f32;
  for (int pair = 0; pair < 2; ++pair) {
    const u32 odd1 = (w.v[2 * pair] >> 8) | 1u, odd2 = (w.v[2 * pair + 1] >> 8) | 1u;
    const f32 u1 = __builtin_convertvector((i32)odd1, f32) * 5.9604644775390625e-8f;
    const f32 u2 = __builtin_convertvector((i32)odd2, f32) * 5.9604644775390625e-8f;
    const f32 radius = sqrt(simd::vec<float, W>(-2.0f * lane_log_open<W>(u1))).v;
    f32 s, c;
    lane_sincos_two_pi<W>(u2, s, c);
    z[2 * pair] = simd::vec<float, W>(radius * c);
    z[2 * pair + 1] = simd::vec<float, W>(radius * s);
  }
}

// A tree's normals for the W runs in the lanes (brownian.h's brownian_draw).
template <typename real, int W>
struct brownian_draw<real, lane_runs<W>> {
  typedef simd::vec<real, W> value;
  static constexpr bool whole_groups = true;
  static constexpr int per_block = philox_normals<real>::count;

  // Blocks first .. first + B - 1 for one process, their normals in z (per_block each).
  template <int B>
  static CUBIE_FN void group_normals(const philox4x32_key& key, unsigned long long first, unsigned int process, const lane_runs<W>& runs, value* z) {
    typedef typename lane_words<W>::u32 u32;
    u32 run;
    __builtin_memcpy(&run, runs.v, sizeof(run));
    lane_words<W> c[B];
    for (int b = 0; b < B; ++b) {
      const unsigned long long block = first + static_cast<unsigned long long>(b);
      c[b].v[0] = u32{} + static_cast<unsigned int>(block);
      c[b].v[1] = u32{} + static_cast<unsigned int>(block >> 32);
      c[b].v[2] = u32{} + process;
      c[b].v[3] = run;
    }
    lane_philox4x32<W, B>(c, key);
    for (int b = 0; b < B; ++b) lane_normals<W>(c[b], z + b * per_block);
  }
  static CUBIE_FN void normals(const philox4x32_key& key, unsigned long long block, unsigned int process, const lane_runs<W>& runs, value* z) {
    group_normals<1>(key, block, process, runs, z);
  }
};

// WienerCache (sde.h) for W runs whose steps ask for the same times (see
// above): the times are those of the context's lead lane, the first lane
// stepping. A new run in any lane starts all of them afresh (lockstep).
template <class T, int W, int M>
struct WienerCache<simd::vec<T, W>, M> {
  typedef simd::vec<T, W> V;
  typedef simd::vec<double, W> D;
  typedef brownian_tree<T, lane_runs<W>> Tree;
  bool has_tree = false;
  int lead = 0;
  Tree path;
  brownian_stack<T, brownian_stack_decades, V> stack[M];
  bool has_start = false;
  bool has_end = false;
  double t_start = 0.0;
  double t_end = 0.0;
  V w_start[M];
  V w_end[M];

  template <class Ctx>
  CUBIE_FN const Tree& tree(const Ctx& ctx) {
    lead = ctx.lead_lane();
    if (!has_tree) {
      path = ctx.brownian();
      has_tree = true;
    }
    return path;
  }

  CUBIE_FN V at(const D& t, int j) { return path.at(static_cast<T>(t[lead]), static_cast<unsigned int>(j), stack[j]); }

  CUBIE_FN void increment(const D& ta_lanes, const D& tb_lanes, V* __restrict__ dW) {
    const double ta = ta_lanes[lead], tb = tb_lanes[lead];
    if (has_end && ta == t_end) {
      t_start = t_end;
      for (int j = 0; j < M; ++j) w_start[j] = w_end[j];
    } else if (!has_start || ta != t_start) {
      t_start = ta;
      for (int j = 0; j < M; ++j) w_start[j] = at(ta_lanes, j);
    }
    has_start = true;
    if (!has_end || tb != t_end) {
      has_end = true;
      t_end = tb;
      for (int j = 0; j < M; ++j) w_end[j] = at(tb_lanes, j);
    }
    for (int j = 0; j < M; ++j) dW[j] = w_end[j] - w_start[j];
  }

  // A lane takes a new run: the engine refills all lanes together, so all start afresh.
  CUBIE_FN void reset_lane(int) {
    has_tree = has_start = has_end = false;
    for (int j = 0; j < M; ++j) stack[j] = brownian_stack<T, brownian_stack_decades, V>();
  }
};

}  // namespace cubie
#endif
