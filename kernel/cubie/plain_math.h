// log and exp in plain arithmetic (fdlibm's algorithms), for the places
// where a result must not depend on where it was computed: Box-Muller's log
// (random.h), so a run's noise is the same on the GPU, in a scalar CPU build
// and in CPU lanes; the step-size controllers' powers (controllers.h), so a
// lane's steps are the scalar engine's. The libraries' scalar and vector
// functions differ in the last bits; the same operations in the same order
// do not. lane_plain_math.h repeats the bit handling on vectors.
#ifndef CUBIE_PLAIN_MATH_H
#define CUBIE_PLAIN_MATH_H
#include "cubie/platform.h"

namespace cubie {

// The bits of a float or double and back (what __builtin_bit_cast does on the host).
CUBIE_FN unsigned long long bits_of_double(double x) {
#if CUBIE_DEVICE
  return static_cast<unsigned long long>(__double_as_longlong(x));
#else
  return __builtin_bit_cast(unsigned long long, x);
#endif
}
CUBIE_FN double double_of_bits(unsigned long long b) {
#if CUBIE_DEVICE
  return __longlong_as_double(static_cast<long long>(b));
#else
  return __builtin_bit_cast(double, b);
#endif
}
CUBIE_FN unsigned int bits_of_float(float x) {
#if CUBIE_DEVICE
  return __float_as_uint(x);
#else
  return __builtin_bit_cast(unsigned int, x);
#endif
}
CUBIE_FN float float_of_bits(unsigned int b) {
#if CUBIE_DEVICE
  return __uint_as_float(b);
#else
  return __builtin_bit_cast(float, b);
#endif
}

// log(x) for positive, normal x, in plain arithmetic: fdlibm's
// __ieee754_log / __ieee754_logf (x = 2^k (1 + f) with
// sqrt(2)/2 <= 1 + f < sqrt(2), s = f / (2 + f), its polynomial in s^2),
// always on its general path. Within an ulp or two of log.
// fdlibm's constants for log: the polynomial's and ln 2 in a high and a low part.
template <typename T>
struct fdlibm_log;
template <>
struct fdlibm_log<double> {
  static CUBIE_FN double lg(int k) {
    switch (k) {
      case 1: return 6.666666666666735130e-01;
      case 2: return 3.999999999940941908e-01;
      case 3: return 2.857142874366239149e-01;
      case 4: return 2.222219843214978396e-01;
      case 5: return 1.818357216161805012e-01;
      case 6: return 1.531383769920937332e-01;
      default: return 1.479819860511658591e-01;
    }
  }
  static CUBIE_FN double ln2_hi() { return 6.93147180369123816490e-01; }
  static CUBIE_FN double ln2_lo() { return 1.90821492927058770002e-10; }
};
template <>
struct fdlibm_log<float> {
  static CUBIE_FN float lg(int k) {
    switch (k) {
      case 1: return 6.6666668653e-01f;
      case 2: return 4.0000000596e-01f;
      case 3: return 2.8571429849e-01f;
      case 4: return 2.2222198546e-01f;
      case 5: return 1.8183572590e-01f;
      case 6: return 1.5313838422e-01f;
      default: return 1.4798198640e-01f;
    }
  }
  static CUBIE_FN float ln2_hi() { return 6.9313812256e-01f; }
  static CUBIE_FN float ln2_lo() { return 9.0580006145e-06f; }
};

// log(2^k (1 + f)) from f and k (as a T), for a scalar R or (lane_plain_math.h) a GCC vector of them.
template <typename T, typename R>
CUBIE_FN R log_reduced(const R& f, const R& dk) {
  typedef fdlibm_log<T> C;
  const R s = f / (T(2) + f);
  const R z = s * s;
  const R w = z * z;
  const R t1 = w * (C::lg(2) + w * (C::lg(4) + w * C::lg(6)));
  const R t2 = z * (C::lg(1) + w * (C::lg(3) + w * (C::lg(5) + w * C::lg(7))));
  const R r = t2 + t1;
  const R hfsq = T(0.5) * f * f;
  return dk * C::ln2_hi() - ((hfsq - (s * (hfsq + r) + dk * C::ln2_lo())) - f);
}

CUBIE_FN double log_open(double x) {
  const unsigned long long bits = bits_of_double(x);
  unsigned int hx = static_cast<unsigned int>(bits >> 32);
  int k = static_cast<int>(hx >> 20) - 1023;
  hx &= 0x000fffffu;
  const unsigned int i = (hx + 0x95f64u) & 0x100000u;  // 1 + f would be >= sqrt(2): halve it
  const double m = double_of_bits((static_cast<unsigned long long>(hx | (i ^ 0x3ff00000u)) << 32) | (bits & 0xffffffffull));
  k += static_cast<int>(i >> 20);
  return log_reduced<double>(m - 1.0, static_cast<double>(k));
}

CUBIE_FN float log_open(float x) {
  unsigned int ix = bits_of_float(x);
  int k = static_cast<int>(ix >> 23) - 127;
  ix &= 0x007fffffu;
  const unsigned int i = (ix + (0x95f64u << 3)) & 0x800000u;
  const float m = float_of_bits(ix | (i ^ 0x3f800000u));
  k += static_cast<int>(i >> 23);
  return log_reduced<float>(m - 1.0f, static_cast<float>(k));
}

// fdlibm's constants for exp: the polynomial's, ln 2 in a high and a low
// part, 1 / ln 2, and the shifter that rounds to an integer by addition.
template <typename T>
struct fdlibm_exp;
template <>
struct fdlibm_exp<double> {
  static CUBIE_FN double p(int k) {
    switch (k) {
      case 1: return 1.66666666666666019037e-01;
      case 2: return -2.77777777770155933842e-03;
      case 3: return 6.61375632143793436117e-05;
      case 4: return -1.65339022054652515390e-06;
      default: return 4.13813679705723846039e-08;
    }
  }
  static CUBIE_FN double ln2_hi() { return 6.93147180369123816490e-01; }
  static CUBIE_FN double ln2_lo() { return 1.90821492927058770002e-10; }
  static CUBIE_FN double inv_ln2() { return 1.44269504088896338700e+00; }
  static CUBIE_FN double shifter() { return 6755399441055744.0; }  // 1.5 * 2^52
  static CUBIE_FN double lowest() { return -708.0; }               // exp stays normal
  static CUBIE_FN double highest() { return 709.0; }
};
template <>
struct fdlibm_exp<float> {
  static CUBIE_FN float p(int k) {
    switch (k) {
      case 1: return 1.6666667163e-01f;
      case 2: return -2.7777778450e-03f;
      case 3: return 6.6137559770e-05f;
      case 4: return -1.6533901999e-06f;
      default: return 4.1381369442e-08f;
    }
  }
  static CUBIE_FN float ln2_hi() { return 6.9314575195e-01f; }
  static CUBIE_FN float ln2_lo() { return 1.4286067653e-06f; }
  static CUBIE_FN float inv_ln2() { return 1.4426950216e+00f; }
  static CUBIE_FN float shifter() { return 12582912.0f; }  // 1.5 * 2^23
  static CUBIE_FN float lowest() { return -87.0f; }
  static CUBIE_FN float highest() { return 88.0f; }
};

// exp(x) = 2^k exp(r): k = x / ln 2 rounded to nearest (by adding and
// subtracting the shifter), r = x - k ln 2 in a high and a low part, and
// fdlibm's rational form of exp(r) for |r| <= ln 2 / 2. Returns exp(r) and
// k (as a T), for a scalar R or a GCC vector of them; x within
// [lowest, highest].
template <typename T, typename R>
CUBIE_FN R exp_reduced(const R& x, R& k) {
  typedef fdlibm_exp<T> C;
  k = (x * C::inv_ln2() + C::shifter()) - C::shifter();
  const R hi = x - k * C::ln2_hi();
  const R lo = k * C::ln2_lo();
  const R r = hi - lo;
  const R t = r * r;
  const R c = r - t * (C::p(1) + t * (C::p(2) + t * (C::p(3) + t * (C::p(4) + t * C::p(5)))));
  return T(1) - ((lo - (r * c) / (T(2) - c)) - hi);
}

// exp(x) for x clamped to [lowest, highest] (the result stays a normal
// number), within an ulp or two of exp.
CUBIE_FN double exp_open(double x) {
  typedef fdlibm_exp<double> C;
  double k;
  const double y = exp_reduced<double>(fmin(C::highest(), fmax(C::lowest(), x)), k);
  return y * double_of_bits(static_cast<unsigned long long>(static_cast<long long>(k) + 1023) << 52);
}

CUBIE_FN float exp_open(float x) {
  typedef fdlibm_exp<float> C;
  float k;
  const float y = exp_reduced<float>(fmin(C::highest(), fmax(C::lowest(), x)), k);
  return y * float_of_bits(static_cast<unsigned int>(static_cast<int>(k) + 127) << 23);
}

}  // namespace cubie
#endif
