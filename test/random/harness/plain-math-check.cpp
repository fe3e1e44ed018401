// Host harness for kernel/cubie/plain_math.h and lane_plain_math.h: prints what
// test/random/plain-math.test.ts checks.
//   exp PRECISION N    -> the largest error of exp_open over N arguments in its range, in ulps of long double exp
//   lanes PRECISION N  -> how many of N arguments give lane_log_open / lane_exp_open bits other than
//                         log_open / exp_open's (compiled with CUBIE_LANES: the lane build's vectors)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "cubie/random.h"  // and, with CUBIE_LANES, platform.h includes lanes.h

using namespace cubie;

// Arguments spread over [lowest, highest] by Philox uniforms, with small ones near 0 and the ends.
template <typename real>
static real argument(unsigned int i) {
  typedef fdlibm_exp<real> C;
  const philox4x32_words w = philox4x32(philox4x32_words{{i, 7u, 0u, 0u}}, philox_key_from_seed(91u));
  const double u = uniform_open_double(w.v[0], w.v[1]);
  if (i % 8 == 0) return static_cast<real>((u - 0.5) * std::ldexp(1.0, -static_cast<int>(i % 40)));
  if (i == 1) return C::lowest();
  if (i == 3) return C::highest();
  return static_cast<real>(static_cast<double>(C::lowest()) + u * static_cast<double>(C::highest() - C::lowest()));
}

template <typename real>
static double exp_error_ulps(unsigned int n) {
  double worst = 0.0;
  for (unsigned int i = 0; i < n; ++i) {
    const real x = argument<real>(i);
    const long double exact = expl(static_cast<long double>(x));
    const real rounded = static_cast<real>(exact);
    const double ulp = static_cast<double>(std::fabs(std::nextafter(rounded, real(0)) - rounded));
    worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(exp_open(x)) - exact)) / ulp);
  }
  return worst;
}

#ifdef CUBIE_LANES
template <typename real>
static unsigned int lane_mismatches(unsigned int n) {
  typedef lanes_of<real> V;
  constexpr int W = V::width;
  unsigned int mismatches = 0;
  for (unsigned int i = 0; i + W <= n; i += W) {
    V x, positive;
    for (int l = 0; l < W; ++l) {
      x.set(l, argument<real>(i + static_cast<unsigned int>(l)));
      positive.set(l, exp_open(argument<real>(i + static_cast<unsigned int>(l))));
    }
    const V e = simd::exp_open(x), g = simd::log_open(positive);
    for (int l = 0; l < W; ++l) {
      if (e[l] != exp_open(x[l])) ++mismatches;
      if (g[l] != log_open(positive[l])) ++mismatches;
    }
  }
  return mismatches;
}
#endif

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  const unsigned int n = static_cast<unsigned int>(std::strtoul(argv[3], nullptr, 10));
  const bool single = std::strcmp(argv[2], "float32") == 0;
  if (std::strcmp(argv[1], "exp") == 0) {
    std::printf("max_ulps %.17g\n", single ? exp_error_ulps<float>(n) : exp_error_ulps<double>(n));
    return 0;
  }
#ifdef CUBIE_LANES
  if (std::strcmp(argv[1], "lanes") == 0) {
    const int width = single ? lanes_of<float>::width : lanes_of<double>::width;
    std::printf("mismatches %u width %d\n", single ? lane_mismatches<float>(n) : lane_mismatches<double>(n), width);
    return 0;
  }
#endif
  return 2;
}
