// Host harness for kernel/cubie/random.h: prints what test/random/philox.test.ts checks.
//   kat R c0 c1 c2 c3 k0 k1     -> the four output words (hex)
//   normals PRECISION N         -> mean, variance, Kolmogorov-Smirnov D (and D of 1.01 z, to show the test's power)
//   edges                       -> the uniform and normal values at the extreme words
//   sincos PRECISION N          -> the largest |error| of sincos_two_pi over N uniforms and the grid points k/8,
//                                  against long double sinl/cosl
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "cubie/random.h"

using namespace cubie;

static unsigned int hex(const char* s) { return static_cast<unsigned int>(std::strtoul(s, nullptr, 16)); }

static void print_words(const philox4x32_words& w) {
  std::printf("%08x %08x %08x %08x\n", w.v[0], w.v[1], w.v[2], w.v[3]);
}

// sup |F_n(x) - Phi(x)| over the sorted sample.
static double ks_statistic(std::vector<double> z) {
  std::sort(z.begin(), z.end());
  const double n = static_cast<double>(z.size());
  double d = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double phi = 0.5 * std::erfc(-z[i] / std::sqrt(2.0));
    d = std::max(d, std::max(static_cast<double>(i + 1) / n - phi, phi - static_cast<double>(i) / n));
  }
  return d;
}

template <typename real>
static std::vector<double> normals(std::size_t n) {
  std::vector<double> z;
  z.reserve(n);
  const philox4x32_key key = philox_key_from_seed(0x0123456789abcdefull);
  for (unsigned int block = 0; z.size() < n; ++block) {
    const philox4x32_words counter = {{block, 0u, 0u, 0u}};
    real out[philox_normals<real>::count];
    philox_normals<real>::from(philox4x32(counter, key), out);
    for (int i = 0; i < philox_normals<real>::count && z.size() < n; ++i) z.push_back(static_cast<double>(out[i]));
  }
  return z;
}

static void report(const std::vector<double>& z) {
  double mean = 0.0;
  for (double v : z) mean += v;
  mean /= static_cast<double>(z.size());
  double var = 0.0;
  for (double v : z) var += (v - mean) * (v - mean);
  var /= static_cast<double>(z.size() - 1);
  bool finite = true;
  for (double v : z) finite = finite && std::isfinite(v);
  std::vector<double> wide(z);
  for (double& v : wide) v *= 1.01;
  std::printf("n %zu mean %.17g var %.17g ks %.17g ks_wide %.17g finite %d\n", z.size(), mean, var, ks_statistic(z), ks_statistic(wide), finite ? 1 : 0);
}

template <typename real>
static double sincos_error(unsigned int n) {
  const philox4x32_key key = philox_key_from_seed(77u);
  double worst = 0.0;
  auto check = [&](real u) {
    real s, c;
    sincos_two_pi(u, s, c);
    const long double angle = 6.283185307179586476925286766559L * static_cast<long double>(u);
    worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(s) - sinl(angle))));
    worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(c) - cosl(angle))));
  };
  for (unsigned int i = 0; i < n; ++i) {
    const philox4x32_words w = philox4x32(philox4x32_words{{i, 1u, 0u, 0u}}, key);
    check(sizeof(real) == 4 ? static_cast<real>(uniform_open_float(w.v[0])) : static_cast<real>(uniform_open_double(w.v[0], w.v[1])));
  }
  for (int k = 0; k <= 8; ++k) check(static_cast<real>(k) / real(8));
  return worst;
}

// log_open against long double log, in ulps of the result, over the uniforms and far smaller ones.
template <typename real>
static double log_error_ulps(unsigned int n) {
  const philox4x32_key key = philox_key_from_seed(78u);
  double worst = 0.0;
  for (unsigned int i = 0; i < n; ++i) {
    const philox4x32_words w = philox4x32(philox4x32_words{{i, 2u, 0u, 0u}}, key);
    real u = sizeof(real) == 4 ? static_cast<real>(uniform_open_float(w.v[0])) : static_cast<real>(uniform_open_double(w.v[0], w.v[1]));
    if (i % 4 == 0) u = std::ldexp(u, -static_cast<int>(i % 60));
    const long double exact = logl(static_cast<long double>(u));
    const real rounded = static_cast<real>(exact);
    const double ulp = static_cast<double>(std::fabs(std::nextafter(rounded, real(0)) - rounded));
    worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(log_open(u)) - exact)) / ulp);
  }
  return worst;
}

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "log") == 0) {
    const unsigned int n = static_cast<unsigned int>(std::strtoul(argv[3], nullptr, 10));
    std::printf("max_ulps %.17g\n", std::strcmp(argv[2], "float32") == 0 ? log_error_ulps<float>(n) : log_error_ulps<double>(n));
    return 0;
  }
  if (argc >= 9 && std::strcmp(argv[1], "kat") == 0) {
    const philox4x32_words c = {{hex(argv[3]), hex(argv[4]), hex(argv[5]), hex(argv[6])}};
    const philox4x32_key k = {{hex(argv[7]), hex(argv[8])}};
    const int rounds = std::atoi(argv[2]);
    if (rounds == 10) print_words(philox4x32(c, k));
    else if (rounds == 7) print_words(philox4x32_r<7>(c, k));
    else return 2;
    return 0;
  }
  if (argc >= 4 && std::strcmp(argv[1], "normals") == 0) {
    const std::size_t n = static_cast<std::size_t>(std::strtoull(argv[3], nullptr, 10));
    report(std::strcmp(argv[2], "float32") == 0 ? normals<float>(n) : normals<double>(n));
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "edges") == 0) {
    std::printf("float %.17g %.17g\n", static_cast<double>(uniform_open_float(0u)), static_cast<double>(uniform_open_float(0xffffffffu)));
    std::printf("double %.17g %.17g\n", uniform_open_double(0u, 0u), uniform_open_double(0xffffffffu, 0xffffffffu));
    float zf[4];
    philox_normals<float>::from(philox4x32_words{{0u, 0u, 0u, 0u}}, zf);
    double zd[2];
    philox_normals<double>::from(philox4x32_words{{0u, 0u, 0u, 0u}}, zd);
    std::printf("zero-words %.9g %.17g\n", static_cast<double>(zf[0]), zd[0]);
    return 0;
  }
  if (argc >= 4 && std::strcmp(argv[1], "sincos") == 0) {
    const unsigned int n = static_cast<unsigned int>(std::strtoul(argv[3], nullptr, 10));
    std::printf("max_error %.17g\n", std::strcmp(argv[2], "float32") == 0 ? sincos_error<float>(n) : sincos_error<double>(n));
    return 0;
  }
  std::fprintf(stderr, "usage: kat R c0 c1 c2 c3 k0 k1 | normals float32|float64 N | edges | sincos float32|float64 N\n");
  return 2;
}
