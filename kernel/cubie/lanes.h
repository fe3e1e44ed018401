// SIMD lanes across runs, for CPU kernels built with CUBIE_LANES (src/backends/cpu/build.ts).
// The generated system and stepper name their arithmetic type through
// cubie::lanes_of<double> (or <float>): the scalar itself on the GPU and in
// scalar CPU builds, and here a vector of W of them, one run per lane, so
// the same text computes W runs in one instruction stream (lane_engine.h).
//
// Each lane does the arithmetic the scalar build does, in the same order
// (-ffp-contract=off holds for vectors too); only the vector math functions
// may round differently in the last bit. Those come from the platform: a
// loop over the lanes of the scalar function, which GCC turns into a call to
// glibc's libmvec where the function is declared `omp declare simd` below.
#ifndef CUBIE_LANES_H
#define CUBIE_LANES_H
#include <type_traits>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "cubie/platform.h"

#if defined(__x86_64__) && defined(__GLIBC__)
// libmvec's vector variants (x86_64: SSE4, AVX2, AVX-512), linked with -lmvec.
// glibc declares them only under -ffast-math; the declarations are repeated
// here so the kernels keep IEEE semantics everywhere else.
#define CUBIE_VECTOR_MATH(name)             \
  _Pragma("omp declare simd notinbranch")   \
  extern "C" double name(double) noexcept;  \
  _Pragma("omp declare simd notinbranch")   \
  extern "C" float name##f(float) noexcept;
#define CUBIE_VECTOR_MATH2(name)                    \
  _Pragma("omp declare simd notinbranch")           \
  extern "C" double name(double, double) noexcept;  \
  _Pragma("omp declare simd notinbranch")           \
  extern "C" float name##f(float, float) noexcept;
CUBIE_VECTOR_MATH(exp)
CUBIE_VECTOR_MATH(log)
CUBIE_VECTOR_MATH(sin)
CUBIE_VECTOR_MATH(cos)
CUBIE_VECTOR_MATH2(pow)
#if __GLIBC_PREREQ(2, 35)
CUBIE_VECTOR_MATH(tan)
CUBIE_VECTOR_MATH(asin)
CUBIE_VECTOR_MATH(acos)
CUBIE_VECTOR_MATH(atan)
CUBIE_VECTOR_MATH(sinh)
CUBIE_VECTOR_MATH(cosh)
CUBIE_VECTOR_MATH(tanh)
CUBIE_VECTOR_MATH(asinh)
CUBIE_VECTOR_MATH(acosh)
CUBIE_VECTOR_MATH(atanh)
CUBIE_VECTOR_MATH(expm1)
CUBIE_VECTOR_MATH(log10)
CUBIE_VECTOR_MATH(log2)
CUBIE_VECTOR_MATH(log1p)
CUBIE_VECTOR_MATH(cbrt)
CUBIE_VECTOR_MATH2(atan2)
CUBIE_VECTOR_MATH2(hypot)
#endif
#undef CUBIE_VECTOR_MATH
#undef CUBIE_VECTOR_MATH2
#endif

namespace cubie {
// vec and its operators and functions live in their own namespace: found by
// argument-dependent lookup for vec arguments, they do not hide ::fabs,
// ::sqrt... from the scalar code of namespace cubie.
namespace simd {

// The widest vector registers the build targets (cpuTarget: 'native' gives the host's).
#if defined(__AVX512F__)
constexpr int lane_bytes = 64;
#elif defined(__AVX__)
constexpr int lane_bytes = 32;
#else
constexpr int lane_bytes = 16;
#endif

// W values of T, one per run. Operators and functions act lane by lane.
template <class T, int W>
struct vec {
  typedef T scalar;
  static constexpr int width = W;
  typedef T native __attribute__((vector_size(sizeof(T) * W)));
  native v;

  vec() = default;
  // Every lane the same value: literals and per-run constants.
  template <class U, class = typename std::enable_if<std::is_arithmetic<U>::value>::type>
  vec(U x) : v(native{} + static_cast<T>(x)) {}
  explicit vec(native n) : v(n) {}
  // float <-> double lane by lane (static_cast<real>(...) in generated text).
  template <class U>
  explicit vec(const vec<U, W>& other) : v(__builtin_convertvector(other.v, native)) {}

  T operator[](int l) const { return v[l]; }
  void set(int l, T x) { v[l] = x; }
};

// The result of comparing two vec: all bits set in a lane where it holds.
template <class T, int W>
struct vec_mask {
  typedef decltype(typename vec<T, W>::native{} < typename vec<T, W>::native{}) native;
  native m;
  vec_mask() = default;
  CUBIE_FN vec_mask(native bits) : m(bits) {}
  // A condition the same in every lane (a comparison of two constants, as imported SBML
  // writes): that bool in every lane.
  CUBIE_FN vec_mask(bool b) : m(b ? ~native{} : native{}) {}
  bool operator[](int l) const { return m[l] != 0; }
};

template <class T, int W>
CUBIE_FN vec<double, W> wide(const vec<T, W>& x) { return vec<double, W>(x); }

// Piecewise expressions: every lane takes its own branch (both are computed).
template <class T, int W>
CUBIE_FN vec<T, W> select(const vec_mask<T, W>& c, const vec<T, W>& a, const vec<T, W>& b) {
  return vec<T, W>(c.m ? a.v : b.v);
}
template <class T, int W>
CUBIE_FN vec<T, W> select(const vec_mask<T, W>& c, const vec<T, W>& a, typename vec<T, W>::scalar b) {
  return select(c, a, vec<T, W>(b));
}
template <class T, int W>
CUBIE_FN vec<T, W> select(const vec_mask<T, W>& c, typename vec<T, W>::scalar a, const vec<T, W>& b) {
  return select(c, vec<T, W>(a), b);
}
template <class T, int W>
CUBIE_FN vec<T, W> select(const vec_mask<T, W>& c, typename vec<T, W>::scalar a, typename vec<T, W>::scalar b) {
  return select(c, vec<T, W>(a), vec<T, W>(b));
}
// A condition the same in every lane (a comparison of two constants, as imported SBML writes)
// is a plain bool: it selects between whole values, and combines with lane masks below.
template <class T, int W>
CUBIE_FN vec<T, W> select(bool c, const vec<T, W>& a, const vec<T, W>& b) {
  return c ? a : b;
}
template <class T, int W>
CUBIE_FN vec<T, W> select(bool c, const vec<T, W>& a, typename vec<T, W>::scalar b) {
  return c ? a : vec<T, W>(b);
}
template <class T, int W>
CUBIE_FN vec<T, W> select(bool c, typename vec<T, W>::scalar a, const vec<T, W>& b) {
  return c ? vec<T, W>(a) : b;
}
template <class S, typename std::enable_if<std::is_arithmetic<S>::value, int>::type = 0>
CUBIE_FN S select(bool c, S a, S b) {
  return c ? a : b;
}

#define CUBIE_VEC_ARITHMETIC(op)                                                                    \
  template <class T, int W>                                                                         \
  CUBIE_FN vec<T, W> operator op(const vec<T, W>& a, const vec<T, W>& b) {                          \
    return vec<T, W>(a.v op b.v);                                                                   \
  }                                                                                                 \
  template <class T, int W>                                                                         \
  CUBIE_FN vec<T, W> operator op(const vec<T, W>& a, typename vec<T, W>::scalar b) {                \
    return vec<T, W>(a.v op b);                                                                     \
  }                                                                                                 \
  template <class T, int W>                                                                         \
  CUBIE_FN vec<T, W> operator op(typename vec<T, W>::scalar a, const vec<T, W>& b) {                \
    return vec<T, W>(a op b.v);                                                                     \
  }                                                                                                 \
  template <class T, int W>                                                                         \
  CUBIE_FN vec<T, W>& operator op##=(vec<T, W>& a, const vec<T, W>& b) {                            \
    a.v = a.v op b.v;                                                                               \
    return a;                                                                                       \
  }
CUBIE_VEC_ARITHMETIC(+)
CUBIE_VEC_ARITHMETIC(-)
CUBIE_VEC_ARITHMETIC(*)
CUBIE_VEC_ARITHMETIC(/)
#undef CUBIE_VEC_ARITHMETIC

template <class T, int W>
CUBIE_FN vec<T, W> operator-(const vec<T, W>& a) { return vec<T, W>(-a.v); }
template <class T, int W>
CUBIE_FN vec<T, W> operator+(const vec<T, W>& a) { return a; }

#define CUBIE_VEC_COMPARISON(op)                                                                    \
  template <class T, int W>                                                                         \
  CUBIE_FN vec_mask<T, W> operator op(const vec<T, W>& a, const vec<T, W>& b) {                     \
    return {a.v op b.v};                                                                            \
  }                                                                                                 \
  template <class T, int W>                                                                         \
  CUBIE_FN vec_mask<T, W> operator op(const vec<T, W>& a, typename vec<T, W>::scalar b) {           \
    return a op vec<T, W>(b);                                                                       \
  }                                                                                                 \
  template <class T, int W>                                                                         \
  CUBIE_FN vec_mask<T, W> operator op(typename vec<T, W>::scalar a, const vec<T, W>& b) {           \
    return vec<T, W>(a) op b;                                                                       \
  }
CUBIE_VEC_COMPARISON(<)
CUBIE_VEC_COMPARISON(<=)
CUBIE_VEC_COMPARISON(>)
CUBIE_VEC_COMPARISON(>=)
CUBIE_VEC_COMPARISON(==)
CUBIE_VEC_COMPARISON(!=)
#undef CUBIE_VEC_COMPARISON

// Logic on masks evaluates both sides, as a select does.
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator&&(const vec_mask<T, W>& a, const vec_mask<T, W>& b) { return {a.m & b.m}; }
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator||(const vec_mask<T, W>& a, const vec_mask<T, W>& b) { return {a.m | b.m}; }
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator!(const vec_mask<T, W>& a) { return {~a.m}; }
// A mask with a bool (a condition the same in every lane): that bool in every lane.
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator&&(const vec_mask<T, W>& a, bool b) { return a && vec_mask<T, W>(b); }
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator&&(bool a, const vec_mask<T, W>& b) { return vec_mask<T, W>(a) && b; }
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator||(const vec_mask<T, W>& a, bool b) { return a || vec_mask<T, W>(b); }
template <class T, int W>
CUBIE_FN vec_mask<T, W> operator||(bool a, const vec_mask<T, W>& b) { return vec_mask<T, W>(a) || b; }

// Lane by lane through the scalar function: libmvec's vector variant where
// declared above, an inline vector instruction (sqrt, fabs) where the
// compiler has one, else a loop of scalar calls.
#define CUBIE_VEC_UNARY(name)                                                  \
  template <int W>                                                             \
  CUBIE_FN vec<double, W> name(const vec<double, W>& x) {                      \
    vec<double, W> r;                                                          \
    _Pragma("omp simd") for (int l = 0; l < W; ++l) r.v[l] = ::name(x.v[l]);   \
    return r;                                                                  \
  }                                                                            \
  template <int W>                                                             \
  CUBIE_FN vec<float, W> name(const vec<float, W>& x) {                        \
    vec<float, W> r;                                                           \
    _Pragma("omp simd") for (int l = 0; l < W; ++l) r.v[l] = ::name##f(x.v[l]); \
    return r;                                                                  \
  }                                                                            \
  template <int W>                                                             \
  CUBIE_FN vec<float, W> name##f(const vec<float, W>& x) { return name(x); }
#define CUBIE_VEC_BINARY(name)                                                           \
  template <int W>                                                                       \
  CUBIE_FN vec<double, W> name(const vec<double, W>& x, const vec<double, W>& y) {       \
    vec<double, W> r;                                                                    \
    _Pragma("omp simd") for (int l = 0; l < W; ++l) r.v[l] = ::name(x.v[l], y.v[l]);     \
    return r;                                                                            \
  }                                                                                      \
  template <int W>                                                                       \
  CUBIE_FN vec<float, W> name(const vec<float, W>& x, const vec<float, W>& y) {          \
    vec<float, W> r;                                                                     \
    _Pragma("omp simd") for (int l = 0; l < W; ++l) r.v[l] = ::name##f(x.v[l], y.v[l]);  \
    return r;                                                                            \
  }                                                                                      \
  template <class T, int W>                                                              \
  CUBIE_FN vec<T, W> name(const vec<T, W>& x, typename vec<T, W>::scalar y) {            \
    return name(x, vec<T, W>(y));                                                        \
  }                                                                                      \
  template <class T, int W>                                                              \
  CUBIE_FN vec<T, W> name(typename vec<T, W>::scalar x, const vec<T, W>& y) {            \
    return name(vec<T, W>(x), y);                                                        \
  }                                                                                      \
  template <int W>                                                                       \
  CUBIE_FN vec<float, W> name##f(const vec<float, W>& x, const vec<float, W>& y) {       \
    return name(x, y);                                                                   \
  }                                                                                      \
  template <int W>                                                                       \
  CUBIE_FN vec<float, W> name##f(const vec<float, W>& x, float y) { return name(x, vec<float, W>(y)); } \
  template <int W>                                                                       \
  CUBIE_FN vec<float, W> name##f(float x, const vec<float, W>& y) { return name(vec<float, W>(x), y); }

CUBIE_VEC_UNARY(sin)
CUBIE_VEC_UNARY(cos)
CUBIE_VEC_UNARY(tan)
CUBIE_VEC_UNARY(asin)
CUBIE_VEC_UNARY(acos)
CUBIE_VEC_UNARY(atan)
CUBIE_VEC_UNARY(sinh)
CUBIE_VEC_UNARY(cosh)
CUBIE_VEC_UNARY(tanh)
CUBIE_VEC_UNARY(asinh)
CUBIE_VEC_UNARY(acosh)
CUBIE_VEC_UNARY(atanh)
CUBIE_VEC_UNARY(exp)
CUBIE_VEC_UNARY(expm1)
CUBIE_VEC_UNARY(log)
CUBIE_VEC_UNARY(log10)
CUBIE_VEC_UNARY(log2)
CUBIE_VEC_UNARY(log1p)
CUBIE_VEC_UNARY(sqrt)
CUBIE_VEC_UNARY(cbrt)
CUBIE_VEC_UNARY(fabs)
CUBIE_VEC_BINARY(pow)
CUBIE_VEC_BINARY(hypot)
CUBIE_VEC_BINARY(atan2)
#undef CUBIE_VEC_UNARY
#undef CUBIE_VEC_BINARY

// floor and ceil (Mode: the x86 rounding-control bits, 1 down, 2 up) as one rounding
// instruction where the target has one: exact, as C's. GCC's vectoriser does
// not turn C's floor into it (the function may raise inexact), so an omp simd
// loop would round lane by lane.
template <int Mode, class T, int W>
CUBIE_FN vec<T, W> round_toward(const vec<T, W>& x) {
  typedef typename vec<T, W>::native N;
  // | 8 below: _MM_FROUND_NO_EXC, no inexact flag. AVX-512: the masked form with every lane
  // set, as the unmasked one trips GCC 12's -Wuninitialized on its _mm512_undefined source.
  constexpr bool wide = sizeof(T) == 8;
#if defined(__AVX512F__)
  if constexpr (sizeof(N) == 64 && wide) return vec<T, W>((N)_mm512_mask_roundscale_pd((__m512d)x.v, 0xff, (__m512d)x.v, Mode | 8));
  if constexpr (sizeof(N) == 64 && !wide) return vec<T, W>((N)_mm512_mask_roundscale_ps((__m512)x.v, 0xffff, (__m512)x.v, Mode | 8));
#endif
#if defined(__AVX__)
  if constexpr (sizeof(N) == 32 && wide) return vec<T, W>((N)_mm256_round_pd((__m256d)x.v, Mode | 8));
  if constexpr (sizeof(N) == 32 && !wide) return vec<T, W>((N)_mm256_round_ps((__m256)x.v, Mode | 8));
#endif
#if defined(__SSE4_1__)
  if constexpr (sizeof(N) == 16 && wide) return vec<T, W>((N)_mm_round_pd((__m128d)x.v, Mode | 8));
  if constexpr (sizeof(N) == 16 && !wide) return vec<T, W>((N)_mm_round_ps((__m128)x.v, Mode | 8));
#endif
  (void)wide;
  N r = x.v;
  for (int l = 0; l < W; ++l) r[l] = Mode == 1 ? ::floor(r[l]) : ::ceil(r[l]);
  return vec<T, W>(r);
}
template <class T, int W>
CUBIE_FN vec<T, W> floor(const vec<T, W>& x) { return round_toward<1>(x); }
template <class T, int W>
CUBIE_FN vec<T, W> ceil(const vec<T, W>& x) { return round_toward<2>(x); }
template <int W>
CUBIE_FN vec<float, W> floorf(const vec<float, W>& x) { return floor(x); }
template <int W>
CUBIE_FN vec<float, W> ceilf(const vec<float, W>& x) { return ceil(x); }

// fmin and fmax as selects, so they stay vector instructions: the smaller
// (larger) of the two, or the one that is not NaN, as C's fmin (fmax).
template <class T, int W>
CUBIE_FN vec<T, W> fmin(const vec<T, W>& a, const vec<T, W>& b) { return vec<T, W>((a.v < b.v) | (b.v != b.v) ? a.v : b.v); }
template <class T, int W>
CUBIE_FN vec<T, W> fmax(const vec<T, W>& a, const vec<T, W>& b) { return vec<T, W>((a.v > b.v) | (b.v != b.v) ? a.v : b.v); }
#define CUBIE_VEC_MINMAX(name)                                                                         \
  template <class T, int W>                                                                            \
  CUBIE_FN vec<T, W> name(const vec<T, W>& a, typename vec<T, W>::scalar b) { return name(a, vec<T, W>(b)); } \
  template <class T, int W>                                                                            \
  CUBIE_FN vec<T, W> name(typename vec<T, W>::scalar a, const vec<T, W>& b) { return name(vec<T, W>(a), b); } \
  template <int W>                                                                                     \
  CUBIE_FN vec<float, W> name##f(const vec<float, W>& a, const vec<float, W>& b) { return name(a, b); } \
  template <int W>                                                                                     \
  CUBIE_FN vec<float, W> name##f(const vec<float, W>& a, float b) { return name(a, vec<float, W>(b)); } \
  template <int W>                                                                                     \
  CUBIE_FN vec<float, W> name##f(float a, const vec<float, W>& b) { return name(vec<float, W>(a), b); }
CUBIE_VEC_MINMAX(fmin)
CUBIE_VEC_MINMAX(fmax)
#undef CUBIE_VEC_MINMAX

// A mask of one element size as a mask of another (a float run's double times, say).
template <class To, class T, int W>
CUBIE_FN vec_mask<To, W> mask_cast(const vec_mask<T, W>& m) {
  return {__builtin_convertvector(m.m, typename vec_mask<To, W>::native)};
}
template <class T, int W>
CUBIE_FN bool any(const vec_mask<T, W>& m) {
  for (int l = 0; l < W; ++l) {
    if (m.m[l] != 0) return true;
  }
  return false;
}

// Lane masks as bits (bit l: lane l) and back, for the engine's per-lane
// bookkeeping, which does this several times a step: one instruction where
// the mask is one register (the sign bits of its lanes), else lane by lane.
template <class T, int W>
CUBIE_FN unsigned bits_of(const vec_mask<T, W>& m) {
  typedef typename vec_mask<T, W>::native N;
  constexpr bool wide = sizeof(m.m[0]) == 8;
#if defined(__AVX512DQ__)
  if constexpr (sizeof(N) == 64 && wide) return _mm512_movepi64_mask((__m512i)m.m);
  if constexpr (sizeof(N) == 64 && !wide) return _mm512_movepi32_mask((__m512i)m.m);
#endif
#if defined(__AVX__)
  if constexpr (sizeof(N) == 32 && wide) return static_cast<unsigned>(_mm256_movemask_pd((__m256d)m.m));
  if constexpr (sizeof(N) == 32 && !wide) return static_cast<unsigned>(_mm256_movemask_ps((__m256)m.m));
#endif
#if defined(__SSE2__)
  if constexpr (sizeof(N) == 16 && wide) return static_cast<unsigned>(_mm_movemask_pd((__m128d)m.m));
  if constexpr (sizeof(N) == 16 && !wide) return static_cast<unsigned>(_mm_movemask_ps((__m128)m.m));
#endif
  unsigned bits = 0;
  for (int l = 0; l < W; ++l) bits |= (m.m[l] != 0 ? 1u : 0u) << l;
  return bits;
}
template <class T, int W>
CUBIE_FN vec_mask<T, W> mask_from_bits(unsigned bits) {
  typedef typename vec_mask<T, W>::native N;
  typedef typename std::remove_reference<decltype(N{}[0])>::type E;
  N weights;  // lane l: 1 << l
  for (int l = 0; l < W; ++l) weights[l] = static_cast<E>(1) << l;
  return {((N{} + static_cast<E>(bits)) & weights) != 0};
}

}  // namespace simd

// What the generated text names: lanes_of<double> is `real`, wide_of<real> the
// type stage times are computed in (double, lane by lane), mask_of<real> a
// shared boolean subexpression.
template <class T> struct lanes_for { typedef simd::vec<T, simd::lane_bytes / static_cast<int>(sizeof(T))> type; };
template <class T> using lanes_of = typename lanes_for<T>::type;
template <class R> struct wide_for { typedef double type; };
template <class T, int W> struct wide_for<simd::vec<T, W>> { typedef simd::vec<double, W> type; };
template <class R> using wide_of = typename wide_for<R>::type;
template <class R> struct mask_for { typedef bool type; };
template <class T, int W> struct mask_for<simd::vec<T, W>> { typedef simd::vec_mask<T, W> type; };
template <class R> using mask_of = typename mask_for<R>::type;
template <class R> struct scalar_for { typedef R type; };
template <class T, int W> struct scalar_for<simd::vec<T, W>> { typedef T type; };
template <class R> using scalar_of = typename scalar_for<R>::type;

using simd::select;
using simd::wide;

// platform.h's any_lane and mask_as for vectors.
template <class T, int W>
CUBIE_FN bool any_lane(const simd::vec_mask<T, W>& m) { return simd::any(m); }
template <class R, class T, int W>
CUBIE_FN mask_of<R> mask_as(const simd::vec_mask<T, W>& m) { return simd::mask_cast<scalar_of<R>>(m); }

// The engine's scalar fmin and fmax (step bounds, the controller's clamp) in
// a lane build: glibc's exact results (x <= y ? x : y; of a NaN and a number,
// the number) as inline selects rather than a library call per use, which
// the per-lane bookkeeping of every step would otherwise pay. They hide
// ::fmin and ::fmax only inside namespace cubie, only in lane builds.
CUBIE_FN double fmin(double a, double b) { return (a <= b || b != b) ? a : b; }
CUBIE_FN float fmin(float a, float b) { return (a <= b || b != b) ? a : b; }
CUBIE_FN double fmax(double a, double b) { return (a >= b || b != b) ? a : b; }
CUBIE_FN float fmax(float a, float b) { return (a >= b || b != b) ? a : b; }

}  // namespace cubie
#include "cubie/lane_plain_math.h"
#endif
