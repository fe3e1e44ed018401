// Boost.Odeint baseline for cubie's CPU-lanes benchmark (bench/cpu-lanes.js):
// the Lorenz ensemble integrated with Boost's runge_kutta_dopri5 under its
// controlled stepper (integrate_adaptive), one run after another, as a C++
// user of Boost would write it. Built by the bench with -O3 -march=native.
//
//   Run: lorenz_boost_dopri5 PRECISION N REPS OUT|- THREADS TOL
//     PRECISION  float64 | float32 (the state and time type)
//     N          runs; run i has rho = 21 * i / (N - 1), sigma = 10, beta = 8/3,
//                x = y = z = 1, t in [0, 1]
//     REPS       timed passes over the whole batch
//     OUT        '-' or a file: double x[N], y[N], z[N] (final states), int32 steps[N]
//     THREADS    std::threads taking chunks of 256 runs from a shared counter
//     TOL        absolute and relative tolerance
//   Prints one line of JSON: {"seconds": [per rep], "steps" (total), "checksum"}
#include <array>
#include <atomic>
#include <boost/numeric/odeint.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace odeint = boost::numeric::odeint;

template <class T>
struct Run {
  double x, y, z;
  int steps;
};

template <class T>
Run<T> integrate_one(T rho, T tol) {
  typedef std::array<T, 3> State;
  const T sigma = T(10), beta = T(8) / T(3);
  auto lorenz = [&](const State& u, State& du, T) {
    du[0] = sigma * (u[1] - u[0]);
    du[1] = u[0] * (rho - u[2]) - u[1];
    du[2] = u[0] * u[1] - beta * u[2];
  };
  State u = {T(1), T(1), T(1)};
  auto stepper = odeint::make_controlled(tol, tol, odeint::runge_kutta_dopri5<State, T>());
  const int steps = static_cast<int>(odeint::integrate_adaptive(stepper, lorenz, u, T(0), T(1), T(1e-3)));
  return {double(u[0]), double(u[1]), double(u[2]), steps};
}

template <class T>
int run(int argc, char** argv) {
  const long n = std::atol(argv[2]);
  const int reps = std::atoi(argv[3]);
  const char* out = argv[4];
  const int threads = std::atoi(argv[5]);
  const T tol = static_cast<T>(std::atof(argv[6]));
  std::vector<Run<T>> results(n);
  std::vector<double> seconds;
  for (int rep = 0; rep < reps; ++rep) {
    std::atomic<long> next(0);
    auto work = [&]() {
      for (;;) {
        const long begin = next.fetch_add(256);
        if (begin >= n) return;
        const long end = begin + 256 < n ? begin + 256 : n;
        for (long i = begin; i < end; ++i) results[i] = integrate_one<T>(T(21.0 * double(i) / double(n - 1)), tol);
      }
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int k = 1; k < threads; ++k) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  long steps = 0;
  double checksum = 0;
  for (const auto& r : results) {
    steps += r.steps;
    checksum += r.x + r.y + r.z;
  }
  if (std::strcmp(out, "-") != 0) {
    FILE* f = std::fopen(out, "wb");
    if (f == nullptr) return 2;
    for (int v = 0; v < 3; ++v) {
      for (const auto& r : results) {
        const double value = v == 0 ? r.x : v == 1 ? r.y : r.z;
        std::fwrite(&value, sizeof value, 1, f);
      }
    }
    for (const auto& r : results) std::fwrite(&r.steps, sizeof r.steps, 1, f);
    std::fclose(f);
  }
  std::printf("{\"seconds\": [");
  for (size_t k = 0; k < seconds.size(); ++k) std::printf("%s%.9f", k ? ", " : "", seconds[k]);
  std::printf("], \"steps\": %ld, \"checksum\": %.17g}\n", steps, checksum);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: lorenz_boost_dopri5 float64|float32 N REPS OUT|- THREADS TOL\n");
    return 1;
  }
  const std::string precision = argv[1];
  if (precision == "float64") return run<double>(argc, argv);
  if (precision == "float32") return run<float>(argc, argv);
  std::fprintf(stderr, "precision: float64 or float32\n");
  return 1;
}
