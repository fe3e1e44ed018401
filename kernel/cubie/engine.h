// One trajectory, start to end: the loop every kernel runs. It is included
// after the generated pieces it drives:
//   cubie_sys     the system (dxdt, observables, ...)       src/codegen/system-source.ts
//   cubie_method  one step of the chosen method             src/codegen/explicit-stepper.ts
//   cubie_summary in-kernel summaries                       src/codegen/summary-source.ts
//   cubie_layout  what is saved and which controller runs   src/codegen/kernel-source.ts
// Steps are shortened to land exactly on save times (or, with interpolating
// saves, only on the last); the controller's own proposal survives such a
// shortened step, so saving does not slow a run.
#ifndef CUBIE_ENGINE_H
#define CUBIE_ENGINE_H
#include "cubie/args.h"
#include "cubie/brownian.h"
#include "cubie/controllers.h"
#include "cubie/delays.h"
#include "cubie/drivers.h"
#include "cubie/events.h"
#include "cubie/platform.h"
#include "cubie/run_time.h"

// A system whose symbolic Jacobian may not be finite where f is (exp, pow,
// divisions: src/codegen/jacobian-overflow.ts) declares
// cubie_sys::jacobian_may_overflow = true; for any other, qualified lookup
// finds no such declaration in cubie_sys and falls back to this false
// through the using-directive, so its generated text stays as it was and
// RunContext::jacobian compiles without the check.
namespace cubie_defaults {
constexpr bool jacobian_may_overflow = false;
// A system without delay() declares none of these (delays.h; src/codegen/system-source.ts).
constexpr int n_delayed = 0;
constexpr int n_history = 0;
constexpr int n_lags = 0;
constexpr int history_points = 1;
template <class R>
CUBIE_FN void delay_lags(const R*, double*) {}
template <class R>
CUBIE_FN void history_columns(const R*, R*) {}
template <class H, class R>
CUBIE_FN void delayed_inputs(const H&, double, R*, R*) {}
}
namespace cubie_sys {
using namespace cubie_defaults;
}

namespace cubie_layout {
// A layout without the method's own continuous extension declares no
// prepare_extension (so a kernel that is not dense keeps its text); this one
// does nothing for it. Where the layout declares one, its StepperMemory&
// binds the engine's non-const memory better, so it is chosen.
template <class Ctx, class Memory>
CUBIE_FN void prepare_extension(const Ctx&, const Memory&, cubie::wide_of<real>, real, const real*, const real*, const real*) {}
}  // namespace cubie_layout

namespace cubie {

// A CPU lane build (lanes.h) runs the system and stepper on W runs at once;
// the engine keeps each run's bookkeeping in scalars (lane_engine.h).
#if CUBIE_LANE_BUILD
typedef cubie_sys::real lane_real;
typedef lane_real::scalar real;
#else
typedef cubie_sys::real real;
#endif
constexpr int n_states = cubie_sys::n_states;
constexpr int n_parameters = cubie_sys::n_parameters;
constexpr int n_drivers = cubie_sys::n_drivers;
constexpr int n_observables = cubie_sys::n_observables;
// What the system reads besides y and p: its drivers, then its delay() slots.
constexpr int n_inputs = n_drivers + cubie_sys::n_delayed;
constexpr bool has_delays = cubie_sys::n_delayed > 0;
constexpr int n_buffers = B_FIXED_COUNT + n_states + n_parameters;
typedef KernelArgs<n_buffers> Args;

template <int N>
struct Slots {
  static constexpr int value = N > 0 ? N : 1;
};

// The run's sampled drivers as the kernel argument holds them (n_knots > 1), for RunContext and the lane engine.
CUBIE_FN SampledDrivers<real> sampled_drivers(const Args& args, int n_knots) {
  return {buffer_arg<const double, B_DRIVER_KNOTS>(args), buffer_arg<const real, B_DRIVER_COEFFS>(args), n_knots,
          scalar_arg<S_DRIVER_UNIFORM_DT>(args), scalar_arg<S_DRIVER_PERIODIC>(args) != 0.0};
}

#if !CUBIE_LANE_BUILD
typedef DelayHistory<real, cubie_sys::n_history, Slots<cubie_sys::n_lags>::value, cubie_sys::history_points> RunDelays;

// What a stepper may ask of the run: the right-hand side and, for implicit
// methods, the Jacobian, its product with a vector, and df/dt, all with the
// drivers evaluated at the requested time; tolerances; Newton settings; and
// counters the engine reports. Settings are read from the kernel argument at
// each use (see scalar_arg in args.h), so holding them costs no register.
struct RunContext {
  const Args& args;
  const real* __restrict__ p;
  // int: a chunk's runs and a run's steps are counted in int32 on output.
  mutable int rhs_evaluations;
  mutable int jacobian_evaluations;
  mutable int newton_iterations;
  mutable int linear_iterations;
  mutable int factorizations;
  // Set by an implicit stepper whose Newton iteration did not converge, so a
  // rejection at dtMin is reported as a Newton failure.
  mutable bool newton_failed;
  // A DIRK stage whose Newton iteration fails retries with a fresh Jacobian
  // (newton.h) only on fixed steps: an adaptive run rejects the step and
  // tries a smaller one, as the error estimate's step sequence expects.
  static constexpr bool refreshes_jacobian = cubie_layout::controller == CONTROLLER_FIXED;
  // The run's index in this launch's buffers (its Brownian stream is B_RUN_INDEX[run], the index in the whole batch).
  int run;
  // The run's past, for a system with delay() (unused otherwise).
  const RunDelays* delays;

  CUBIE_FN const real* atol() const { return buffer_arg<const real, B_ATOL>(args); }
  CUBIE_FN const real* rtol() const { return buffer_arg<const real, B_RTOL>(args); }
  CUBIE_FN real newton_tol() const { return static_cast<real>(scalar_arg<S_NEWTON_TOL>(args)); }
  CUBIE_FN int newton_max_iters() const { return static_cast<int>(scalar_arg<S_NEWTON_MAX_ITERS>(args)); }
  CUBIE_FN real linear_tol() const { return static_cast<real>(scalar_arg<S_LINEAR_TOL>(args)); }
  CUBIE_FN int linear_max_iters() const { return static_cast<int>(scalar_arg<S_LINEAR_MAX_ITERS>(args)); }

  // A system without drivers reads no driver slot: an argument read is never
  // removed as unused (asm volatile), so it is kept out of code that needs none.
  // A system with delay() reads its delayed values as inputs n_drivers.. (delays.h).
  CUBIE_FN void drivers_at(double t, real* d, real* ddot) const {
    sampled_drivers_at(t, d, ddot);
    if constexpr (has_delays) cubie_sys::delayed_inputs(*delays, t, d + n_drivers, ddot == nullptr ? nullptr : ddot + n_drivers);
  }
  CUBIE_FN void sampled_drivers_at(double t, real* d, real* ddot) const {
    if (n_drivers > 0) {
      const int n_knots = static_cast<int>(scalar_arg<S_DRIVER_KNOTS>(args));
      if (n_knots > 1) {
        sampled_drivers(args, n_knots).template values<Slots<n_drivers>::value>(t, d, ddot);
        return;
      }
    }
    for (int i = 0; i < Slots<n_drivers>::value; ++i) {
      d[i] = real(0);
      if (ddot != nullptr) ddot[i] = real(0);
    }
  }
  CUBIE_FN void rhs(double t, const real* __restrict__ y, real* __restrict__ dy) const {
    real d[Slots<n_inputs>::value];
    drivers_at(t, d, nullptr);
    cubie_sys::dxdt(y, p, d, static_cast<real>(t), dy);
    ++rhs_evaluations;
  }
  // Row-major n_states x n_states. An entry the generated (symbolic)
  // Jacobian cannot evaluate although the right-hand side can is replaced by
  // a finite difference (replace_nonfinite_columns): the symbolic derivative
  // of a rate such as a / (1 + exp((V + 32.8) / 0.1)) is
  // -a exp(z) / (0.1 (1 + exp(z))^2), which is inf/inf = NaN once exp(z)
  // overflows (V > 38 mV there) while the rate itself is a finite 0, and one
  // NaN entry fails every Newton iteration after it. Rewriting such
  // derivatives symbolically would need to recognise each form that
  // overflows; the fallback needs only f. A system whose Jacobian stays
  // finite pays one comparison per entry; one whose Jacobian cannot
  // overflow (a polynomial one) is compiled without the check (see
  // cubie_defaults above): on sm_80 the fallback raised Lorenz-96's
  // backwards-euler kernel from 162 to 222 registers even where it never runs.
  CUBIE_FN void jacobian(double t, const real* __restrict__ y, real* __restrict__ J) const {
    real d[Slots<n_inputs>::value];
    drivers_at(t, d, nullptr);
    cubie_sys::jacobian(y, p, d, static_cast<real>(t), J);
    ++jacobian_evaluations;
    if constexpr (cubie_sys::jacobian_may_overflow) {
      bool finite = true;
      for (int k = 0; k < n_states * n_states; ++k) finite = finite & (J[k] - J[k] == real(0));  // false for NaN and +-inf
      if (!finite) replace_nonfinite_columns(t, d, y, DenseColumns{J});
    }
  }
  // The same for the sparse linear solvers' J, its structural nonzeros in
  // pattern order (sparse.h; Values is the generated SparseJacobian).
  // (Values::column_finite and replace_nonfinite are generated only for a system that may overflow.)
  template <class Values>
  CUBIE_FN void replace_nonfinite_values(double t, const real* __restrict__ y, real* __restrict__ jv) const {
    if constexpr (cubie_sys::jacobian_may_overflow) {
      bool finite = true;
      for (int k = 0; k < Values::n_jacobian; ++k) finite = finite & (jv[k] - jv[k] == real(0));
      if (finite) return;
      real d[Slots<n_inputs>::value];
      drivers_at(t, d, nullptr);
      replace_nonfinite_columns(t, d, y, SparseColumns<Values>{jv});
    } else {
      (void)t, (void)y, (void)jv;
    }
  }
  struct DenseColumns {
    real* __restrict__ J;
    CUBIE_FN bool finite(int j) const {
      bool ok = true;
      for (int i = 0; i < n_states; ++i) ok = ok & (J[i * n_states + j] - J[i * n_states + j] == real(0));
      return ok;
    }
    CUBIE_FN void replace(int j, const real* __restrict__ c) const {
      for (int i = 0; i < n_states; ++i) {
        if (!(J[i * n_states + j] - J[i * n_states + j] == real(0))) J[i * n_states + j] = c[i];
      }
    }
  };
  template <class Values>
  struct SparseColumns {
    real* __restrict__ jv;
    CUBIE_FN bool finite(int j) const { return Values::column_finite(j, jv); }
    CUBIE_FN void replace(int j, const real* __restrict__ c) const { Values::replace_nonfinite(j, c, jv); }
  };
  // Each column of J with a non-finite entry is differenced forward from the
  // right-hand side (one evaluation per such column and one at y), with
  // RADAU5's increment sqrt(eps * max(1e-5, |y_j|)), and its non-finite
  // entries take the difference; the finite entries keep their exact values.
  // Entries still not finite (the right-hand side itself overflows) are left
  // for Newton to fail on. Out of line on the GPU (CUBIE_COLD_FN): inlined,
  // it raised the Hodgkin-Huxley example's kernels on sm_80 in float64 from
  // 124 to 184 registers (backwards-euler), 160 to 199 (rodas4), 180 to 192
  // (radau); out of line 142, 156 and 180, at the price of about 500 more
  // bytes of (untouched unless it runs) stack frame per thread.
  template <class Columns>
  CUBIE_COLD_FN void replace_nonfinite_columns(double t, const real* __restrict__ d, const real* __restrict__ y,
                                               const Columns& columns) const {
    const real eps = sizeof(real) == sizeof(float) ? real(1.1920929e-7) : real(2.220446049250313e-16);
    real f0[n_states], yh[n_states], fh[n_states];
    cubie_sys::dxdt(y, p, d, static_cast<real>(t), f0);
    ++rhs_evaluations;
    for (int i = 0; i < n_states; ++i) yh[i] = y[i];
    CUBIE_KEEP_LOOP for (int j = 0; j < n_states; ++j) {
      if (columns.finite(j)) continue;
      yh[j] = y[j] + sqrt(eps * fmax(real(1e-5), fabs(y[j])));
      const real h = yh[j] - y[j];  // the increment as represented
      cubie_sys::dxdt(yh, p, d, static_cast<real>(t), fh);
      ++rhs_evaluations;
      for (int i = 0; i < n_states; ++i) fh[i] = (fh[i] - f0[i]) / h;
      columns.replace(j, fh);
      yh[j] = y[j];
    }
  }
  // J v for the matrix-free solvers, with the same fallback: a component
  // that is not finite (a NaN entry of J's row makes it NaN even where v_j
  // is 0) becomes (f(y + h v) - f(y)) / h, h = sqrt(eps) (1 + |y|) / |v|,
  // the usual increment of matrix-free Newton-Krylov codes.
  CUBIE_FN void jvp(double t, const real* __restrict__ y, const real* __restrict__ v, real* __restrict__ Jv) const {
    real d[Slots<n_inputs>::value];
    drivers_at(t, d, nullptr);
    cubie_sys::jvp(y, p, d, static_cast<real>(t), v, Jv);
    if constexpr (cubie_sys::jacobian_may_overflow) {
      bool finite = true;
      for (int i = 0; i < n_states; ++i) finite = finite & (Jv[i] - Jv[i] == real(0));
      if (!finite) replace_nonfinite_product(t, d, y, v, Jv);
    }
  }
  CUBIE_COLD_FN void replace_nonfinite_product(double t, const real* __restrict__ d, const real* __restrict__ y,
                                               const real* __restrict__ v, real* __restrict__ Jv) const {
    const real eps = sizeof(real) == sizeof(float) ? real(1.1920929e-7) : real(2.220446049250313e-16);
    real norm_y = real(0), norm_v = real(0);
    for (int i = 0; i < n_states; ++i) {
      norm_y += y[i] * y[i];
      norm_v += v[i] * v[i];
    }
    real f0[n_states], yh[n_states], fh[n_states];
    if (norm_v == real(0)) {
      for (int i = 0; i < n_states; ++i) fh[i] = real(0);
    } else {
      const real h = sqrt(eps) * (real(1) + sqrt(norm_y)) / sqrt(norm_v);
      for (int i = 0; i < n_states; ++i) yh[i] = y[i] + h * v[i];
      cubie_sys::dxdt(y, p, d, static_cast<real>(t), f0);
      cubie_sys::dxdt(yh, p, d, static_cast<real>(t), fh);
      rhs_evaluations += 2;
      for (int i = 0; i < n_states; ++i) fh[i] = (fh[i] - f0[i]) / h;
    }
    for (int i = 0; i < n_states; ++i) {
      if (!(Jv[i] - Jv[i] == real(0))) Jv[i] = fh[i];
    }
  }
  CUBIE_FN void dfdt(double t, const real* __restrict__ y, real* __restrict__ ft) const {
    real d[Slots<n_inputs>::value], ddot[Slots<n_inputs>::value];
    drivers_at(t, d, ddot);
    cubie_sys::dfdt(y, p, d, ddot, static_cast<real>(t), ft);
  }
  // Noise: the run's Brownian path on the run's span, a pure function of (seed, run's
  // batch index, process, t) (brownian.h), so chunks, threads and devices see one path.
  // Only a stepper or layout for a system with noise calls it.
  CUBIE_FN brownian_tree<real> brownian() const {
    const unsigned long long seed = (static_cast<unsigned long long>(scalar_arg<S_SEED_HIGH>(args)) << 32) |
                                    static_cast<unsigned long long>(scalar_arg<S_SEED_LOW>(args));
    const unsigned int index = static_cast<unsigned int>(buffer_arg<const double, B_RUN_INDEX>(args)[run]);
    const double span = scalar_arg<S_SETTLING_TIME>(args) + scalar_arg<S_DURATION>(args);
    return brownian_tree<real>::make(seed, index, static_cast<real>(scalar_arg<S_T0>(args)), static_cast<real>(span),
                                     static_cast<real>(scalar_arg<S_BROWNIAN_TOLERANCE>(args)));
  }
  CUBIE_FN void observables_at(double t, const real* __restrict__ y, real* __restrict__ obs) const {
    real d[Slots<n_inputs>::value];
    drivers_at(t, d, nullptr);
    cubie_sys::observables(y, p, d, static_cast<real>(t), obs);
  }
};

CUBIE_FN bool all_finite(const real* y) {
  for (int i = 0; i < n_states; ++i) {
    if (!(y[i] - y[i] == real(0))) return false;  // false for NaN and +-inf
  }
  return true;
}

// Hairer, Norsett & Wanner's starting step (II.4, "Automatic step size control").
CUBIE_FN real initial_step(const RunContext& ctx, double t, const real* y, const real* f0, real dt_min,
                           real dt_max) {
  real d0 = real(0), d1 = real(0);
  for (int i = 0; i < n_states; ++i) {
    real scale = ctx.atol()[i] + ctx.rtol()[i] * fabs(y[i]);
    d0 += (y[i] / scale) * (y[i] / scale);
    d1 += (f0[i] / scale) * (f0[i] / scale);
  }
  d0 = sqrt(d0 / real(n_states));
  d1 = sqrt(d1 / real(n_states));
  real h0 = (d0 < real(1e-5) || d1 < real(1e-5)) ? real(1e-6) : real(0.01) * d0 / d1;
  h0 = fmin(h0, dt_max);
  real y1[n_states], f1[n_states];
  for (int i = 0; i < n_states; ++i) y1[i] = y[i] + h0 * f0[i];
  ctx.rhs(t + static_cast<double>(h0), y1, f1);
  real d2 = real(0);
  for (int i = 0; i < n_states; ++i) {
    real scale = ctx.atol()[i] + ctx.rtol()[i] * fabs(y[i]);
    real r = (f1[i] - f0[i]) / scale;
    d2 += r * r;
  }
  d2 = sqrt(d2 / real(n_states)) / h0;
  real dmax = fmax(d1, d2);
  real h1 = dmax <= real(1e-15) ? fmax(real(1e-6), h0 * real(1e-3))
                                : pow(real(0.01) / dmax, real(1) / real(cubie_method::order + 1));
  real h = fmin(real(100) * h0, h1);
  if (!(h == h)) h = real(1e-6) * dt_max;
  return fmin(dt_max, fmax(dt_min, h));
}

#endif  // !CUBIE_LANE_BUILD

CUBIE_FN real not_a_number() {
#if CUBIE_LANE_BUILD
  return real(0) * cubie_layout::infinity()[0];
#else
  return real(0) * cubie_layout::infinity();
#endif
}

// Writes saves and summary windows of one run. Output pointers and sizes are
// read from the kernel argument at each save rather than held.
struct Saver {
  const Args& args;
  int run;
  int window;
  cubie_summary::State summary;

  CUBIE_FN long long n_runs() const { return static_cast<long long>(scalar_arg<S_N_RUNS>(args)); }
  CUBIE_FN real* state_out(int k) const {
    return buffer_arg<real, B_STATE_OUT>(args) + static_cast<long long>(k) * cubie_layout::n_saved * n_runs() + run;
  }
  CUBIE_FN real* summary_out(int w) const {
    return buffer_arg<real, B_SUMMARY_OUT>(args) + static_cast<long long>(w) * cubie_summary::n_columns * n_runs() + run;
  }

#if !CUBIE_LANE_BUILD
  CUBIE_FN void save(int k, double t, const RunContext& ctx, const real* y) {
    real obs[Slots<n_observables>::value];
    if (cubie_layout::needs_observables) ctx.observables_at(t, y, obs);
    real values[Slots<cubie_layout::n_saved>::value];
    if (cubie_layout::n_saved > 0) {
      cubie_layout::gather_saved(y, obs, values);
#ifdef CUBIE_SAVES_WIENER
      cubie_layout::gather_wiener(ctx, t, values);  // 'wiener' outputs: W at t, after the saved states
#endif
    }
    real x[Slots<cubie_summary::n_summarised>::value];
    if (cubie_summary::n_columns > 0) cubie_layout::gather_summarised(y, obs, x);
    record(k, t, values, x);
  }
#endif

  // Save k: the saved variables' values, and the summarised ones' (x) sampled into the window.
  CUBIE_FN void record(int k, double t, const real* values, const real* x) {
    if (cubie_layout::n_saved > 0) {
      real* out = state_out(k);
      const long long stride = n_runs();
      for (int j = 0; j < cubie_layout::n_saved; ++j) out[j * stride] = values[j];
    }
    if (cubie_summary::n_columns > 0) {
      const int samples_per_window = static_cast<int>(scalar_arg<S_SAMPLES_PER_WINDOW>(args));
      int w = k == 0 ? 0 : (k - 1) / samples_per_window;
      if (k == 0) {
        cubie_summary::init(summary);
        cubie_summary::begin_window(summary);
      } else if (w != window) {
        write_window();
        cubie_summary::begin_window(summary);
      }
      window = w;
      cubie_summary::sample(summary, x, t);
    }
  }

  CUBIE_FN void write_window() { cubie_summary::write_window(summary, summary_out(window), n_runs()); }

  // A run that stopped early: NaN in every save and window it did not reach.
  CUBIE_FN void fill_missing(int first_unsaved) {
    const real nan = not_a_number();
    const long long stride = n_runs();
    const int n_saves = static_cast<int>(scalar_arg<S_N_SAVES>(args));
    for (int k = first_unsaved; k < n_saves; ++k) {
      real* out = state_out(k);
      for (int j = 0; j < cubie_layout::n_saved; ++j) out[j * stride] = nan;
    }
    if (cubie_summary::n_columns > 0) {
      // The window in progress is written only when it closes, so it is missing too.
      const int n_windows = static_cast<int>(scalar_arg<S_N_WINDOWS>(args));
      int first_window = first_unsaved == 0 ? 0 : window;
      for (int w = first_window; w < n_windows; ++w) {
        real* out = summary_out(w);
        for (int j = 0; j < cubie_summary::n_columns; ++j) out[j * stride] = nan;
      }
    }
  }
};

CUBIE_FN real real_arg_dt_min(const Args& a) { return static_cast<real>(scalar_arg<S_DT_MIN>(a)); }
CUBIE_FN real real_arg_dt_max(const Args& a) { return static_cast<real>(scalar_arg<S_DT_MAX>(a)); }

// The smallest step a run may take at time t: dtMin (default 0), and never
// less than a few spacings of t, below which t + dt would not move t. A step
// rejected at this floor ends the run with DT_UNDERFLOW.
CUBIE_FN real step_floor(const Args& a, const RunTime<real>& t) {
  return fmax(real_arg_dt_min(a), real(4) * RunTime<real>::spacing() * t.magnitude());
}

CUBIE_FN ControllerGains<real> controller_gains(const Args& a) {
  return {static_cast<real>(scalar_arg<S_SAFETY>(a)), static_cast<real>(scalar_arg<S_MIN_GAIN>(a)),
          static_cast<real>(scalar_arg<S_MAX_GAIN>(a)), static_cast<real>(scalar_arg<S_KP>(a)),
          static_cast<real>(scalar_arg<S_KI>(a)),       static_cast<real>(scalar_arg<S_KD>(a))};
}

// Read where used, like every setting (args.h), so it holds no register.
CUBIE_FN int n_saves(const Args& a) { return static_cast<int>(scalar_arg<S_N_SAVES>(a)); }

// Save k's time, as the run plan computed it (src/solver/run-plan.ts): the
// saveEvery grid from the end of the settling time, the last at its end
// exactly, or the saveAt times as given.
CUBIE_FN double save_time(const Args& a, int k) { return buffer_arg<const double, B_SAVE_TIMES>(a)[k]; }

// The cubic Hermite interpolant of an accepted step from (y0, f0) to (y1, f1)
// over h, at t0 + theta h: third order, from what every method has at the
// end of a step, so saves inside a step cost no extra stage.
template <class R>
CUBIE_FN void hermite(const R* __restrict__ y0, const R* __restrict__ f0, const R* __restrict__ y1,
                      const R* __restrict__ f1, R h, R theta, R* __restrict__ out) {
  for (int i = 0; i < n_states; ++i) {
    const R d = y1[i] - y0[i];
    out[i] = (R(1) - theta) * y0[i] + theta * y1[i] +
             theta * (theta - R(1)) * ((R(1) - R(2) * theta) * d + (theta - R(1)) * h * f0[i] + theta * h * f1[i]);
  }
}

// Within this of a save or event time, a run is at it (rounding of the time grid, not tolerance).
CUBIE_FN real landing_slack(const RunTime<real>& at) { return real(1e-12) * fmax(real(1), at.magnitude()); }

// Whether a run at t has reached `at`; never, for a discrete event with no occurrence left (at = infinity).
CUBIE_FN bool reached(const RunTime<real>& t, const RunTime<real>& at) {
  const real gap = t.until(at);
  return gap <= landing_slack(at) && gap - gap == real(0);
}

// The time of a discrete event with no occurrence left.
CUBIE_FN double never() {
#if CUBIE_LANE_BUILD
  return static_cast<double>(cubie_layout::infinity()[0]);
#else
  return static_cast<double>(cubie_layout::infinity());
#endif
}

// The earliest next occurrence of any discrete event (the lane engine's per lane).
CUBIE_FN RunTime<real> next_discrete_time(const Args& args, const RunEvents<real>& events) {
  double next = never();
  for (int k = 0; k < cubie_events::n_discrete; ++k) {
    next = fmin(next, occurrence(k, events.next[k], buffer_arg<const double, B_EVENT_AT_TIMES>(args), scalar_arg<S_T0>(args), never()));
  }
  return RunTime<real>::from(next);
}

// The count, and every record slot the run did not fill: time NaN, which -1, state NaN
// (the lane engine's per lane's run).
CUBIE_FN void finish_event_records(const Args& args, int run, const RunEvents<real>& events) {
  const long long n_runs = static_cast<long long>(scalar_arg<S_N_RUNS>(args));
  buffer_arg<int, B_EVENT_COUNT>(args)[run] = events.count;
  const real nan = not_a_number();
  const int max_records = static_cast<int>(scalar_arg<S_MAX_EVENT_RECORDS>(args));
  for (int k = events.count; k < max_records; ++k) {
    const long long r = static_cast<long long>(k) * n_runs + run;
    buffer_arg<double, B_EVENT_TIME>(args)[r] = static_cast<double>(nan);
    buffer_arg<int, B_EVENT_WHICH>(args)[r] = -1;
    real* state = buffer_arg<real, B_EVENT_STATE>(args) + static_cast<long long>(k) * n_states * n_runs + run;
    for (int i = 0; i < n_states; ++i) state[i * n_runs] = nan;
  }
}

#if !CUBIE_LANE_BUILD

// Every crossing event's `when` at (t, y), with the drivers at t.
CUBIE_FN void when_at(const RunContext& ctx, double t, const real* __restrict__ y, real* __restrict__ g) {
  real d[Slots<n_inputs>::value];
  ctx.drivers_at(t, d, nullptr);
  cubie_events::when(y, ctx.p, d, static_cast<real>(t), g);
}

// A `when` that sits at its root takes the side the flow is about to carry it
// to: its value a millionth of the next step ahead along f. At a root its own
// value is rounding noise on either side of zero, and it may leave zero and
// come back within one step (a ball's flight between bounces); with the side
// the flow takes, such a return is still a crossing. A `when` is at its root
// where its event just fired (`fired`, may be null), or where its value is
// no larger than the change the flow makes in it over that millionth: that is
// also every other `when` with the same root (an SBML trigger and its
// cancellation, which watch one expression in opposite directions), and a run
// that starts on a root. (In float32 more than a millionth:
// side_probe_fraction, events.h.)
CUBIE_FN void take_sides(const RunContext& ctx, double t, const real* __restrict__ y, const real* __restrict__ f, real dt,
                         const bool* __restrict__ fired, real* __restrict__ g) {
  const real delta = side_probe_fraction<real>() * dt;
  real y_ahead[n_states], g_ahead[EventSlots<cubie_events::n_crossing>::value];
  for (int i = 0; i < n_states; ++i) y_ahead[i] = y[i] + delta * f[i];
  when_at(ctx, t + static_cast<double>(delta), y_ahead, g_ahead);
  for (int c = 0; c < cubie_events::n_crossing; ++c) {
    const bool at_root = (fired != nullptr && fired[c]) || fabs(g[c]) <= fabs(g_ahead[c] - g[c]);
    if (at_root) g[c] = g_ahead[c];
  }
}

// Event e fires at t on y: recorded (the state before), its assignments
// applied, counted. Returns the status bits that end the run, if any.
CUBIE_FN int fire_event(const Args& args, int run, const RunContext& ctx, RunEvents<real>& events, int e, double t, real* y) {
  if (cubie_events::records && events.count < static_cast<int>(scalar_arg<S_MAX_EVENT_RECORDS>(args))) {
    const long long n_runs = static_cast<long long>(scalar_arg<S_N_RUNS>(args));
    const long long r = static_cast<long long>(events.count) * n_runs + run;
    buffer_arg<double, B_EVENT_TIME>(args)[r] = t;
    buffer_arg<int, B_EVENT_WHICH>(args)[r] = e;
    real* state = buffer_arg<real, B_EVENT_STATE>(args) + static_cast<long long>(events.count) * n_states * n_runs + run;
    for (int i = 0; i < n_states; ++i) state[i * n_runs] = y[i];
  }
  ++events.count;
  ++events.fired[e];
  real d[Slots<n_inputs>::value];
  ctx.drivers_at(t, d, nullptr);
  cubie_events::apply(e, y, ctx.p, d, static_cast<real>(t));
  int status = 0;
  const int terminal = cubie_events::terminal(e);
  if (terminal > 0 && events.fired[e] >= terminal) status |= STATUS_TERMINATED;
  if (events.count > static_cast<int>(scalar_arg<S_MAX_EVENTS>(args))) status |= STATUS_TOO_MANY_EVENTS;
  return status;
}

// delay(): the past is kept as the cubic Hermite pieces of the accepted
// steps (delays.h), third order, and a step's own error estimate does not
// see their error: inside a step the delayed term is a piece of a cubic in
// t, which the method may integrate exactly (y' = -y(t - 1) made every
// explicit method take steps as long as the lag). So each step's piece is
// checked by its residual: with e(t) ~ C (t - ta)^2 (t - tb)^2 the error of
// the cubic H, e'(ta + h/4) = 3 C h^3 / 16 and the largest error, at the
// middle, C h^4 / 16 = (h / 3) |e'(ta + h/4)|, and e' is the defect
// H' - f(t, H) there to first order. One more evaluation of f per step,
// only for a system with delay(). In tolerance units, over the states whose
// past is kept; fsal methods' f1 is f at the end already, the others' is
// filled here (and the engine reuses it).
CUBIE_FN real past_error(const RunContext& ctx, double ta, real h, double tb, const real* __restrict__ ya, const real* __restrict__ fa,
                         const real* __restrict__ yb, real* __restrict__ fb) {
  if (!cubie_method::fsal) ctx.rhs(tb, yb, fb);
  constexpr int C = Slots<cubie_sys::n_history>::value;
  real yq[n_states], fq[n_states], defect[n_states];
  hermite(ya, fa, yb, fb, h, real(0.25), yq);
  ctx.rhs(ta + 0.25 * (tb - ta), yq, fq);
  for (int i = 0; i < n_states; ++i) {
    // H'(h/4) = (9/8)(yb - ya)/h + (3/16) fa - (5/16) fb
    defect[i] = (real(1.125) * (yb[i] - ya[i]) / h + real(0.1875) * fa[i] - real(0.3125) * fb[i]) - fq[i];
  }
  real d[C], y0[C], y1[C], at[C], rt[C];
  cubie_sys::history_columns(defect, d);
  cubie_sys::history_columns(ya, y0);
  cubie_sys::history_columns(yb, y1);
  cubie_sys::history_columns(ctx.atol(), at);
  cubie_sys::history_columns(ctx.rtol(), rt);
  real worst = real(0);
  for (int c = 0; c < cubie_sys::n_history; ++c) {
    worst = fmax(worst, (h / real(3)) * fabs(d[c]) / (at[c] + rt[c] * fmax(fabs(y0[c]), fabs(y1[c]))));
  }
  return worst;
}

CUBIE_FN void integrate_run(const Args& args, int run) {
  // The estimate scales like dt^(min(order, error_order) + 1) (Fehlberg propagates the lower order).
  constexpr int error_exponent =
      (cubie_method::order < cubie_method::error_order ? cubie_method::order : cubie_method::error_order) + 1;
  constexpr real inv_k = real(1) / real(error_exponent);
  constexpr bool adaptive = cubie_layout::controller != CONTROLLER_FIXED;
  constexpr bool has_events = cubie_events::n_events > 0;
  constexpr bool has_crossings = cubie_events::n_crossing > 0;
  constexpr bool has_discrete = cubie_events::n_discrete > 0;
  const long long n_runs = static_cast<long long>(args.s[S_N_RUNS]);

  real y[n_states], y_new[n_states], f0[n_states], f1[n_states];
  real p[Slots<n_parameters>::value];
  for (int i = 0; i < n_states; ++i) y[i] = static_cast<const real*>(args.b[B_FIXED_COUNT + i])[run];
  for (int j = 0; j < n_parameters; ++j) {
    p[j] = static_cast<const real*>(args.b[B_FIXED_COUNT + n_states + j])[run];
  }
  RunDelays delays;
  RunContext ctx = {args, p, 0, 0, 0, 0, 0, false, run, &delays};
  // delay(): the run's past, kept at every accepted step's end (and on both sides of an event).
  auto remember = [&](double at, const real* __restrict__ ya, const real* __restrict__ fa) {
    if constexpr (has_delays) {
      real yc[Slots<cubie_sys::n_history>::value], fc[Slots<cubie_sys::n_history>::value];
      cubie_sys::history_columns(ya, yc);
      cubie_sys::history_columns(fa, fc);
      delays.push(at, yc, fc);
    }
  };
  // What the stepper keeps from step to step (an implicit method's Jacobian and factorisations; nothing for an explicit one).
  cubie_layout::StepperMemory memory;
  Saver saver = {args, run, 0, {}};

  RunTime<real> t = RunTime<real>::from(args.s[S_T0]);
  if constexpr (has_delays) {
    cubie_sys::delay_lags(p, delays.lag);
    real yc[Slots<cubie_sys::n_history>::value];
    cubie_sys::history_columns(y, yc);
    delays.start(t.value(), yc);
  }
  ctx.rhs(t.value(), y, f0);
  remember(t.value(), y, f0);
  // With delay(), no step is longer than the shortest lag, so a stage reads only the past already kept.
  // (A function, not a variable: the setting is read where used, so it holds no register; args.h.)
  auto dt_max = [&]() { return has_delays ? fmin(real_arg_dt_max(args), static_cast<real>(delays.shortest)) : real_arg_dt_max(args); };
  real dt = static_cast<real>(args.s[S_DT]);
  if (adaptive && !(dt > real(0))) dt = initial_step(ctx, t.value(), y, f0, real_arg_dt_min(args), dt_max());
  if (has_delays && adaptive) dt = fmin(dt, dt_max());
  ControllerHistory<real> history;
  int status = all_finite(y) ? 0 : STATUS_NONFINITE;
  if (has_delays && (!delays.lags_valid() || (!adaptive && static_cast<double>(dt) > delays.shortest))) status |= STATUS_DELAY;
  int accepted = 0, rejected = 0;
  // An int compare per step rather than a double one (see run_time.h); at most INT32_MAX (src/solver/plan.ts).
  const int max_steps = static_cast<int>(scalar_arg<S_MAX_STEPS>(args));
  int k = 0;  // next save
  RunTime<real> t_next = RunTime<real>::from(save_time(args, 0));
  // Landing saves (the default): every save time is a step's end. Interpolating
  // saves: steps aim at the last save only, and the saves inside a step come
  // from its continuous extension, so saving densely takes no extra step.
  constexpr bool interpolating = cubie_layout::interpolate_saves;
  // A crossing is located on the continuous extension of the step it falls in.
  constexpr bool dense = interpolating || has_crossings;
  const RunTime<real> t_target = interpolating ? RunTime<real>::from(save_time(args, n_saves(args) - 1)) : t_next;
  real y_old[dense ? n_states : 1], f_old[dense ? n_states : 1];

  // Events: steps land on discrete event times as on saves; a crossing ends
  // the step it falls in at its root.
  RunEvents<real> events;
  RunTime<real> t_event = t;
  if (has_events) {
    events.count = 0;
    for (int e = 0; e < cubie_events::n_events; ++e) events.fired[e] = 0;
    for (int c = 0; c < cubie_events::n_crossing; ++c) events.g[c] = real(0);
    if (has_crossings) {
      when_at(ctx, t.value(), y, events.g);
      take_sides(ctx, t.value(), y, f0, dt, nullptr, events.g);
    }
    for (int kd = 0; kd < cubie_events::n_discrete; ++kd) {
      events.next[kd] = first_occurrence(kd, buffer_arg<const double, B_EVENT_AT_TIMES>(args), t.value(), static_cast<double>(landing_slack(t)));
    }
    if (has_discrete) t_event = next_discrete_time(args, events);
  }
  // After events changed the state: the right side again, and the controller
  // starts afresh from the step size it had.
  // The crossings that fired at this time, when they did (restart_after_events reads it).
  bool fired_now[EventSlots<cubie_events::n_crossing>::value];
  for (int c = 0; c < cubie_events::n_crossing; ++c) fired_now[c] = false;
  auto restart_after_events = [&]() {
    ctx.rhs(t.value(), y, f0);
    remember(t.value(), y, f0);
    history = ControllerHistory<real>();
    if (has_crossings) {
      when_at(ctx, t.value(), y, events.g);
      take_sides(ctx, t.value(), y, f0, dt, fired_now, events.g);
    }
    if (has_discrete) t_event = next_discrete_time(args, events);
  };

  while (status == 0) {
    if (has_delays && delays.lost) {
      status |= STATUS_DELAY;
      break;
    }
    if (has_discrete && reached(t, t_event)) {
      // Every discrete event due now, in definition order, before a save at the same time.
      const double* at_times = buffer_arg<const double, B_EVENT_AT_TIMES>(args);
      for (int kd = 0; kd < cubie_events::n_discrete && status == 0; ++kd) {
        for (;;) {
          const RunTime<real> due = RunTime<real>::from(occurrence(kd, events.next[kd], at_times, scalar_arg<S_T0>(args), never()));
          if (!reached(t, due)) break;
          ++events.next[kd];
          status |= fire_event(args, run, ctx, events, cubie_events::discrete_event(kd), t.value(), y);
          if (status != 0) break;
        }
      }
      if (!all_finite(y)) status |= STATUS_NONFINITE;
      restart_after_events();
      continue;
    }
    const real remaining = t.until(t_next);
    if (remaining <= landing_slack(t_next)) {
      t = t_next;
      saver.save(k, t.value(), ctx, y);
      if (++k == n_saves(args)) break;
      t_next = RunTime<real>::from(save_time(args, k));
      continue;
    }
    if (accepted + rejected >= max_steps) {
      status |= STATUS_MAX_STEPS;
      break;
    }
    RunTime<real> aim = interpolating ? t_target : t_next;
    if (has_discrete && t_event.value() < aim.value()) aim = t_event;
    if constexpr (has_delays) {
      const double kink = delays.next_kink_time();
      if (kink < aim.value()) aim = RunTime<real>::from(kink);
    }
    const real to_aim = t.until(aim);
    const bool shortened = dt >= to_aim;
    const real h = shortened ? to_aim : dt;
    ctx.newton_failed = false;
    real err = cubie_layout::step(ctx, memory, t.value(), h, y, f0, y_new, f1);
    if constexpr (has_delays) {
      if (adaptive && err <= real(1)) err = fmax(err, past_error(ctx, t.value(), h, shortened ? aim.value() : t.after(h).value(), y, f0, y_new, f1));
    }
    if ((adaptive || ctx.newton_failed) && !(err <= real(1))) {
      ++rejected;
      if (h <= step_floor(args, t) || !adaptive) {
        status |= ctx.newton_failed ? STATUS_NEWTON_FAILED : STATUS_DT_UNDERFLOW;
        break;
      }
      dt = fmax(step_floor(args, t), h * rejected_factor(err, log_error(err), inv_k, controller_gains(args)));
      continue;
    }
    ++accepted;
    const RunTime<real> t_begin = t;
    if (dense) {
      for (int i = 0; i < n_states; ++i) {
        y_old[i] = y[i];
        f_old[i] = f0[i];
      }
    }
    t = shortened ? aim : t.after(h);
    for (int i = 0; i < n_states; ++i) y[i] = y_new[i];
    if (!all_finite(y)) {
      status |= STATUS_NONFINITE;
      break;
    }
    if (cubie_method::fsal || (has_delays && adaptive)) {  // with delays, f1 is f at the step's end (above)
      for (int i = 0; i < n_states; ++i) f0[i] = f1[i];
    } else {
      ctx.rhs(t.value(), y, f0);
    }
    // The step's continuous extension at t_begin + theta h (call before y or f0 move on).
    // Extra stages of the method's extension (DOP853's, Verner's) are computed at its first use in a
    // step, so steps without a save or a crossing inside them pay nothing for them.
    bool extension_ready = false;
    auto extension = [&](real theta, real* __restrict__ out) {
      if (cubie_layout::method_interpolates) {
        if (!extension_ready) {
          cubie_layout::prepare_extension(ctx, memory, t_begin.value(), h, static_cast<const real*>(y_old), static_cast<const real*>(y),
                                          static_cast<const real*>(f0));
          extension_ready = true;
        }
        cubie_layout::interpolate(memory, y_old, h, theta, out);
      } else {
        hermite(y_old, f_old, y, f0, h, theta, out);
      }
    };
    // Crossings in this step: the first part of the step (of crossing_probes)
    // where any `when` crosses; there each crossing is located on the
    // extension, the earliest ends the step, and every event that crosses by
    // then fires.
    real theta_event = real(1);
    bool crossed = false;
    bool fires[EventSlots<cubie_events::n_crossing>::value];
    if (has_crossings) {
      auto when_inside = [&](real theta, real* __restrict__ g) {
        real y_theta[n_states];
        extension(theta, y_theta);
        when_at(ctx, t_begin.value() + static_cast<double>(theta) * static_cast<double>(h), y_theta, g);
      };
      real g_lo[EventSlots<cubie_events::n_crossing>::value], g_hi[EventSlots<cubie_events::n_crossing>::value];
      for (int c = 0; c < cubie_events::n_crossing; ++c) g_lo[c] = events.g[c];
      real theta_lo = real(0);
      for (int j = 1; j <= crossing_probes; ++j) {
        const real theta = j == crossing_probes ? real(1) : real(j) / real(crossing_probes);
        if (j == crossing_probes) {
          when_at(ctx, t.value(), y, g_hi);
        } else {
          when_inside(theta, g_hi);
        }
        for (int c = 0; c < cubie_events::n_crossing; ++c) crossed = crossed || crosses(cubie_events::crossing_direction(c), g_lo[c], g_hi[c]);
        if (crossed) {
          theta_event = theta;
          break;
        }
        theta_lo = theta;
        for (int c = 0; c < cubie_events::n_crossing; ++c) g_lo[c] = g_hi[c];
      }
      if (crossed) {
        const double tolerance = scalar_arg<S_EVENT_TOLERANCE>(args);
        const real epsilon = sizeof(real) == 4 ? real(1.1920928955078125e-7) : real(2.220446049250313e-16);
        const real tol = tolerance > 0 ? static_cast<real>(tolerance / static_cast<double>(h)) : real(4) * epsilon;
        for (int c = 0; c < cubie_events::n_crossing; ++c) {
          if (!crosses(cubie_events::crossing_direction(c), g_lo[c], g_hi[c])) continue;
          const real root = locate_crossing(c, theta_lo, g_lo[c], theta_event, g_hi[c], tol, when_inside);
          if (root < theta_event) {
            theta_event = root;
            when_inside(theta_event, g_hi);
          }
        }
        for (int c = 0; c < cubie_events::n_crossing; ++c) fires[c] = crosses(cubie_events::crossing_direction(c), g_lo[c], g_hi[c]);
      } else {
        for (int c = 0; c < cubie_events::n_crossing; ++c) events.g[c] = g_hi[c];
      }
    }
    if (crossed && theta_event < real(1)) t = t_begin.after(theta_event * h);
    if (interpolating) {
      // Saves inside the step, up to the event that ends it; one at its end is saved exactly above.
      for (;;) {
        const double tk = save_time(args, k);
        if (!(tk < t.value())) break;
        const real theta = static_cast<real>((tk - t_begin.value()) / static_cast<double>(h));
        real yk[n_states];
        extension(theta, yk);
        saver.save(k, tk, ctx, yk);
        if (++k == n_saves(args)) break;
      }
      if (k == n_saves(args)) break;
      t_next = RunTime<real>::from(save_time(args, k));
    }
    if (crossed) {
      if (theta_event < real(1)) {
        real y_event[n_states];
        extension(theta_event, y_event);
        for (int i = 0; i < n_states; ++i) y[i] = y_event[i];
        if constexpr (has_delays) {
          real f_event[n_states];
          ctx.rhs(t.value(), y, f_event);
          remember(t.value(), y, f_event);
        }
      } else {
        remember(t.value(), y, f0);
      }
      for (int c = 0; c < cubie_events::n_crossing && status == 0; ++c) {
        if (fires[c]) status |= fire_event(args, run, ctx, events, cubie_events::crossing_event(c), t.value(), y);
      }
      if (!all_finite(y)) status |= STATUS_NONFINITE;
    }
    if constexpr (has_delays) delays.passed(t.value() + static_cast<double>(landing_slack(t)));  // a kink a rounding away is reached
    if (!crossed) remember(t.value(), y, f0);
    if (adaptive) {
      real proposal = h * accepted_factor<cubie_layout::controller>(log_error(err), h, inv_k, controller_gains(args), history);
      if (shortened) proposal = fmax(proposal, dt);
      dt = fmin(dt_max(), fmax(step_floor(args, t), proposal));
    }
    if (crossed) {
      for (int c = 0; c < cubie_events::n_crossing; ++c) fired_now[c] = fires[c];
      restart_after_events();
      for (int c = 0; c < cubie_events::n_crossing; ++c) fired_now[c] = false;
    }
  }
  if (has_delays && delays.lost) status |= STATUS_DELAY;
  if (status != 0) {
    saver.fill_missing(k);
  } else if (cubie_summary::n_columns > 0) {
    saver.write_window();
  }
  if (cubie_events::records) finish_event_records(args, run, events);
  static_cast<int*>(args.b[B_STATUS])[run] = status;
  int* counters = static_cast<int*>(args.b[B_COUNTERS]);
  if (counters != nullptr) {
    counters[C_ACCEPTED * n_runs + run] = accepted;
    counters[C_REJECTED * n_runs + run] = rejected;
    counters[C_RHS_EVALUATIONS * n_runs + run] = ctx.rhs_evaluations;
    counters[C_JACOBIAN_EVALUATIONS * n_runs + run] = ctx.jacobian_evaluations;
    counters[C_NEWTON_ITERATIONS * n_runs + run] = ctx.newton_iterations;
    counters[C_LINEAR_ITERATIONS * n_runs + run] = ctx.linear_iterations;
    counters[C_FACTORIZATIONS * n_runs + run] = ctx.factorizations;
  }
}

#endif  // !CUBIE_LANE_BUILD

}  // namespace cubie

#if CUBIE_LANE_BUILD
#include "cubie/lane_engine.h"
#endif

#if CUBIE_DEVICE
CUBIE_KERNEL void cubie_integrate(const cubie::Args args) {
  const long long run = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (run < static_cast<long long>(args.s[cubie::S_N_RUNS])) cubie::integrate_run(args, static_cast<int>(run));
}
#else
// The CPU runner (native/cpu_runner.cc) calls these through dlsym.
CUBIE_KERNEL int cubie_abi(int* out) {
  out[0] = cubie::kAbiVersion;
  out[1] = cubie::S_COUNT;
  out[2] = cubie::n_buffers;
  out[3] = static_cast<int>(sizeof(cubie::real));  // the scalar real, in a lane build too
  return 4;
}
CUBIE_KERNEL void cubie_run_range(const void* args, long long begin, long long end) {
  const cubie::Args& a = *static_cast<const cubie::Args*>(args);
#if CUBIE_LANE_BUILD
  cubie::integrate_lanes(a, begin, end);  // W runs at a time, refilled from [begin, end)
#else
  for (long long run = begin; run < end; ++run) cubie::integrate_run(a, static_cast<int>(run));
#endif
}
#endif
#endif
