// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", SC'11; Random123).
//
// Why counter-based: a draw is a pure function of (key, counter), so a
// number depends on what it is for (seed, run, process, tree node), never on
// how many draws came before it in this thread. That is what lets a run give
// the same noise on 1 or 16 threads, in any chunk, shard or device.
//
// Written for both compilers: no std::, no <cstdint> on the device (NVRTC
// has neither), only unsigned int / unsigned long long, whose widths both
// guarantee on every target cubie builds for (checked on the host below).
#ifndef CUBIE_RANDOM_H
#define CUBIE_RANDOM_H
#include "cubie/platform.h"
#include "cubie/plain_math.h"

namespace cubie {

#if !CUBIE_DEVICE
static_assert(sizeof(unsigned int) == 4, "Philox4x32 needs 32-bit unsigned int");
static_assert(sizeof(unsigned long long) == 8, "Philox4x32 needs 64-bit unsigned long long");
#endif

// Four 32-bit words: a counter, or the generator's output for one counter.
struct philox4x32_words {
  unsigned int v[4];
};
// The 64-bit key (Random123's key[0], key[1]).
struct philox4x32_key {
  unsigned int v[2];
};

// Random123's constants: the multipliers (chosen in the paper for avalanche)
// and the Weyl key increments (the golden ratio and sqrt(3) - 1).
constexpr unsigned int PHILOX_M4x32_0 = 0xD2511F53u;
constexpr unsigned int PHILOX_M4x32_1 = 0xCD9E8D57u;
constexpr unsigned int PHILOX_W32_0 = 0x9E3779B9u;
constexpr unsigned int PHILOX_W32_1 = 0xBB67AE85u;

CUBIE_FN void philox_mulhilo(unsigned int a, unsigned int b, unsigned int& hi, unsigned int& lo) {
  // Both compilers turn the widening product into one instruction (mul.wide.u32 on the GPU).
  const unsigned long long product = static_cast<unsigned long long>(a) * static_cast<unsigned long long>(b);
  hi = static_cast<unsigned int>(product >> 32);
  lo = static_cast<unsigned int>(product);
}

CUBIE_FN philox4x32_words philox4x32_round(const philox4x32_words& c, const philox4x32_key& k) {
  unsigned int hi0, lo0, hi1, lo1;
  philox_mulhilo(PHILOX_M4x32_0, c.v[0], hi0, lo0);
  philox_mulhilo(PHILOX_M4x32_1, c.v[2], hi1, lo1);
  philox4x32_words out;
  out.v[0] = hi1 ^ c.v[1] ^ k.v[0];
  out.v[1] = lo1;
  out.v[2] = hi0 ^ c.v[3] ^ k.v[1];
  out.v[3] = lo0;
  return out;
}

// Philox4x32 with R rounds; the key is bumped before every round after the
// first, as in Random123 (R = 7 is there for its known-answer vectors too).
template <int R>
CUBIE_FN philox4x32_words philox4x32_r(philox4x32_words counter, philox4x32_key key) {
  counter = philox4x32_round(counter, key);
  CUBIE_UNROLL for (int round = 1; round < R; ++round) {
    key.v[0] += PHILOX_W32_0;
    key.v[1] += PHILOX_W32_1;
    counter = philox4x32_round(counter, key);
  }
  return counter;
}

// Philox4x32-10: the variant Random123 recommends (a margin over the 7
// rounds that already pass BigCrush).
CUBIE_FN philox4x32_words philox4x32(const philox4x32_words& counter, const philox4x32_key& key) {
  return philox4x32_r<10>(counter, key);
}

// Uniform numbers in the open interval (0, 1), exactly: the result is an odd
// multiple of 2^-24 (float) or 2^-53 (double), so neither 0 nor 1 can occur
// (log(u) stays finite) and every value is representable, with no rounding
// up to 1 (which (k + 0.5) * 2^-24 in float would do for the largest k).
CUBIE_FN float uniform_open_float(unsigned int bits) {
  const unsigned int odd = ((bits >> 8) | 1u);  // 24 bits, odd: (2k + 1) with k the top 23 bits
  return static_cast<float>(odd) * 5.9604644775390625e-8f;  // 2^-24
}

CUBIE_FN double uniform_open_double(unsigned int hi, unsigned int lo) {
  const unsigned long long word = (static_cast<unsigned long long>(hi) << 32) | lo;
  const unsigned long long odd = (word >> 11) | 1ull;  // 53 bits, odd
  return static_cast<double>(odd) * 1.1102230246251565404236316680908203125e-16;  // 2^-53
}

// sin and cos of 2 pi u for u in [0, 1], with no library call: the quadrant
// n = round(4u), x = (4u - n) pi / 2 in [-pi/4, pi/4] (4u, 4u + 1/2 and
// 4u - n are exact for the uniforms above), then fdlibm's kernel polynomials
// for that range (__kernel_sin, __kernel_cos: double errors below 2^-58;
// float keeps the terms a float can see, errors below 1e-7), and the
// quadrant's signs and swap as selects. Within an ulp or two of the libraries'
// sin and cos, and about half the cost of a sincos call (which reduces any
// argument), on both compilers.
// The two kernels on x = (4u - q) pi / 2 for quadrant q (0..3), written once
// for a scalar R and, in CPU lanes (lane_sde.h), a GCC vector of them with Q
// its integer lanes (a vector's ?: selects lane by lane).
template <typename T, typename R, typename Q>
CUBIE_FN void sincos_quadrant(const R& x, const Q& q, R& s, R& c) {
  const R z = x * x;
  R sp, cp;
  if constexpr (sizeof(T) == sizeof(double)) {
    sp = x + x * z * (T(-1.66666666666666324348e-01) + z * (T(8.33333333332248946124e-03) + z * (T(-1.98412698298579493134e-04) + z * (T(2.75573137070700676789e-06) + z * (T(-2.50507602534068634195e-08) + z * T(1.58969099521155010221e-10))))));
    cp = T(1) - T(0.5) * z + z * z * (T(4.16666666666666019037e-02) + z * (T(-1.38888888888741095749e-03) + z * (T(2.48015872894767294178e-05) + z * (T(-2.75573143513906633035e-07) + z * (T(2.08757232129817482790e-09) + z * T(-1.13596475577881948265e-11))))));
  } else {
    sp = x + x * z * (T(-1.66666666666666324348e-01) + z * (T(8.33333333332248946124e-03) + z * (T(-1.98412698298579493134e-04) + z * T(2.75573137070700676789e-06))));
    cp = T(1) - T(0.5) * z + z * z * (T(4.16666666666666019037e-02) + z * (T(-1.38888888888741095749e-03) + z * (T(2.48015872894767294178e-05) + z * T(-2.75573143513906633035e-07))));
  }
  const R cq = (q & 1) ? sp : cp;
  const R sq = (q & 1) ? cp : sp;
  c = ((q == 1) | (q == 2)) ? -cq : cq;
  s = (q >= 2) ? -sq : sq;
}

CUBIE_FN void sincos_two_pi(double u, double& s, double& c) {
  const double v = 4.0 * u;
  const double n = floor(v + 0.5);
  sincos_quadrant<double>((v - n) * 1.57079632679489661923, static_cast<int>(n) & 3, s, c);
}

CUBIE_FN void sincos_two_pi(float u, float& s, float& c) {
  const float v = 4.0f * u;
  const float n = floorf(v + 0.5f);
  sincos_quadrant<float>((v - n) * 1.57079632679489661923f, static_cast<int>(n) & 3, s, c);
}

// Standard normal numbers from one Philox output by Box–Muller
// (z0, z1) = sqrt(-2 log u1) (cos 2 pi u2, sin 2 pi u2): exact in
// distribution given exact log, sqrt, cos and sin; log is log_open's and
// cos and sin sincos_two_pi's (each within an ulp or two), sqrt is IEEE's. float: four words make two uniform pairs, four normals, all in float
// arithmetic (float kernels do no double math); double: two 53-bit uniforms,
// two normals. The smallest u1 bounds |z| at about 5.8 (float) and 8.6
// (double) standard deviations.
template <typename real>
struct philox_normals;

template <>
struct philox_normals<float> {
  static constexpr int count = 4;
  static CUBIE_FN void from(const philox4x32_words& w, float* z) {
    CUBIE_UNROLL for (int pair = 0; pair < 2; ++pair) {
      const float u1 = uniform_open_float(w.v[2 * pair]);
      const float u2 = uniform_open_float(w.v[2 * pair + 1]);
      const float radius = sqrtf(-2.0f * log_open(u1));
      float s, c;
      sincos_two_pi(u2, s, c);
      z[2 * pair] = radius * c;
      z[2 * pair + 1] = radius * s;
    }
  }
};

template <>
struct philox_normals<double> {
  static constexpr int count = 2;
  static CUBIE_FN void from(const philox4x32_words& w, double* z) {
    const double u1 = uniform_open_double(w.v[0], w.v[1]);
    const double u2 = uniform_open_double(w.v[2], w.v[3]);
    const double radius = sqrt(-2.0 * log_open(u1));
    double s, c;
    sincos_two_pi(u2, s, c);
    z[0] = radius * c;
    z[1] = radius * s;
  }
};

// The key for a 64-bit seed: low word first, as Random123 orders key words.
CUBIE_FN philox4x32_key philox_key_from_seed(unsigned long long seed) {
  philox4x32_key key;
  key.v[0] = static_cast<unsigned int>(seed);
  key.v[1] = static_cast<unsigned int>(seed >> 32);
  return key;
}

}  // namespace cubie
#endif
