// Hand-written baseline for cubie's benchmark (bench/lorenz-cpu.js): the Lorenz
// ensemble integrated with Tsitouras 5(4) ("tsit5") in plain C++, one run
// after another on one thread. It is the limit cubie's CPU backend should
// approach: no generated code, no runtime arguments, no output layout, just
// the method and the step-size controller written out by hand.
//
// It holds its own copy of the method's coefficients and mirrors cubie's
// controller (kernel/cubie/engine.h, controllers.h, norm.h) so that both
// take the same steps; the bench checks this by comparing per-run accepted /
// rejected step counts and final states. The controller's powers of the
// error are cubie's own log and exp in plain arithmetic (plain_math.h, the
// one header taken from the kernel library), as cubie's controllers compute
// them: the C library's pow would leave step sizes a few ulps apart.
//
//   Build: c++ -O3 -std=c++17 -I kernel lorenz_tsit5.cpp -o lorenz_tsit5
//   Run:   lorenz_tsit5 N [REPS] [OUT.bin|-] [THREADS]
//     N       runs; run i has rho = 21 * i / (N - 1) (linspace(0, 21, N)),
//             sigma = 10, beta = 8/3, x = y = z = 1, t in [0, 1]
//     REPS    times to integrate the whole batch (default 3); each is timed
//     OUT     optional ('-' for none): writes per-run results, little-endian:
//             double x[N], y[N], z[N] (final states), int32 accepted[N], rejected[N], status[N]
//     THREADS default 1, the baseline proper. More: std::threads take chunks of
//             256 runs from a shared counter (work grows with rho, so halves
//             would be unbalanced); the bench uses it to show what speed-up the
//             machine itself allows.
//   Prints one line of JSON: {"n", "reps", "threads", "seconds": [per rep], "best_s",
//   "checksum" (sum of all final states), "accepted", "rejected" (totals), "failed"}
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "cubie/plain_math.h"

namespace {

// controllers.h's log_error: log max(err, 1e-10).
double log_error(double err) { return cubie::log_open(std::fmax(err, 1e-10)); }

// Tsitouras, "Runge-Kutta pairs of order 5(4) satisfying only the first column
// simplifying assumption", Comput. Math. Appl. 62 (2011) 770-775; decimals as
// in OrdinaryDiffEq.jl (Tsit5ConstantCacheActual). The compiler rounds each
// literal to the nearest double.
constexpr double a21 = 0.161;
constexpr double a31 = -0.8480655492356988544426874250230774675121177393430391537369234245294192976164141156943e-2;
constexpr double a32 = 0.3354806554923569885444268742502307746751211773934303915373692342452941929761641411569;
constexpr double a41 = 2.897153057105493432130432594192938764924887287701866490314866693455023795137503079289;
constexpr double a42 = -6.359448489975074843148159912383825625952700647415626703305928850207288721235210244366;
constexpr double a43 = 4.362295432869581411017727318190886861027813359713760212991062156752264926097707165077;
constexpr double a51 = 5.325864828439256604428877920840511317836476253097040101202360397727981648835607691791;
constexpr double a52 = -11.74888356406282787774717033978577296188744178259862899288666928009020615663593781589;
constexpr double a53 = 7.495539342889836208304604784564358155658679161518186721010132816213648793440552049753;
constexpr double a54 = -0.9249506636175524925650207933207191611349983406029535244034750452930469056411389539635e-1;
constexpr double a61 = 5.861455442946420028659251486982647890394337666164814434818157239052507339770711679748;
constexpr double a62 = -12.92096931784710929170611868178335939541780751955743459166312250439928519268343184452;
constexpr double a63 = 8.159367898576158643180400794539253485181918321135053305748355423955009222648673734986;
constexpr double a64 = -0.7158497328140099722453054252582973869127213147363544882721139659546372402303777878835e-1;
constexpr double a65 = -0.2826905039406838290900305721271224146717633626879770007617876201276764571291579142206e-1;
// b (the fifth-order solution; also the last row of A: the method is FSAL)
constexpr double b1 = 0.9646076681806522951816731316512876333711995238157997181903319145764851595234062815396e-1;
constexpr double b2 = 0.01;
constexpr double b3 = 0.4798896504144995747752495322905965199130404621990332488332634944254542060153074523509;
constexpr double b4 = 1.379008574103741893192274821856872770756462643091360525934940067397245698027561293331;
constexpr double b5 = -3.290069515436080679901047585711363850115683290894936158531296799594813811049925401677;
constexpr double b6 = 2.324710524099773982415355918398765796109060233222962411944060046314465391054716027841;
// e = b - bHat (bHat the embedded fourth-order solution), the differences taken exactly
constexpr double e1 = 0.00178001105222577144337855060753953477594467880433365955763745;
constexpr double e2 = 0.000816434459656746903223636063354686240186253759015904761094060;
constexpr double e3 = -0.00788087801026199601031472767252630423862873377710312860325813;
constexpr double e4 = 0.144711007173262907537165147972635116720922712343167677619514;
constexpr double e5 = -0.582357165452555225019937610652042179426078123956738779767305;
constexpr double e6 = 0.458082105929186946661636518832554297442804727978839817947468;
constexpr double e7 = -1.0 / 66.0;

constexpr int order = 5;          // of the solution: the initial-step exponent is 1/(order + 1)
constexpr int error_order = 4;    // of the estimate: the controller exponent is 1/(error_order + 1)

// The problem and the controller (cubie's defaults for an embedded pair).
constexpr double sigma = 10.0, beta = 8.0 / 3.0;
constexpr double t0 = 0.0, t1 = 1.0;
constexpr double atol = 1e-8, rtol = 1e-8;
constexpr double safety = 0.9, kp = 0.7, ki = -0.4, min_gain = 0.3, max_gain = 2.0;
constexpr double dt_min = 1e-6, dt_max = 1.0;
constexpr long long max_steps = 1000000;

inline void lorenz(const double* y, double rho, double* dy) {
  dy[0] = sigma * (y[1] - y[0]);
  dy[1] = y[0] * (rho - y[2]) - y[1];
  dy[2] = y[0] * y[1] - beta * y[2];
}

inline double scale_of(double a, double b) { return atol + rtol * std::fmax(std::fabs(a), std::fabs(b)); }

// One tsit5 step from y (f0 = f(y)); writes y_new and f1 = f(y_new); returns the
// RMS over states of err_i / (atol + rtol * max(|y_i|, |y_new_i|)).
inline double step(double rho, double h, const double* y, const double* f0, double* y_new, double* f1) {
  double ys[3], k2[3], k3[3], k4[3], k5[3], k6[3];
  for (int i = 0; i < 3; ++i) ys[i] = y[i] + h * a21 * f0[i];
  lorenz(ys, rho, k2);
  for (int i = 0; i < 3; ++i) ys[i] = y[i] + h * (a31 * f0[i] + a32 * k2[i]);
  lorenz(ys, rho, k3);
  for (int i = 0; i < 3; ++i) ys[i] = y[i] + h * (a41 * f0[i] + a42 * k2[i] + a43 * k3[i]);
  lorenz(ys, rho, k4);
  for (int i = 0; i < 3; ++i) ys[i] = y[i] + h * (a51 * f0[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
  lorenz(ys, rho, k5);
  for (int i = 0; i < 3; ++i) ys[i] = y[i] + h * (a61 * f0[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
  lorenz(ys, rho, k6);
  for (int i = 0; i < 3; ++i)
    y_new[i] = y[i] + h * (b1 * f0[i] + b2 * k2[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
  lorenz(y_new, rho, f1);
  double sum = 0.0;
  for (int i = 0; i < 3; ++i) {
    double err = h * (e1 * f0[i] + e2 * k2[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * f1[i]);
    double r = err / scale_of(y[i], y_new[i]);
    sum += r * r;
  }
  return std::sqrt(sum / 3.0);
}

// Hairer, Norsett & Wanner's starting step (Solving ODEs I, II.4).
inline double initial_step(double rho, const double* y, const double* f0) {
  double d0 = 0.0, d1 = 0.0;
  for (int i = 0; i < 3; ++i) {
    double sc = atol + rtol * std::fabs(y[i]);
    d0 += (y[i] / sc) * (y[i] / sc);
    d1 += (f0[i] / sc) * (f0[i] / sc);
  }
  d0 = std::sqrt(d0 / 3.0);
  d1 = std::sqrt(d1 / 3.0);
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = std::fmin(h0, dt_max);
  double y1[3], f1[3];
  for (int i = 0; i < 3; ++i) y1[i] = y[i] + h0 * f0[i];
  lorenz(y1, rho, f1);
  double d2 = 0.0;
  for (int i = 0; i < 3; ++i) {
    double sc = atol + rtol * std::fabs(y[i]);
    double r = (f1[i] - f0[i]) / sc;
    d2 += r * r;
  }
  d2 = std::sqrt(d2 / 3.0) / h0;
  double dmax = std::fmax(d1, d2);
  double h1 = dmax <= 1e-15 ? std::fmax(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / (order + 1));
  double h = std::fmin(100.0 * h0, h1);
  if (!(h == h)) h = dt_min;
  return std::fmin(dt_max, std::fmax(dt_min, h));
}

struct RunResult {
  int accepted = 0, rejected = 0, status = 0;  // status: 0 ok, 1 dt underflow, 2 max steps, 4 not finite
};

inline bool finite3(const double* y) {
  return y[0] - y[0] == 0.0 && y[1] - y[1] == 0.0 && y[2] - y[2] == 0.0;
}

// One trajectory from t0 to t1; y holds the initial state and receives the final one.
RunResult integrate(double rho, double* y) {
  constexpr double inv_k = 1.0 / (error_order + 1);
  RunResult r;
  double f0[3], f1[3], y_new[3];
  lorenz(y, rho, f0);
  double dt = initial_step(rho, y, f0);
  double log_err_prev = 1.0;  // log max(err, 1e-4) of the last accepted step; > 0: none yet
  double t = t0;
  for (;;) {
    const double remaining = t1 - t;
    if (remaining <= 1e-12 * std::fmax(1.0, std::fabs(t1))) break;
    if (r.accepted + r.rejected >= max_steps) {
      r.status = 2;
      break;
    }
    // The last step is shortened to land on t1; the controller's proposal survives it.
    const bool shortened = dt >= remaining;
    const double h = shortened ? remaining : dt;
    const double err = step(rho, h, y, f0, y_new, f1);
    if (!(err <= 1.0)) {  // reject (NaN included)
      ++r.rejected;
      if (h <= dt_min) {
        r.status = 1;
        break;
      }
      double gain = (!(err == err) || err > 1e30)
                        ? min_gain
                        : std::fmin(max_gain, std::fmax(min_gain, std::fmin(1.0, safety * cubie::exp_open(-inv_k * log_error(err)))));
      dt = std::fmax(dt_min, h * gain);
      continue;
    }
    ++r.accepted;
    t = shortened ? t1 : t + h;
    for (int i = 0; i < 3; ++i) y[i] = y_new[i];
    if (!finite3(y)) {
      r.status = 4;
      break;
    }
    for (int i = 0; i < 3; ++i) f0[i] = f1[i];  // FSAL
    // PI controller (Soderlind): safety * e_n^(-kp/k) * e_{n-1}^(-ki/k), e_{n-1} = e_n on the first step,
    // as exp of a sum of logs (controllers.h).
    const double log_e = log_error(err);
    const double log_e1 = log_err_prev > 0.0 ? log_e : log_err_prev;
    double factor = safety * cubie::exp_open((-kp * inv_k) * log_e + (-ki * inv_k) * log_e1);
    factor = std::fmin(max_gain, std::fmax(min_gain, factor));
    log_err_prev = std::fmax(log_e, cubie::log_open(1e-4));
    double proposal = h * factor;
    if (shortened) proposal = std::fmax(proposal, dt);
    dt = std::fmin(dt_max, std::fmax(dt_min, proposal));
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s N [REPS] [OUT.bin|-] [THREADS]\n", argv[0]);
    return 2;
  }
  const long long n = std::atoll(argv[1]);
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  const char* out_path = argc > 3 && std::strcmp(argv[3], "-") != 0 ? argv[3] : nullptr;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 1;
  if (n < 2 || reps < 1 || threads < 1) {
    std::fprintf(stderr, "N must be >= 2, REPS >= 1 and THREADS >= 1\n");
    return 2;
  }
  std::vector<double> rho(n), x(n), y(n), z(n);
  std::vector<int32_t> accepted(n), rejected(n), status(n);
  for (long long i = 0; i < n; ++i) rho[i] = 21.0 * static_cast<double>(i) / static_cast<double>(n - 1);

  // The loop the baseline times: each run from its initial state, results stored.
  auto run_range = [&](long long begin, long long end) {
    for (long long i = begin; i < end; ++i) {
      double s[3] = {1.0, 1.0, 1.0};
      RunResult r = integrate(rho[i], s);
      x[i] = s[0];
      y[i] = s[1];
      z[i] = s[2];
      accepted[i] = r.accepted;
      rejected[i] = r.rejected;
      status[i] = r.status;
    }
  };

  std::vector<double> seconds;
  for (int rep = 0; rep < reps; ++rep) {
    auto start = std::chrono::steady_clock::now();
    if (threads == 1) {
      run_range(0, n);
    } else {
      std::atomic<long long> next(0);
      auto worker = [&]() {
        for (;;) {
          long long begin = next.fetch_add(256);
          if (begin >= n) break;
          run_range(begin, begin + 256 < n ? begin + 256 : n);
        }
      };
      std::vector<std::thread> pool;
      for (int k = 0; k < threads; ++k) pool.emplace_back(worker);
      for (auto& th : pool) th.join();
    }
    auto stop = std::chrono::steady_clock::now();
    seconds.push_back(std::chrono::duration<double>(stop - start).count());
  }

  double checksum = 0.0, best = seconds[0];
  long long total_accepted = 0, total_rejected = 0, failed = 0;
  for (long long i = 0; i < n; ++i) {
    checksum += x[i] + y[i] + z[i];
    total_accepted += accepted[i];
    total_rejected += rejected[i];
    failed += status[i] != 0;
  }
  std::printf("{\"n\": %lld, \"reps\": %d, \"threads\": %d, \"seconds\": [", n, reps, threads);
  for (int rep = 0; rep < reps; ++rep) {
    std::printf("%s%.9g", rep ? ", " : "", seconds[rep]);
    if (seconds[rep] < best) best = seconds[rep];
  }
  std::printf("], \"best_s\": %.9g, \"checksum\": %.17g, \"accepted\": %lld, \"rejected\": %lld, \"failed\": %lld}\n", best,
              checksum, total_accepted, total_rejected, failed);

  if (out_path != nullptr) {
    FILE* f = std::fopen(out_path, "wb");
    if (f == nullptr) {
      std::perror(out_path);
      return 1;
    }
    bool ok = std::fwrite(x.data(), sizeof(double), n, f) == static_cast<size_t>(n) &&
              std::fwrite(y.data(), sizeof(double), n, f) == static_cast<size_t>(n) &&
              std::fwrite(z.data(), sizeof(double), n, f) == static_cast<size_t>(n) &&
              std::fwrite(accepted.data(), sizeof(int32_t), n, f) == static_cast<size_t>(n) &&
              std::fwrite(rejected.data(), sizeof(int32_t), n, f) == static_cast<size_t>(n) &&
              std::fwrite(status.data(), sizeof(int32_t), n, f) == static_cast<size_t>(n);
    if (std::fclose(f) != 0 || !ok) {
      std::fprintf(stderr, "cannot write %s\n", out_path);
      return 1;
    }
  }
  return 0;
}
