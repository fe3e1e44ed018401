// Noise in CPU lanes: W runs' Brownian paths at once, one run per lane.
//
// Why it can share one descent: at fixed steps the lane engine starts the W
// runs of a vector together (lockstep refill, lane_engine.h), so every lane
// asks the tree for the same times. The decade intervals, which splits are drawn and the block numbers
// are then the same in every lane; only the run word of the Philox counter,
// hence the normals and the values, differ. The normals are random.h's, on
// vectors: Philox4x32-10, the open uniforms, log_open (lane_plain_math.h) and sincos_two_pi with
// the same operations in the same order, so a lane's noise is the scalar
// build's (and the GPU's) bit for bit. With an adaptive controller the lanes
// step at their own times and refill one by one: then each lane keeps the
// scalar engine's own cache of its run instead (WienerCache below).
//
// Included by sde.h in a CPU build with CUBIE_LANES.
#ifndef CUBIE_LANE_SDE_H
#define CUBIE_LANE_SDE_H
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace cubie {

// The batch indices of the W runs in the lanes: the run word of their counters.
template <int W>
struct lane_runs {
  unsigned int v[W];
};

// A Philox block's four 32-bit words for W lanes, each word held in a 64-bit
// lane: Philox's 32 x 32 -> 64-bit products are then one instruction per
// vector (vpmuludq), with no widening or narrowing between rounds.
template <int W>
struct lane_words : lane_ints<W> {
  typename lane_ints<W>::u64 v[4];  // each lane below 2^32
};

// a * m for lanes below 2^32: the unsigned 32 x 32 -> 64-bit multiply where
// the vector is one register of the target, else the generic product.
template <class U>
CUBIE_FN U lane_mul32(const U& a, const U& m) {
#if defined(__AVX512F__)
  if constexpr (sizeof(U) == 64) return (U)_mm512_mul_epu32((__m512i)a, (__m512i)m);
  if constexpr (sizeof(U) == 128) {  // float's 16 lanes: two registers
    __m512i ah[2], mh[2];
    __builtin_memcpy(ah, &a, sizeof(U));
    __builtin_memcpy(mh, &m, sizeof(U));
    const __m512i r[2] = {_mm512_mul_epu32(ah[0], mh[0]), _mm512_mul_epu32(ah[1], mh[1])};
    U out;
    __builtin_memcpy(&out, r, sizeof(U));
    return out;
  }
#endif
#if defined(__AVX2__)
  if constexpr (sizeof(U) == 32) return (U)_mm256_mul_epu32((__m256i)a, (__m256i)m);
#endif
#if defined(__SSE2__)
  if constexpr (sizeof(U) == 16) return (U)_mm_mul_epu32((__m128i)a, (__m128i)m);
#endif
  return a * m;
}

// philox4x32 (random.h) for B blocks of W counters at once. Why B at once: a
// block's ten rounds are one chain of dependent vector operations, so one
// block at a time waits on their latency; B independent chains fill it.
template <int W, int B>
CUBIE_FN void lane_philox4x32(lane_words<W>* c, philox4x32_key key) {
  typedef typename lane_words<W>::u64 u64;
  const u64 m0 = u64{} + PHILOX_M4x32_0, m1 = u64{} + PHILOX_M4x32_1, low = u64{} + 0xffffffffull;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key.v[0] += PHILOX_W32_0;
      key.v[1] += PHILOX_W32_1;
    }
    for (int b = 0; b < B; ++b) {
      const u64 p0 = lane_mul32(c[b].v[0], m0);
      const u64 p1 = lane_mul32(c[b].v[2], m1);
      lane_words<W> out;
      out.v[0] = (p1 >> 32) ^ c[b].v[1] ^ static_cast<unsigned long long>(key.v[0]);
      out.v[1] = p1 & low;
      out.v[2] = (p0 >> 32) ^ c[b].v[3] ^ static_cast<unsigned long long>(key.v[1]);
      out.v[3] = p0 & low;
      c[b] = out;
    }
  }
}

// sincos_two_pi (random.h) lane by lane: R is W lanes of T, I its integer lanes.
template <typename T, int W, typename R, typename I>
CUBIE_FN void lane_sincos_two_pi(const R& u, R& s, R& c) {
  const R v = T(4) * u;
  const R n = floor(simd::vec<T, W>(v + T(0.5))).v;
  sincos_quadrant<T>((v - n) * T(1.57079632679489661923), __builtin_convertvector(n, I) & 3, s, c);
}

// philox_normals (random.h) lane by lane: two normals a block in double.
template <int W>
CUBIE_FN void lane_normals(const lane_words<W>& w, simd::vec<double, W>* z) {
  typedef typename lane_words<W>::u64 u64;
  typedef typename lane_words<W>::i64 i64;
  typedef typename lane_words<W>::f64 f64;
  auto uniform = [](const u64& hi, const u64& lo) {
    const u64 word = (hi << 32) | lo;
    const u64 odd = (word >> 11) | 1ull;
    return __builtin_convertvector((i64)odd, f64) * 1.1102230246251565404236316680908203125e-16;
  };
  const f64 u1 = uniform(w.v[0], w.v[1]);
  const f64 u2 = uniform(w.v[2], w.v[3]);
  const f64 radius = sqrt(simd::vec<double, W>(-2.0 * lane_log_open<W>(u1))).v;
  f64 s, c;
  lane_sincos_two_pi<double, W, f64, i64>(u2, s, c);
  z[0] = simd::vec<double, W>(radius * c);
  z[1] = simd::vec<double, W>(radius * s);
}

// Four normals a block in float.
template <int W>
CUBIE_FN void lane_normals(const lane_words<W>& w, simd::vec<float, W>* z) {
  typedef typename lane_words<W>::u64 u64;
  typedef typename lane_words<W>::i64 i64;
  typedef typename lane_words<W>::i32 i32;
  typedef typename lane_words<W>::f32 f32;
  for (int pair = 0; pair < 2; ++pair) {
    const u64 odd1 = (w.v[2 * pair] >> 8) | 1ull, odd2 = (w.v[2 * pair + 1] >> 8) | 1ull;
    const f32 u1 = __builtin_convertvector((i64)odd1, f32) * 5.9604644775390625e-8f;
    const f32 u2 = __builtin_convertvector((i64)odd2, f32) * 5.9604644775390625e-8f;
    const f32 radius = sqrt(simd::vec<float, W>(-2.0f * lane_log_open<W>(u1))).v;
    f32 s, c;
    lane_sincos_two_pi<float, W, f32, i32>(u2, s, c);
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
    typedef typename lane_words<W>::u64 u64;
    u32 run32;
    __builtin_memcpy(&run32, runs.v, sizeof(run32));
    const u64 run = __builtin_convertvector(run32, u64);
    lane_words<W> c[B];
    for (int b = 0; b < B; ++b) {
      const unsigned long long block = first + static_cast<unsigned long long>(b);
      c[b].v[0] = u64{} + (block & 0xffffffffull);
      c[b].v[1] = u64{} + (block >> 32);
      c[b].v[2] = u64{} + static_cast<unsigned long long>(process);
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
// stepping.
template <class T, int W>
struct wiener_lanes<simd::vec<T, W>> {
  typedef T scalar;
  typedef lane_runs<W> runs;
  typedef simd::vec<double, W> time;
  // Lane 0 leads whenever it steps: a fixed lane is one register move, a variable one a trip through memory.
  static CUBIE_FN double shared(const time& t, int lead) { return lead == 0 ? t[0] : t[lead]; }
  template <class Ctx>
  static CUBIE_FN int lead(const Ctx& ctx) { return ctx.lead_lane(); }
};

// Whether the lanes' runs step at their own times (an adaptive controller), so
// that each lane descends its own run's tree: declared here, defined by the
// lane engine (lane_engine.h) from the kernel's controller, and read only in
// the bodies below, which are instantiated where the engine steps.
template <int Width>
struct wiener_per_lane;

// The WienerCache a lane stepper keeps. At fixed steps: the shared descent
// above (the plain WienerCache on vectors), unchanged. With an adaptive
// controller each lane's run has its own step times, so no descent can be
// shared: lane l keeps the scalar engine's own WienerCache of its run
// (brownian_tree<T> with that run's word), queried at lane l's times for the
// lanes the step serves, and the values are gathered into the vectors the
// stepper reads (w_start, w_end, the increments). A lane's path, its rejected
// steps' retries included, is then the scalar engine's bit for bit. Which of
// the two is a compile-time choice (wiener_per_lane); the other's storage is
// kept but never touched.
template <class T, int W, int M>
struct WienerCache<simd::vec<T, W>, M, 0> : WienerCache<simd::vec<T, W>, M, 1> {
  typedef WienerCache<simd::vec<T, W>, M, 1> Shared;
  typedef simd::vec<T, W> real;
  typedef simd::vec<double, W> time;
  WienerCache<T, M> lane[W];
  unsigned int serving = 0u;  // the lanes the current step serves (per-lane caches)

  CUBIE_FN WienerCache() {
    // Idle lanes' values are read (and dropped) by the vector code: keep them plain numbers.
    CUBIE_UNROLL for (int j = 0; j < M; ++j) this->w_start[j] = this->w_end[j] = real(T(0));
  }

  template <class Ctx>
  CUBIE_FN const typename Shared::Tree& tree(const Ctx& ctx) {
    if constexpr (wiener_per_lane<W>::value) {
      serving = simd::bits_of(ctx.counting);
      for (int l = 0; l < W; ++l) {
        if (((serving >> l) & 1u) == 0u || lane[l].has_tree) continue;
        lane[l].path = ctx.brownian_run(l);
        lane[l].has_tree = true;
      }
      return this->path;  // unused: each lane reads its own
    } else {
      return Shared::tree(ctx);
    }
  }

  CUBIE_FN real at(const time& t, int j) {
    if constexpr (wiener_per_lane<W>::value) {
      real w(T(0));
      for (int l = 0; l < W; ++l) {
        if (((serving >> l) & 1u) != 0u) w.set(l, lane[l].at(t[l], j));
      }
      return w;
    } else {
      return Shared::at(t, j);
    }
  }

  CUBIE_FN void increment(const time& ta, const time& tb, real* __restrict__ dW) {
    if constexpr (wiener_per_lane<W>::value) {
      for (int l = 0; l < W; ++l) {
        if (((serving >> l) & 1u) == 0u) continue;
        T lane_dW[M];
        lane[l].increment(ta[l], tb[l], lane_dW);
        CUBIE_UNROLL for (int j = 0; j < M; ++j) {
          this->w_start[j].set(l, lane[l].w_start[j]);
          this->w_end[j].set(l, lane[l].w_end[j]);
        }
      }
      CUBIE_UNROLL for (int j = 0; j < M; ++j) dW[j] = this->w_end[j] - this->w_start[j];
    } else {
      Shared::increment(ta, tb, dW);
    }
  }

  // A new run in lane l: with per-lane caches, that lane's alone (lanes refill one by one).
  CUBIE_FN void reset_lane(int l) {
    if constexpr (wiener_per_lane<W>::value) {
      lane[l].reset_lane(l);
    } else {
      Shared::reset_lane(l);
    }
  }
};

}  // namespace cubie
#endif
