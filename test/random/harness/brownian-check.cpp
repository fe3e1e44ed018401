// Host harness for kernel/cubie/brownian.h: prints what test/random/brownian.test.ts checks.
//   partitions PRECISION  -> W(t_end) directly and as sums of increments over three different partitions
//   moments PRECISION N   -> sample moments over N runs (mean, variance, covariances, correlations)
//   stack PRECISION       -> W(t) through a brownian_stack against fresh descents, bit for bit, over query orders
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "cubie/brownian.h"

using namespace cubie;

static const unsigned long long SEED = 0x5eed5eed12345678ull;

// Step sizes for the partitions come from Philox too (another key), so they are irregular but reproducible.
static double uniform_step(unsigned int i) {
  const philox4x32_words w = philox4x32(philox4x32_words{{i, 0u, 0u, 0u}}, philox_key_from_seed(99u));
  return uniform_open_double(w.v[0], w.v[1]);
}

template <typename real>
static int partitions() {
  const real t0 = real(0.3), duration = real(1.7), t_end = t0 + duration;
  const brownian_tree<real> tree = brownian_tree<real>::make(SEED, 7u, t0, duration, real(1e-5));
  const real direct = tree.at(t_end, 1u) - tree.at(t0, 1u);

  // 1. 1000 equal steps.
  double uniform = 0.0;
  const int n = 1000;
  real t = t0;
  for (int i = 1; i <= n; ++i) {
    const real next = i == n ? t_end : t0 + duration * static_cast<real>(i) / static_cast<real>(n);
    real dW[2];
    tree.template increment<2>(t, next, dW);
    uniform += static_cast<double>(dW[1]);
    t = next;
  }
  // 2. Irregular steps.
  double irregular = 0.0;
  t = t0;
  for (unsigned int i = 0; t < t_end; ++i) {
    real next = t + static_cast<real>(uniform_step(i) * 0.01);
    if (next > t_end) next = t_end;
    irregular += static_cast<double>(tree.at(next, 1u) - tree.at(t, 1u));
    t = next;
  }
  // 3. An adaptive-looking sequence: each attempt is rejected with probability 1/3 and retried
  //    with half the step; only accepted increments count, and each was computed after its
  //    rejected attempts had already asked the tree about other times.
  double adaptive = 0.0;
  t = t0;
  real h = real(0.05);
  int rejected = 0;
  for (unsigned int i = 0; t < t_end; ++i) {
    real next = t + h > t_end ? t_end : t + h;
    const real attempt = tree.at(next, 1u) - tree.at(t, 1u);
    if (uniform_step(100000u + i) < 1.0 / 3.0) {
      ++rejected;
      h *= real(0.5);
      continue;
    }
    adaptive += static_cast<double>(attempt);
    t = next;
    // Grow faster than rejections shrink (2/3 ln 2 > 1/3 ln 2), capped, so the walk ends.
    h = h * real(2) > real(0.1) ? real(0.1) : h * real(2);
  }
  // 4. The path is a function of t alone: the same times asked forwards and backwards agree bit for bit.
  const int m = 257;
  std::vector<real> forward(m), backward(m);
  for (int i = 0; i < m; ++i) forward[static_cast<std::size_t>(i)] = tree.at(t0 + duration * static_cast<real>(i) / real(m - 1), 0u);
  for (int i = m - 1; i >= 0; --i) backward[static_cast<std::size_t>(i)] = tree.at(t0 + duration * static_cast<real>(i) / real(m - 1), 0u);
  const int identical = std::memcmp(forward.data(), backward.data(), sizeof(real) * static_cast<std::size_t>(m)) == 0 ? 1 : 0;
  // 5. A decimal grid built by repeated additions (a hair off the exact points) reads the
  //    same W as the grid's points computed directly: both snap to the tree's points. Time is
  //    summed in double, as the engine keeps it (float kernels in two floats), then rounded to real.
  int snapped_differ = 0;
  {
    double added = static_cast<double>(t0);
    const double step = static_cast<double>(duration) / 1000.0;
    for (int i = 1; i <= 1000; ++i) {
      added += step;
      const real direct_point = t0 + duration * static_cast<real>(i) / real(1000);
      if (tree.at(static_cast<real>(added), 0u) != tree.at(direct_point, 0u)) ++snapped_differ;
    }
  }
  // And a tree with another seed, run or process is another path.
  const brownian_tree<real> other_seed = brownian_tree<real>::make(SEED + 1u, 7u, t0, duration, real(1e-5));
  const brownian_tree<real> other_run = brownian_tree<real>::make(SEED, 8u, t0, duration, real(1e-5));
  std::printf("direct %.17g uniform %.17g irregular %.17g adaptive %.17g rejected %d identical %d other_seed %.17g other_run %.17g other_process %.17g decades %d snapped_differ %d\n",
              static_cast<double>(direct), uniform, irregular, adaptive, rejected, identical,
              static_cast<double>(other_seed.at(t_end, 1u)), static_cast<double>(other_run.at(t_end, 1u)),
              static_cast<double>(tree.at(t_end, 0u) - tree.at(t0, 0u)), tree.decades, snapped_differ);
  return 0;
}

struct Moments {
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  void add(double x, double y) { n += 1; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y; }
  double mean_x() const { return sx / n; }
  double var_x() const { return (sxx - sx * sx / n) / (n - 1); }
  double var_y() const { return (syy - sy * sy / n) / (n - 1); }
  double cov() const { return (sxy - sx * sy / n) / (n - 1); }
  double corr() const { return cov() / std::sqrt(var_x() * var_y()); }
};

template <typename real>
static int moments(unsigned int runs) {
  // t0 = 2, T = 4: W(6) has variance 4, Cov(W(3.2), W(4.8)) = 1.2.
  const real t0 = real(2), duration = real(4), a = real(3.2), b = real(4.8), mid = real(4), t_end = real(6);
  Moments end_vs_process, ab, run_pair, seed_pair, increments, grid_steps, off_grid;
  for (unsigned int r = 0; r < runs; ++r) {
    const brownian_tree<real> tree = brownian_tree<real>::make(SEED, r, t0, duration, real(1e-5));
    const brownian_tree<real> next_run = brownian_tree<real>::make(SEED, r + runs, t0, duration, real(1e-5));
    const brownian_tree<real> next_seed = brownian_tree<real>::make(SEED ^ 0xffffull, r, t0, duration, real(1e-5));
    const double w_end = static_cast<double>(tree.at(t_end, 0u));
    end_vs_process.add(w_end, static_cast<double>(tree.at(t_end, 1u)));
    ab.add(static_cast<double>(tree.at(a, 0u)), static_cast<double>(tree.at(b, 0u)));
    run_pair.add(w_end, static_cast<double>(next_run.at(t_end, 0u)));
    seed_pair.add(w_end, static_cast<double>(next_seed.at(t_end, 0u)));
    const double w_mid = static_cast<double>(tree.at(mid, 0u));
    increments.add(w_mid, w_end - w_mid);
    // Deeper decades: two neighbouring steps on the 10^-3 grid (tau 0.120, 0.123, 0.126: splits
    // of decade 2), and a step between times off the grid (leaf interpolation at decade 6).
    const auto at = [&](double tau) -> real { return tree.at(t0 + duration * static_cast<real>(tau), 0u); };
    const double g0 = static_cast<double>(at(0.120)), g1 = static_cast<double>(at(0.123)), g2 = static_cast<double>(at(0.126));
    grid_steps.add(g1 - g0, g2 - g1);
    off_grid.add(static_cast<double>(at(0.1234567)) - static_cast<double>(at(0.1234)), 0.0);
  }
  std::printf("mean %.17g var %.17g var_a %.17g cov_ab %.17g corr_process %.17g corr_run %.17g corr_seed %.17g corr_increments %.17g "
              "var_grid %.17g corr_grid %.17g var_off_grid %.17g\n",
              end_vs_process.mean_x(), end_vs_process.var_x(), ab.var_x(), ab.cov(), end_vs_process.corr(),
              run_pair.corr(), seed_pair.corr(), increments.corr(), grid_steps.var_x(), grid_steps.corr(), off_grid.var_x());
  return 0;
}

// Query orders that exercise the stack: a fine grid forwards, a dyadic grid (tree points), the
// same times again, adaptive-looking steps with rejections and midpoints, and random times.
template <typename real>
static int stack_check() {
  const real t0 = real(0.3), duration = real(1.7);
  int compared = 0, differ = 0, deep = 0;
  // 1e-5: a tree the stack holds whole; 0: the deepest tree, past brownian_stack_decades in float64
  // (and past the small stack, which keeps 3 decades, in both precisions).
  for (const real tolerance : {real(1e-5), real(0)}) {
    const brownian_tree<real> tree = brownian_tree<real>::make(SEED, 3u, t0, duration, tolerance);
    if (tree.decades > 3) deep = 1;
    brownian_stack<real, brownian_stack_decades> stack;
    brownian_stack<real, 3> small;
    auto check = [&](real t, unsigned int process) {
      const real cached = tree.at(t, process, stack);
      const real kept = tree.at(t, process, small);
      const real fresh = tree.at(t, process);
      compared += 2;
      if (std::memcmp(&cached, &fresh, sizeof(real)) != 0) ++differ;
      if (std::memcmp(&kept, &fresh, sizeof(real)) != 0) ++differ;
    };
    for (int i = 0; i <= 1000; ++i) check(t0 + duration * static_cast<real>(i) / real(1000), 0u);
    {
      real grid = t0;
      for (int i = 0; i < 2000; ++i) check(grid += duration / real(2000), 0u);
    }
    for (int i = 0; i <= 512; ++i) check(t0 + duration * static_cast<real>(i) / real(512), 0u);
    for (int i = 512; i >= 0; --i) check(t0 + duration * static_cast<real>(i) / real(512), 0u);
    for (int i = 0; i <= 512; ++i) {
      check(t0 + duration * static_cast<real>(i) / real(512), 0u);
      check(t0 + duration * static_cast<real>(i) / real(512), 0u);
    }
    real t = t0, h = real(0.01);
    for (unsigned int i = 0; t < t0 + duration && i < 5000u; ++i) {
      const real next = t + h;
      check(next, 0u);
      check(t + real(0.5) * h, 0u);
      if (uniform_step(200000u + i) < 1.0 / 3.0) {
        h *= real(0.5);
        continue;
      }
      t = next;
      h = h * real(1.5) > real(0.05) ? real(0.05) : h * real(1.5);
    }
    for (unsigned int i = 0; i < 3000u; ++i) check(t0 + duration * static_cast<real>(uniform_step(300000u + i)), 0u);
    // Outside the span (clamped) and its ends.
    check(t0 - real(1), 0u);
    check(t0, 0u);
    check(t0 + duration, 0u);
    check(t0 + duration * real(2), 0u);
  }
  std::printf("compared %d differ %d deep %d\n", compared, differ, deep);
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "partitions") == 0) {
    return std::strcmp(argv[2], "float32") == 0 ? partitions<float>() : partitions<double>();
  }
  if (argc >= 4 && std::strcmp(argv[1], "moments") == 0) {
    const unsigned int runs = static_cast<unsigned int>(std::strtoul(argv[3], nullptr, 10));
    return std::strcmp(argv[2], "float32") == 0 ? moments<float>(runs) : moments<double>(runs);
  }
  if (argc >= 3 && std::strcmp(argv[1], "stack") == 0) {
    return std::strcmp(argv[2], "float32") == 0 ? stack_check<float>() : stack_check<double>();
  }
  std::fprintf(stderr, "usage: partitions float32|float64 | moments float32|float64 N | stack float32|float64\n");
  return 2;
}
