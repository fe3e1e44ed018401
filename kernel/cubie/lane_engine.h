// The CPU lane engine: W runs at once, one per vector lane (lanes.h). The
// system and the stepper compute on all lanes in one instruction stream. What
// a run decides for itself (accept or reject, its step size, its clock, its
// saves, its status, its counters) is kept per lane, as vectors where every
// step reads it and as scalars where only the rare paths do (a save landed
// on, the step limit, a run's end), with the arithmetic of integrate_run in
// engine.h, so a lane's run matches the scalar build's but for the last bits
// of libmvec's functions (the controller's exp and log among them). A lane
// whose run finishes takes the work item's next run before the next step
// (lane refill), so runs of very different lengths keep every lane busy.
//
// Included by engine.h in a CPU build with CUBIE_LANES, for explicit,
// Rosenbrock, DIRK and Radau methods and stochastic methods
// (src/solver/lanes.ts decides). Events: every lane's `when` functions are
// evaluated as vectors at the probes of each step; the lanes that cross are
// located together, each with its own root-finding bracket, and the lanes
// that fire an event get its assignments as one vector, while the records,
// counts and discrete schedules are kept lane by lane. Each lane does
// integrate_run's arithmetic, so its events fall where the scalar engine's
// do. A stochastic kernel at fixed steps refills its lanes
// only when all of them are done (lockstep), so that the W runs of a vector
// step through the same times and share one descent of the Brownian tree
// (lane_sde.h); a run that ends early leaves its lane idle until then. With
// an adaptive controller each lane keeps its own run's Brownian cache
// (wiener_per_lane, lane_sde.h) and refills alone, as an ODE lane does.
#ifndef CUBIE_LANE_ENGINE_H
#define CUBIE_LANE_ENGINE_H
#include <new>

namespace cubie {

constexpr int W = lane_real::width;
typedef wide_of<lane_real> lane_time;

template <int Width>
struct lane_runs;  // lane_sde.h, in kernels with noise

// lane_sde.h: a stochastic kernel whose controller adapts the step gives each
// lane its own Brownian cache (its runs step at their own times); at fixed
// steps the lanes share one descent and step in lockstep.
template <int Width>
struct wiener_per_lane {
  static constexpr bool value = cubie_layout::controller != CONTROLLER_FIXED;
};

// Whether the stepper keeps a Brownian path (a stochastic method's Memory has a WienerCache).
template <class Memory, class = void>
struct keeps_wiener {
  static constexpr bool value = false;
};
template <class Memory>
struct keeps_wiener<Memory, decltype(static_cast<void>(&Memory::wiener))> {
  static constexpr bool value = true;
};

// A per-lane count, in the integers a lane mask is made of: ++ counts one for
// each lane in the context's `counting` (generated code writes ++ctx.jacobian_evaluations).
struct LaneCounter {
  typename mask_of<lane_real>::native v;
  const mask_of<lane_real>* counting;
  CUBIE_FN LaneCounter& operator++() {
    v -= counting->m;
    return *this;
  }
  CUBIE_FN LaneCounter& operator-=(const typename mask_of<lane_real>::native& lanes) {
    v -= lanes;
    return *this;
  }
};

// What a stepper may ask of W runs: RunContext's right-hand side and
// tolerances, lane by lane. Evaluations are counted for the lanes in
// `counting`, those whose run the call serves.
struct LaneContext {
  const Args& args;
  const lane_real* __restrict__ p;
  lane_real atol_[n_states];
  lane_real rtol_[n_states];
  mutable mask_of<lane_real> counting;
  // Per lane: the counters integrate_run reports (a lane's mask is -1 where it counts).
  mutable typename mask_of<lane_real>::native rhs_evaluations, factorizations, newton_iterations, linear_iterations;
  mutable LaneCounter jacobian_evaluations;
  // Lanes whose implicit solve failed in this step (CUBIE_REQUIRE_SOLVED): RunContext's newton_failed.
  mutable mask_of<lane_real> failed;
  // RunContext's: a failed stage retries with a fresh Jacobian only on fixed steps (newton.h).
  static constexpr bool refreshes_jacobian = cubie_layout::controller == CONTROLLER_FIXED;
  // Noise: each lane's run's batch index (RunContext::brownian).
  unsigned int run_index[W];

  // The first lane of those the call serves: a stochastic step reads the lanes' shared times there.
  CUBIE_FN int lead_lane() const {
    const unsigned bits = simd::bits_of(counting);
    return bits == 0 ? 0 : __builtin_ctz(bits);
  }
  // RunContext::brownian for the W runs in the lanes, one Philox run word per lane.
  template <class Runs = lane_runs<W>>
  CUBIE_FN brownian_tree<real, Runs> brownian() const {
    Runs runs;
    for (int l = 0; l < W; ++l) runs.v[l] = run_index[l];
    return brownian_of(runs);
  }
  // RunContext::brownian of lane l's run alone: the scalar engine's tree (per-lane Brownian caches, lane_sde.h).
  CUBIE_FN brownian_tree<real> brownian_run(int l) const { return brownian_of(run_index[l]); }
  template <class Runs>
  CUBIE_FN brownian_tree<real, Runs> brownian_of(const Runs& runs) const {
    const unsigned long long seed = (static_cast<unsigned long long>(scalar_arg<S_SEED_HIGH>(args)) << 32) |
                                    static_cast<unsigned long long>(scalar_arg<S_SEED_LOW>(args));
    const double span = scalar_arg<S_SETTLING_TIME>(args) + scalar_arg<S_DURATION>(args);
    return brownian_tree<real, Runs>::make(seed, runs, static_cast<real>(scalar_arg<S_T0>(args)), static_cast<real>(span),
                                           static_cast<real>(scalar_arg<S_BROWNIAN_TOLERANCE>(args)));
  }

  CUBIE_FN const lane_real* atol() const { return atol_; }
  CUBIE_FN const lane_real* rtol() const { return rtol_; }
  CUBIE_FN lane_real newton_tol() const { return lane_real(static_cast<real>(scalar_arg<S_NEWTON_TOL>(args))); }
  CUBIE_FN int newton_max_iters() const { return static_cast<int>(scalar_arg<S_NEWTON_MAX_ITERS>(args)); }
  CUBIE_FN real linear_tol() const { return static_cast<real>(scalar_arg<S_LINEAR_TOL>(args)); }
  CUBIE_FN int linear_max_iters() const { return static_cast<int>(scalar_arg<S_LINEAR_MAX_ITERS>(args)); }

  // Each lane's drivers at its own time, from the scalar evaluation.
  CUBIE_FN void drivers_at(const lane_time& t, lane_real* d, lane_real* ddot = nullptr) const {
    if (n_drivers > 0) {
      const int n_knots = static_cast<int>(scalar_arg<S_DRIVER_KNOTS>(args));
      if (n_knots > 1) {
        const SampledDrivers<real> drivers = sampled_drivers(args, n_knots);
        for (int l = 0; l < W; ++l) {
          real values[Slots<n_drivers>::value], rates[Slots<n_drivers>::value];
          drivers.template values<Slots<n_drivers>::value>(t[l], values, ddot != nullptr ? rates : nullptr);
          for (int k = 0; k < n_drivers; ++k) d[k].set(l, values[k]);
          if (ddot != nullptr) {
            for (int k = 0; k < n_drivers; ++k) ddot[k].set(l, rates[k]);
          }
        }
        return;
      }
    }
    for (int k = 0; k < Slots<n_drivers>::value; ++k) {
      d[k] = lane_real(0);
      if (ddot != nullptr) ddot[k] = lane_real(0);
    }
  }
  CUBIE_FN void rhs(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ dy) const {
    lane_real d[Slots<n_drivers>::value];
    drivers_at(t, d);
    cubie_sys::dxdt(y, p, d, lane_real(t), dy);
    rhs_evaluations -= counting.m;  // a lane's mask is -1 where it counts
  }
  // Row-major n_states x n_states, every lane's own.
  CUBIE_FN void jacobian(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ J) const {
    jacobian_for(counting, t, y, J);
  }
  CUBIE_FN void jacobian_for(const mask_of<lane_real>& lanes, const lane_time& t, const lane_real* __restrict__ y,
                             lane_real* __restrict__ J) const {
    lane_real d[Slots<n_drivers>::value];
    drivers_at(t, d);
    cubie_sys::jacobian(y, p, d, lane_real(t), J);
    jacobian_evaluations -= lanes.m;
    if constexpr (cubie_sys::jacobian_may_overflow) replace_nonfinite_columns(lanes, t, d, y, J);
  }
  // RunContext::replace_nonfinite_values (engine.h), lane by lane: the
  // sparse linear solvers' J values (lane_sparse.h), their structural
  // nonzeros in pattern order, checked and differenced in the lanes the call
  // serves as the dense J is. (Values::column_finite and replace_nonfinite
  // are generated only for a system that may overflow.)
  template <class Values>
  CUBIE_FN void replace_nonfinite_values(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ jv) const {
    if constexpr (cubie_sys::jacobian_may_overflow) {
      mask_of<lane_real> finite = all_lanes<lane_real>();
      for (int k = 0; k < Values::n_jacobian; ++k) finite = finite && jv[k] - jv[k] == real(0);
      if (!simd::any(counting && !finite)) return;
      lane_real d[Slots<n_drivers>::value];
      drivers_at(t, d);
      replace_nonfinite_columns(counting, t, d, y, SparseColumns<Values>{jv});
    } else {
      (void)t, (void)y, (void)jv;
    }
  }
  // RunContext's column access, lane by lane: each test a mask, each replacement only in the lanes given.
  struct DenseColumns {
    lane_real* __restrict__ J;
    static constexpr int n_entries = n_states * n_states;
    CUBIE_FN mask_of<lane_real> entry_finite(int k) const { return J[k] - J[k] == real(0); }
    CUBIE_FN mask_of<lane_real> finite(int j) const {
      mask_of<lane_real> ok = all_lanes<lane_real>();
      for (int i = 0; i < n_states; ++i) ok = ok && J[i * n_states + j] - J[i * n_states + j] == real(0);
      return ok;
    }
    CUBIE_FN void replace(int j, const lane_real* __restrict__ c, const mask_of<lane_real>& lanes) const {
      for (int i = 0; i < n_states; ++i) {
        J[i * n_states + j] = select(lanes && !(J[i * n_states + j] - J[i * n_states + j] == real(0)), c[i], J[i * n_states + j]);
      }
    }
  };
  template <class Values>
  struct SparseColumns {
    lane_real* __restrict__ jv;
    static constexpr int n_entries = Values::n_jacobian;
    CUBIE_FN mask_of<lane_real> entry_finite(int k) const { return jv[k] - jv[k] == real(0); }
    CUBIE_FN mask_of<lane_real> finite(int j) const { return Values::column_finite(j, jv); }
    // The generated replacement (every lane's entries that are not finite in column j), kept in `lanes` only.
    CUBIE_FN void replace(int j, const lane_real* __restrict__ c, const mask_of<lane_real>& lanes) const {
      lane_real before[Values::n_jacobian];
      for (int k = 0; k < Values::n_jacobian; ++k) before[k] = jv[k];
      Values::replace_nonfinite(j, c, jv);
      for (int k = 0; k < Values::n_jacobian; ++k) jv[k] = select(lanes, jv[k], before[k]);
    }
  };
  // RunContext::replace_nonfinite_columns (engine.h), lane by lane: a lane
  // whose J has an entry that is not finite differences those columns from
  // f, with the same increment, and counts the evaluations its run would.
  CUBIE_FN void replace_nonfinite_columns(const mask_of<lane_real>& lanes, const lane_time& t, const lane_real* __restrict__ d,
                                          const lane_real* __restrict__ y, lane_real* __restrict__ J) const {
    replace_nonfinite_columns(lanes, t, d, y, DenseColumns{J});
  }
  template <class Columns>
  CUBIE_FN void replace_nonfinite_columns(const mask_of<lane_real>& lanes, const lane_time& t, const lane_real* __restrict__ d,
                                          const lane_real* __restrict__ y, const Columns& columns) const {
    typedef mask_of<lane_real> M;
    M broken = lane_real(real(0)) != lane_real(real(0));
    for (int k = 0; k < Columns::n_entries; ++k) broken = broken || !columns.entry_finite(k);
    broken = broken && lanes;
    if (!simd::any(broken)) return;
    const real eps = sizeof(real) == sizeof(float) ? real(1.1920929e-7) : real(2.220446049250313e-16);
    lane_real f0[n_states], yh[n_states], fh[n_states];
    cubie_sys::dxdt(y, p, d, lane_real(t), f0);
    rhs_evaluations -= broken.m;
    for (int i = 0; i < n_states; ++i) yh[i] = y[i];
    for (int j = 0; j < n_states; ++j) {
      const M column = !columns.finite(j) && broken;
      if (!simd::any(column)) continue;
      yh[j] = y[j] + sqrt(eps * fmax(lane_real(real(1e-5)), fabs(y[j])));
      const lane_real h = yh[j] - y[j];
      cubie_sys::dxdt(yh, p, d, lane_real(t), fh);
      rhs_evaluations -= column.m;
      for (int i = 0; i < n_states; ++i) fh[i] = (fh[i] - f0[i]) / h;
      columns.replace(j, fh, column);
      yh[j] = y[j];
    }
  }
  // J v for the matrix-free solvers (lane_krylov.h), every lane at its own
  // time, with RunContext::jvp's fallback in the lanes the product serves
  // (`lanes`: those whose GMRES asks for it, as their runs would).
  CUBIE_FN void jvp(const lane_time& t, const lane_real* __restrict__ y, const lane_real* __restrict__ v, lane_real* __restrict__ Jv) const {
    jvp_for(counting, t, y, v, Jv);
  }
  CUBIE_FN void jvp_for(const mask_of<lane_real>& lanes, const lane_time& t, const lane_real* __restrict__ y,
                        const lane_real* __restrict__ v, lane_real* __restrict__ Jv) const {
    lane_real d[Slots<n_drivers>::value];
    drivers_at(t, d);
    cubie_sys::jvp(y, p, d, lane_real(t), v, Jv);
    if constexpr (cubie_sys::jacobian_may_overflow) {
      mask_of<lane_real> finite = all_lanes<lane_real>();
      for (int i = 0; i < n_states; ++i) finite = finite && Jv[i] - Jv[i] == real(0);
      const mask_of<lane_real> broken = lanes && !finite;
      if (simd::any(broken)) replace_nonfinite_product(broken, t, d, y, v, Jv);
    } else {
      (void)lanes;
    }
  }
  // RunContext::replace_nonfinite_product (engine.h) in the lanes `broken`.
  CUBIE_FN void replace_nonfinite_product(const mask_of<lane_real>& broken, const lane_time& t, const lane_real* __restrict__ d,
                                          const lane_real* __restrict__ y, const lane_real* __restrict__ v,
                                          lane_real* __restrict__ Jv) const {
    const real eps = sizeof(real) == sizeof(float) ? real(1.1920929e-7) : real(2.220446049250313e-16);
    lane_real norm_y = lane_real(real(0)), norm_v = lane_real(real(0));
    for (int i = 0; i < n_states; ++i) {
      norm_y += y[i] * y[i];
      norm_v += v[i] * v[i];
    }
    const mask_of<lane_real> moving = broken && !(norm_v == real(0));
    lane_real f0[n_states], yh[n_states], fh[n_states];
    for (int i = 0; i < n_states; ++i) fh[i] = lane_real(real(0));
    if (simd::any(moving)) {
      const lane_real h = lane_real(sqrt(eps)) * (lane_real(real(1)) + sqrt(norm_y)) / sqrt(norm_v);
      for (int i = 0; i < n_states; ++i) yh[i] = y[i] + h * v[i];
      cubie_sys::dxdt(y, p, d, lane_real(t), f0);
      cubie_sys::dxdt(yh, p, d, lane_real(t), fh);
      rhs_evaluations -= moving.m;
      rhs_evaluations -= moving.m;
      for (int i = 0; i < n_states; ++i) fh[i] = select(moving, (fh[i] - f0[i]) / h, lane_real(real(0)));
    }
    for (int i = 0; i < n_states; ++i) Jv[i] = select(broken && !(Jv[i] - Jv[i] == real(0)), fh[i], Jv[i]);
  }
  CUBIE_FN void dfdt(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ ft) const {
    lane_real d[Slots<n_drivers>::value], ddot[Slots<n_drivers>::value];
    drivers_at(t, d, ddot);
    cubie_sys::dfdt(y, p, d, ddot, lane_real(t), ft);
  }
  CUBIE_FN void count_factorizations(const mask_of<lane_real>& lanes) const { factorizations -= lanes.m; }
  CUBIE_FN void count_newton_iterations(const mask_of<lane_real>& lanes) const { newton_iterations -= lanes.m; }
  // A lane whose solve failed is done with this step, as a run whose stepper returned: the rest of
  // the step computes on it (the others need the instructions) but counts nothing for it.
  CUBIE_FN void require_solved(const mask_of<lane_real>& solved) const {
    failed = failed || !solved;
    counting = counting && solved;
  }
  CUBIE_FN void observables_at(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ obs) const {
    lane_real d[Slots<n_drivers>::value];
    drivers_at(t, d);
    cubie_sys::observables(y, p, d, lane_real(t), obs);
  }
};

CUBIE_FN bool lane_on(unsigned mask, int l) { return ((mask >> l) & 1u) != 0; }

typedef mask_of<lane_real> lane_mask;
// Per-lane counts, in the integers a lane mask is made of.
typedef typename lane_mask::native lane_count;

// Every lane's controller history (controllers.h's ControllerHistory), as vectors.
struct LaneHistory {
  lane_real log_err_prev, log_err_prev2, dt_accepted;
};

// accepted_factor (controllers.h) for the lanes in `accepted`, all at once:
// the same operations on vectors, plain_math.h's log and exp among them, so
// a lane's next step is the scalar engine's bit for bit. Other lanes'
// history is kept.
template <int Kind>
CUBIE_FN lane_real accepted_factors(const lane_real& log_err, const lane_real& dt, real inv_k,
                                    const ControllerGains<real>& g, LaneHistory& h, const lane_mask& accepted) {
  lane_real factor;
  if (Kind == CONTROLLER_I) {
    factor = g.safety * exp_open(-inv_k * log_err);
  } else if (Kind == CONTROLLER_PI || Kind == CONTROLLER_PID) {
    const lane_real log_e1 = select(h.log_err_prev > real(0), log_err, h.log_err_prev);
    lane_real exponent = (-g.kp * inv_k) * log_err + (-g.ki * inv_k) * log_e1;
    if (Kind == CONTROLLER_PID) exponent += (-g.kd * inv_k) * select(h.log_err_prev2 > real(0), log_e1, h.log_err_prev2);
    factor = g.safety * exp_open(exponent);
  } else {  // Gustafsson
    factor = g.safety * exp_open(-inv_k * log_err);
    const lane_real predictive = g.safety * (dt / h.dt_accepted) * exp_open(inv_k * (h.log_err_prev - log_err) - inv_k * log_err);
    factor = select(h.dt_accepted > real(0), fmin(factor, predictive), factor);
    h.dt_accepted = select(accepted, dt, h.dt_accepted);
  }
  h.log_err_prev2 = select(accepted, h.log_err_prev, h.log_err_prev2);
  h.log_err_prev = select(accepted, fmax(log_err, lane_real(log_error_kept_floor<real>())), h.log_err_prev);
  return fmin(lane_real(g.max_gain), fmax(lane_real(g.min_gain), factor));
}

// Every lane's time (run_time.h's RunTime<real>), as vectors: the same
// arithmetic lane by lane, so a lane's clock reads as the scalar engine's.
// A float64 build keeps a double; a float32 build two floats, hi + lo.
template <class R>
struct WideClock {
  typedef simd::vec<R, W> V;
  V t;
  static CUBIE_FN WideClock from(const V& v) { return {v}; }
  CUBIE_FN V value() const { return t; }
  CUBIE_FN V until(const WideClock& later) const { return later.t - t; }
  CUBIE_FN V magnitude() const { return fabs(t); }
  CUBIE_FN WideClock after(const V& h) const { return {t + h}; }
  CUBIE_FN RunTime<R> get(int l) const { return {t[l]}; }
  CUBIE_FN void set(int l, const RunTime<R>& v) { t.set(l, v.t); }
  friend CUBIE_FN WideClock select(const mask_of<V>& c, const WideClock& a, const WideClock& b) { return {select(c, a.t, b.t)}; }
};

template <class R>
struct SplitClock {
  typedef simd::vec<R, W> V;
  typedef simd::vec<double, W> D;
  V hi, lo;
  static CUBIE_FN SplitClock from(const D& v) {
    const V hi = V(v);
    return {hi, V(v - D(hi))};
  }
  CUBIE_FN D value() const { return D(hi) + D(lo); }
  CUBIE_FN V until(const SplitClock& later) const { return (later.hi - hi) + (later.lo - lo); }
  CUBIE_FN V magnitude() const { return fabs(hi); }
  CUBIE_FN SplitClock after(const V& h) const {
    const V s = hi + h;
    const V hv = s - hi;
    const V e = (hi - (s - hv)) + (h - hv) + lo;
    const V top = s + e;
    return {top, e - (top - s)};
  }
  CUBIE_FN RunTime<R> get(int l) const { return {hi[l], lo[l]}; }
  CUBIE_FN void set(int l, const RunTime<R>& v) {
    hi.set(l, v.hi);
    lo.set(l, v.lo);
  }
  friend CUBIE_FN SplitClock select(const mask_of<V>& c, const SplitClock& a, const SplitClock& b) {
    return {select(c, a.hi, b.hi), select(c, a.lo, b.lo)};
  }
};

typedef typename std::conditional<std::is_same<real, double>::value, WideClock<real>, SplitClock<real>>::type lane_clock;


// step_floor and landing_slack (engine.h) for every lane.
CUBIE_FN lane_real step_floors(const Args& a, const lane_clock& t) {
  return fmax(lane_real(real_arg_dt_min(a)), real(4) * RunTime<real>::spacing() * t.magnitude());
}
CUBIE_FN lane_real landing_slacks(const lane_clock& at) { return real(1e-12) * fmax(lane_real(real(1)), at.magnitude()); }

// rejected_factor (controllers.h) for every lane.
CUBIE_FN lane_real rejected_factors(const lane_real& err, const lane_real& log_err, real inv_k, const ControllerGains<real>& g) {
  const lane_real shrink = fmin(lane_real(g.max_gain), fmax(lane_real(g.min_gain), fmin(lane_real(real(1)), g.safety * exp_open(-inv_k * log_err))));
  return select(!(err == err) || err > real(1e30), lane_real(g.min_gain), shrink);
}

template <class Mask>
CUBIE_FN unsigned lane_bits(const Mask& m) {
  return simd::bits_of(m);
}
CUBIE_FN lane_mask lane_mask_of(unsigned bits) { return simd::mask_from_bits<real, W>(bits); }

// crosses (events.h) for every lane.
CUBIE_FN lane_mask crosses_lanes(int direction, const lane_real& before, const lane_real& after) {
  const lane_mask rising = before < real(0) && after >= real(0);
  const lane_mask falling = before > real(0) && after <= real(0);
  return direction > 0 ? rising : direction < 0 ? falling : (rising || falling);
}

// A new run in lane l: the stepper's memory keeps nothing of the last one
// (an implicit stepper's kept Jacobian and factors; an explicit one keeps nothing to reset).
template <class Memory>
CUBIE_FN auto reset_memory_lane(Memory& memory, int l, int) -> decltype(memory.linear.reset_lane(l), void()) {
  memory.linear.reset_lane(l);
}
template <class Memory>
CUBIE_FN auto reset_memory_lane(Memory& memory, int l, int) -> decltype(memory.wiener.reset_lane(l), void()) {
  memory.wiener.reset_lane(l);
}
// Radau's (radau-stepper.ts): its kept J and factors (the complex block is refactored with the
// real one), and no collocation polynomial to start Newton from, nor a last rate.
template <class Memory>
CUBIE_FN auto reset_memory_lane(Memory& memory, int l, int) -> decltype(memory.real_block.reset_lane(l), void()) {
  memory.real_block.reset_lane(l);
  memory.z_dt.set(l, real(0));
  memory.z_end.set(l, 0.0);
  memory.newton_factor.set(l, real(1));
}
template <class Memory>
CUBIE_FN void reset_memory_lane(Memory&, int, long) {}
// A DIRK's (dirk-stepper.ts): no last step to start Newton from.
template <class Memory>
CUBIE_FN auto reset_predictor_lane(Memory& memory, int l, int) -> decltype(memory.last_dt.set(l, real(0)), void()) {
  memory.last_dt.set(l, real(0));
  memory.last_end.set(l, 0.0);
}
template <class Memory>
CUBIE_FN void reset_predictor_lane(Memory&, int, long) {}

CUBIE_FN void integrate_lanes(const Args& args, long long begin, long long end) {
  constexpr int error_exponent =
      (cubie_method::order < cubie_method::error_order ? cubie_method::order : cubie_method::error_order) + 1;
  constexpr real inv_k = real(1) / real(error_exponent);
  constexpr bool adaptive = cubie_layout::controller != CONTROLLER_FIXED;
  constexpr bool interpolating = cubie_layout::interpolate_saves;
  // A stochastic kernel at fixed steps: its lanes share one descent of the Brownian tree (lane_sde.h).
  constexpr bool noise = keeps_wiener<cubie_layout::StepperMemory>::value;
  constexpr bool lockstep = noise && !wiener_per_lane<W>::value;
  constexpr bool has_events = cubie_events::n_events > 0;
  constexpr bool has_crossings = cubie_events::n_crossing > 0;
  constexpr bool has_discrete = cubie_events::n_discrete > 0;
  constexpr int n_when = EventSlots<cubie_events::n_crossing>::value;
  // Lanes in lockstep share their step times. A stochastic system's events are discrete (no
  // crossings), at times every run shares, so they keep the lanes together.
  static_assert(!(has_crossings && lockstep), "a stochastic system has no crossing events (src/system)");
  // integrate_run's: a crossing is located on the continuous extension of the step it falls in.
  constexpr bool dense = interpolating || has_crossings;
  const long long n_runs = static_cast<long long>(args.s[S_N_RUNS]);
  const int max_steps = static_cast<int>(scalar_arg<S_MAX_STEPS>(args));
  const int saves = n_saves(args);
  const lane_clock t_target = lane_clock::from(lane_time(save_time(args, saves - 1)));

  lane_real y[n_states], y_new[n_states], f0[n_states], f1[n_states], scratch[n_states];
  lane_real y_old[dense ? n_states : 1], f_old[dense ? n_states : 1];
  lane_real p[Slots<n_parameters>::value];
  for (int i = 0; i < n_states; ++i) y[i] = f0[i] = y_new[i] = f1[i] = lane_real(0);
  for (int j = 0; j < Slots<n_parameters>::value; ++j) p[j] = lane_real(0);
  LaneContext ctx = {args, p, {}, {}, {}, {}, {}, {}, {}, {{}, nullptr}, {}, {}};
  ctx.jacobian_evaluations.counting = &ctx.counting;
  for (int i = 0; i < n_states; ++i) {
    ctx.atol_[i] = lane_real(buffer_arg<const real, B_ATOL>(args)[i]);
    ctx.rtol_[i] = lane_real(buffer_arg<const real, B_RTOL>(args)[i]);
  }
  cubie_layout::StepperMemory memory;
  LaneHistory history = {lane_real(real(1)), lane_real(real(1)), lane_real(real(0))};

  // What integrate_run keeps in locals, for every lane: vectors where every step reads them,
  // scalars per lane where only the rare paths (saves landed on, a run's end) do.
  const lane_time zero_time(0.0);
  lane_clock t = lane_clock::from(zero_time), t_next = t, t_begin = t;
  lane_time save_next = zero_time;  // save_time(k): the next save, as a double
  lane_real dt(real(0));
  int run[W], k[W], status[W];
  lane_count accepted = {}, rejected = {};
  alignas(Saver) unsigned char saver_storage[W * sizeof(Saver)];
  Saver* saver = reinterpret_cast<Saver*>(saver_storage);
  for (int l = 0; l < W; ++l) {
    run[l] = -1;
    k[l] = status[l] = 0;
    new (&saver[l]) Saver{args, -1, 0, {}};
  }
  unsigned active = 0;    // lanes whose run goes on: status 0, saves left
  unsigned occupied = 0;  // lanes holding a run (run[l] >= 0), finished or not
  long long next = begin;

  // Events: integrate_run's RunEvents per lane (its g unused), the `when`
  // values at each lane's time as vectors, and each lane's next discrete time.
  RunEvents<real> events[W];
  lane_real g_when[n_when];
  for (int c = 0; c < n_when; ++c) g_when[c] = lane_real(real(0));
  lane_clock t_event = lane_clock::from(lane_time(never()));

  // Save k of each lane in `mask`, at that lane's time in ts, from that lane of ys.
  auto save_lanes = [&](unsigned mask, const lane_time& ts, const lane_real* ys) {
    lane_real obs[Slots<n_observables>::value];
    if (cubie_layout::needs_observables) ctx.observables_at(ts, ys, obs);
    lane_real values[Slots<cubie_layout::n_saved>::value], x[Slots<cubie_summary::n_summarised>::value];
    if (cubie_layout::n_saved > 0) cubie_layout::gather_saved(ys, obs, values);
#ifdef CUBIE_SAVES_WIENER
    if (lockstep) {
      // 'wiener' outputs: a fixed-step stochastic kernel's lanes step together, so the saving lanes share their time.
      cubie_layout::gather_wiener(ctx, ts[__builtin_ctz(mask)], values);
    } else {
      // Lanes at their own times: each saving lane's W at its own (the other columns kept).
      for (int l = 0; l < W; ++l) {
        if (!lane_on(mask, l)) continue;
        lane_real at_l[Slots<cubie_layout::n_saved>::value];
        for (int j = 0; j < cubie_layout::n_saved; ++j) at_l[j] = values[j];
        cubie_layout::gather_wiener(ctx, ts[l], at_l);
        for (int j = 0; j < cubie_layout::n_saved; ++j) values[j].set(l, at_l[j][l]);
      }
    }
#endif
    if (cubie_summary::n_columns > 0) cubie_layout::gather_summarised(ys, obs, x);
    for (int l = 0; l < W; ++l) {
      if (!lane_on(mask, l)) continue;
      real lane_values[Slots<cubie_layout::n_saved>::value], lane_x[Slots<cubie_summary::n_summarised>::value];
      for (int j = 0; j < cubie_layout::n_saved; ++j) lane_values[j] = values[j][l];
      for (int j = 0; j < cubie_summary::n_summarised; ++j) lane_x[j] = x[j][l];
      saver[l].record(k[l], ts[l], lane_values, lane_x);
    }
  };
  // Lane l's save k is done: the next one, or the run's end.
  auto advance_save = [&](int l) {
    if (++k[l] == saves) {
      active &= ~(1u << l);
      return;
    }
    const double tk = save_time(args, k[l]);
    t_next.set(l, RunTime<real>::from(tk));
    save_next.set(l, tk);
  };
  auto finish = [&](int l) {
    if (status[l] != 0) {
      saver[l].fill_missing(k[l]);
    } else if (cubie_summary::n_columns > 0) {
      saver[l].write_window();
    }
    if (cubie_events::records) finish_event_records(args, run[l], events[l]);
    static_cast<int*>(args.b[B_STATUS])[run[l]] = status[l];
    int* counters = static_cast<int*>(args.b[B_COUNTERS]);
    if (counters != nullptr) {
      counters[C_ACCEPTED * n_runs + run[l]] = static_cast<int>(accepted[l]);
      counters[C_REJECTED * n_runs + run[l]] = static_cast<int>(rejected[l]);
      counters[C_RHS_EVALUATIONS * n_runs + run[l]] = static_cast<int>(ctx.rhs_evaluations[l]);
      counters[C_JACOBIAN_EVALUATIONS * n_runs + run[l]] = static_cast<int>(ctx.jacobian_evaluations.v[l]);
      counters[C_NEWTON_ITERATIONS * n_runs + run[l]] = static_cast<int>(ctx.newton_iterations[l]);
      counters[C_LINEAR_ITERATIONS * n_runs + run[l]] = static_cast<int>(ctx.linear_iterations[l]);
      counters[C_FACTORIZATIONS * n_runs + run[l]] = static_cast<int>(ctx.factorizations[l]);
    }
    run[l] = -1;
    occupied &= ~(1u << l);
  };
  // Idle lanes take the next runs: state, parameters, f0 and (adaptive, no dt given) the starting
  // step. Returns the lanes that started.
  auto start_runs = [&]() -> unsigned {
    constexpr unsigned every_lane = (1u << W) - 1u;  // W <= 16: lane sets are bits of an unsigned
    if (lockstep ? occupied != 0 : occupied == every_lane || next >= end) return 0u;
    unsigned starting = 0;
    lane_time t0 = zero_time;
    for (int l = 0; l < W && next < end; ++l) {
      if (run[l] >= 0) continue;
      run[l] = static_cast<int>(next++);
      occupied |= 1u << l;
      if (noise) ctx.run_index[l] = static_cast<unsigned int>(buffer_arg<const double, B_RUN_INDEX>(args)[run[l]]);
      for (int i = 0; i < n_states; ++i) y[i].set(l, static_cast<const real*>(args.b[B_FIXED_COUNT + i])[run[l]]);
      for (int j = 0; j < n_parameters; ++j) p[j].set(l, static_cast<const real*>(args.b[B_FIXED_COUNT + n_states + j])[run[l]]);
      t.set(l, RunTime<real>::from(args.s[S_T0]));
      t_next.set(l, RunTime<real>::from(save_time(args, 0)));
      save_next.set(l, save_time(args, 0));
      dt.set(l, static_cast<real>(args.s[S_DT]));
      k[l] = 0;
      accepted[l] = rejected[l] = 0;
      bool finite = true;
      for (int i = 0; i < n_states; ++i) finite = finite && y[i][l] - y[i][l] == real(0);
      status[l] = finite ? 0 : STATUS_NONFINITE;
      if (finite) active |= 1u << l;
      history.log_err_prev.set(l, real(1));
      history.log_err_prev2.set(l, real(1));
      history.dt_accepted.set(l, real(0));
      saver[l].run = run[l];
      saver[l].window = 0;
      saver[l].summary = cubie_summary::State();
      ctx.rhs_evaluations[l] = ctx.jacobian_evaluations.v[l] = ctx.factorizations[l] = ctx.newton_iterations[l] = ctx.linear_iterations[l] = 0;
      reset_memory_lane(memory, l, 0);
      reset_predictor_lane(memory, l, 0);
      t0.set(l, t.get(l).value());
      starting |= 1u << l;
    }
    if (starting == 0) return 0u;
    ctx.counting = lane_mask_of(starting);
    ctx.rhs(t0, y, scratch);
    const lane_mask started = lane_mask_of(starting);
    for (int i = 0; i < n_states; ++i) f0[i] = select(started, scratch[i], f0[i]);
    if (!adaptive) return starting;
    // initial_step (engine.h), lane by lane around one evaluation of f at y + h0 f0.
    const real dt_min = real_arg_dt_min(args), dt_max = real_arg_dt_max(args);
    unsigned guessing = 0;
    real d1[W], h0[W];
    lane_time t1 = zero_time;
    lane_real y1[n_states];
    for (int i = 0; i < n_states; ++i) y1[i] = y[i];
    for (int l = 0; l < W; ++l) {
      if (!lane_on(starting, l) || dt[l] > real(0)) continue;
      guessing |= 1u << l;
      real d0 = real(0);
      d1[l] = real(0);
      for (int i = 0; i < n_states; ++i) {
        const real yi = y[i][l], fi = f0[i][l];
        real scale = ctx.atol_[i][l] + ctx.rtol_[i][l] * fabs(yi);
        d0 += (yi / scale) * (yi / scale);
        d1[l] += (fi / scale) * (fi / scale);
      }
      d0 = sqrt(d0 / real(n_states));
      d1[l] = sqrt(d1[l] / real(n_states));
      real h = (d0 < real(1e-5) || d1[l] < real(1e-5)) ? real(1e-6) : real(0.01) * d0 / d1[l];
      h0[l] = fmin(h, dt_max);
      for (int i = 0; i < n_states; ++i) y1[i].set(l, y[i][l] + h0[l] * f0[i][l]);
      t1.set(l, t0[l] + static_cast<double>(h0[l]));
    }
    if (guessing == 0) return starting;
    ctx.counting = lane_mask_of(guessing);
    ctx.rhs(t1, y1, scratch);
    for (int l = 0; l < W; ++l) {
      if (!lane_on(guessing, l)) continue;
      real d2 = real(0);
      for (int i = 0; i < n_states; ++i) {
        real scale = ctx.atol_[i][l] + ctx.rtol_[i][l] * fabs(y[i][l]);
        real r = (scratch[i][l] - f0[i][l]) / scale;
        d2 += r * r;
      }
      d2 = sqrt(d2 / real(n_states)) / h0[l];
      real dmax = fmax(d1[l], d2);
      real h1 = dmax <= real(1e-15) ? fmax(real(1e-6), h0[l] * real(1e-3))
                                    : pow(real(0.01) / dmax, real(1) / real(cubie_method::order + 1));
      real h = fmin(real(100) * h0[l], h1);
      if (!(h == h)) h = real(1e-6) * dt_max;
      dt.set(l, fmin(dt_max, fmax(dt_min, h)));
    }
    return starting;
  };

  // when_at (engine.h) for every lane, each at its own time.
  auto when_lanes = [&](const lane_time& ts, const lane_real* __restrict__ ys, lane_real* __restrict__ g) {
    lane_real d[Slots<n_drivers>::value];
    ctx.drivers_at(ts, d);
    cubie_events::when(ys, p, d, lane_real(ts), g);
  };
  // when_at then take_sides (engine.h) at each lane's (t, y, f0, dt), for the lanes in `lanes`;
  // fired[c]: the lanes where crossing c just fired (null: none).
  auto take_sides_lanes = [&](unsigned lanes, const unsigned* fired) {
    const lane_time tv = t.value();
    lane_real g_now[n_when], g_ahead[n_when], y_ahead[n_states];
    when_lanes(tv, y, g_now);
    const lane_real delta = side_probe_fraction<real>() * dt;
    for (int i = 0; i < n_states; ++i) y_ahead[i] = y[i] + delta * f0[i];
    when_lanes(tv + lane_time(delta), y_ahead, g_ahead);
    const lane_mask m = lane_mask_of(lanes);
    for (int c = 0; c < cubie_events::n_crossing; ++c) {
      lane_mask at_root = fabs(g_now[c]) <= fabs(g_ahead[c] - g_now[c]);
      if (fired != nullptr) at_root = at_root || lane_mask_of(fired[c]);
      g_when[c] = select(m, select(at_root, g_ahead[c], g_now[c]), g_when[c]);
    }
  };
  // restart_after_events (engine.h) for the lanes in `lanes`.
  auto restart_lanes = [&](unsigned lanes, const unsigned* fired) {
    const lane_mask m = lane_mask_of(lanes);
    ctx.counting = m;
    ctx.rhs(t.value(), y, scratch);
    for (int i = 0; i < n_states; ++i) f0[i] = select(m, scratch[i], f0[i]);
    history.log_err_prev = select(m, lane_real(real(1)), history.log_err_prev);
    history.log_err_prev2 = select(m, lane_real(real(1)), history.log_err_prev2);
    history.dt_accepted = select(m, lane_real(real(0)), history.dt_accepted);
    if (has_crossings) take_sides_lanes(lanes, fired);
    if (has_discrete) {
      for (int l = 0; l < W; ++l) {
        if (lane_on(lanes, l)) t_event.set(l, next_discrete_time(args, events[l]));
      }
    }
  };
  // fire_event (engine.h) in the lanes `lanes`, each at its own time: recorded (the state before) and
  // counted lane by lane, the assignments applied to those lanes at once. Each lane's status bits
  // that end its run, if any, are added to ended[l].
  auto fire_lanes = [&](unsigned lanes, int e, int* ended) {
    const lane_time te = t.value();
    const int terminal = cubie_events::terminal(e);
    for (int l = 0; l < W; ++l) {
      if (!lane_on(lanes, l)) continue;
      RunEvents<real>& ev = events[l];
      if (cubie_events::records && ev.count < static_cast<int>(scalar_arg<S_MAX_EVENT_RECORDS>(args))) {
        const long long r = static_cast<long long>(ev.count) * n_runs + run[l];
        buffer_arg<double, B_EVENT_TIME>(args)[r] = te[l];
        buffer_arg<int, B_EVENT_WHICH>(args)[r] = e;
        real* state = buffer_arg<real, B_EVENT_STATE>(args) + static_cast<long long>(ev.count) * n_states * n_runs + run[l];
        for (int i = 0; i < n_states; ++i) state[i * n_runs] = y[i][l];
      }
      ++ev.count;
      ++ev.fired[e];
      if (terminal > 0 && ev.fired[e] >= terminal) ended[l] |= STATUS_TERMINATED;
      if (ev.count > static_cast<int>(scalar_arg<S_MAX_EVENTS>(args))) ended[l] |= STATUS_TOO_MANY_EVENTS;
    }
    lane_real d[Slots<n_drivers>::value], assigned[n_states];
    ctx.drivers_at(te, d);
    for (int i = 0; i < n_states; ++i) assigned[i] = y[i];
    cubie_events::apply(e, assigned, p, d, lane_real(te));
    const lane_mask m = lane_mask_of(lanes);
    for (int i = 0; i < n_states; ++i) y[i] = select(m, assigned[i], y[i]);
  };
  auto lane_finite = [&](int l) {
    bool finite = true;
    for (int i = 0; i < n_states; ++i) finite = finite && y[i][l] - y[i][l] == real(0);
    return finite;
  };
  // New runs' events: none fired, each `when` on its side, each discrete event's first occurrence.
  auto refill = [&]() {
    const unsigned starting = start_runs();
    if (!has_events || starting == 0) return;
    const double* at_times = buffer_arg<const double, B_EVENT_AT_TIMES>(args);
    for (int l = 0; l < W; ++l) {
      if (!lane_on(starting, l)) continue;
      events[l].count = 0;
      for (int e = 0; e < cubie_events::n_events; ++e) events[l].fired[e] = 0;
      const RunTime<real> t0 = t.get(l);
      for (int kd = 0; kd < cubie_events::n_discrete; ++kd) {
        events[l].next[kd] = first_occurrence(kd, at_times, t0.value(), static_cast<double>(landing_slack(t0)));
      }
      if (has_discrete) t_event.set(l, next_discrete_time(args, events[l]));
    }
    if (has_crossings) take_sides_lanes(starting, nullptr);
  };

  for (;;) {
    refill();
    // The rare paths, lane by lane: saves landed on (steps end on them), and the step limit.
    for (;;) {
      if (has_discrete) {
        // Every discrete event due now, in definition order, before a save at the same time (reached, engine.h).
        const lane_real gap = t.until(t_event);
        const unsigned due = active & lane_bits(gap <= landing_slacks(t_event) && gap - gap == real(0));
        if (due != 0) {
          const double* at_times = buffer_arg<const double, B_EVENT_AT_TIMES>(args);
          int ended[W] = {};
          for (int kd = 0; kd < cubie_events::n_discrete; ++kd) {
            // Round by round, the lanes whose next occurrence of kd is due fire it, until none is
            // (integrate_run's loop over occurrences; a lane stops at the first that ends its run).
            for (;;) {
              unsigned firing = 0;
              for (int l = 0; l < W; ++l) {
                if (!lane_on(due, l) || ended[l] != 0) continue;
                const RunTime<real> at = RunTime<real>::from(occurrence(kd, events[l].next[kd], at_times, scalar_arg<S_T0>(args), never()));
                if (!reached(t.get(l), at)) continue;
                ++events[l].next[kd];
                firing |= 1u << l;
              }
              if (firing == 0) break;
              fire_lanes(firing, cubie_events::discrete_event(kd), ended);
            }
          }
          for (int l = 0; l < W; ++l) {
            if (!lane_on(due, l)) continue;
            if (!lane_finite(l)) ended[l] |= STATUS_NONFINITE;
            status[l] |= ended[l];
          }
          restart_lanes(due, nullptr);
          for (int l = 0; l < W; ++l) {
            if (lane_on(due, l) && status[l] != 0) active &= ~(1u << l);
          }
          continue;
        }
      }
      const unsigned landing = active & lane_bits(t.until(t_next) <= landing_slacks(t_next));
      const unsigned exceeded = active & ~landing & lane_bits(lane_mask{accepted + rejected >= max_steps});
      if ((landing | exceeded) == 0) break;
      for (int l = 0; l < W; ++l) {
        if (lane_on(landing, l)) {
          t.set(l, t_next.get(l));
          save_lanes(1u << l, lane_time(t.get(l).value()), y);
          advance_save(l);
        } else if (lane_on(exceeded, l)) {
          status[l] |= STATUS_MAX_STEPS;
          active &= ~(1u << l);
        }
      }
    }
    const unsigned finished = occupied & ~active;
    for (int l = 0; finished != 0 && l < W; ++l) {
      if (lane_on(finished, l)) finish(l);
    }
    if (finished != 0 && next < end) continue;  // refill before stepping
    if (active == 0) break;

    // One step of every active lane: to its next save (or the last, interpolating), or dt.
    lane_clock aim = interpolating ? t_target : t_next;
    if (has_discrete) aim = select(lane_mask_of(lane_bits(t_event.value() < aim.value())), t_event, aim);
    const lane_real to_aim = t.until(aim);
    const lane_mask shortened = dt >= to_aim;
    const lane_real h = select(shortened, to_aim, dt);
    const lane_mask stepped = lane_mask_of(active);
    ctx.counting = stepped;
    ctx.failed = lane_real(real(0)) != lane_real(real(0));
    const lane_real estimate = cubie_layout::step(ctx, memory, t.value(), h, y, f0, y_new, f1);
    // A lane whose implicit solve failed reports implicit_solve_failed's error (newton.h).
    const lane_real err = select(ctx.failed, lane_real(real(1e35)), estimate);
    if (dense) {
      for (int i = 0; i < n_states; ++i) {
        y_old[i] = y[i];
        f_old[i] = f0[i];
      }
    }
    // integrate_run: a step is refused when (adaptive || newton_failed) && !(err <= 1).
    const lane_mask refused = adaptive ? stepped && !(err <= real(1)) : stepped && ctx.failed;
    const lane_mask took = stepped && !refused;
    const unsigned took_bits = lane_bits(took), refused_bits = lane_bits(refused);
    accepted -= took.m;
    rejected -= refused.m;
    // Refused steps: a smaller one, or the end of the run at the floor.
    const lane_real log_err = adaptive ? log_open(fmax(err, lane_real(real(1e-10)))) : lane_real(real(0));
    if (refused_bits != 0) {
      const lane_real floor = step_floors(args, t);
      const unsigned underflow = refused_bits & (adaptive ? lane_bits(h <= floor) : ~0u);
      const unsigned failed_bits = lane_bits(ctx.failed);
      for (int l = 0; l < W; ++l) {
        if (lane_on(underflow, l)) {
          status[l] |= lane_on(failed_bits, l) ? STATUS_NEWTON_FAILED : STATUS_DT_UNDERFLOW;
          active &= ~(1u << l);
        }
      }
      dt = select(refused, fmax(floor, h * rejected_factors(err, log_err, inv_k, controller_gains(args))), dt);
    }
    // Taken steps: the new state and time, a finite check, the controller's next step.
    for (int i = 0; i < n_states; ++i) y[i] = select(took, y_new[i], y[i]);
    if (cubie_method::fsal) {
      for (int i = 0; i < n_states; ++i) f0[i] = select(took, f1[i], f0[i]);
    }
    t_begin = select(took, t, t_begin);
    t = select(took, select(shortened, aim, t.after(h)), t);
    lane_mask finite = y[0] - y[0] == real(0);
    for (int i = 1; i < n_states; ++i) finite = finite && (y[i] - y[i] == real(0));
    const unsigned broken = took_bits & ~lane_bits(finite);
    for (int l = 0; broken != 0 && l < W; ++l) {
      if (lane_on(broken, l)) {
        status[l] |= STATUS_NONFINITE;
        active &= ~(1u << l);
      }
    }
    const unsigned moved = took_bits & ~broken;
    // The same lanes as a vector mask made from vector masks: f0's select below is on the chain from one
    // step to the next, and a mask made from `moved` would put a round trip through bits on it.
    const lane_mask moved_m = took && finite;
    if (!cubie_method::fsal && moved != 0) {
      ctx.counting = moved_m;
      ctx.rhs(t.value(), y, scratch);
      for (int i = 0; i < n_states; ++i) f0[i] = select(moved_m, scratch[i], f0[i]);
    }
    // The step's continuous extension at t_begin + theta h, every lane (after f0 moved on, before y does).
    auto extension = [&](const lane_real& theta, lane_real* __restrict__ out) {
      if (cubie_layout::method_interpolates) {
        cubie_layout::interpolate(memory, y_old, h, theta, out);
      } else {
        hermite(y_old, f_old, y, f0, h, theta, out);
      }
    };
    // Crossings (integrate_run's): every moved lane's `when` at the probes, as vectors; a lane that
    // crosses stops probing, and the crossed lanes are then located together on the extension.
    unsigned crossed = 0;
    unsigned fires[n_when] = {};
    lane_real y_event[has_crossings ? n_states : 1];
    if (has_crossings && moved != 0) {
      // integrate_run prepares the extension at its first probe inside the step, that is in every step.
      if (cubie_layout::method_interpolates) {
        ctx.counting = lane_mask_of(moved);
        cubie_layout::prepare_extension(ctx, memory, t_begin.value(), h, static_cast<const lane_real*>(y_old),
                                        static_cast<const lane_real*>(y), static_cast<const lane_real*>(f0));
      }
      lane_real g_lo[n_when], g_hi[n_when], g_probe[n_when], y_theta[n_states];
      for (int c = 0; c < n_when; ++c) g_lo[c] = g_hi[c] = g_when[c];
      lane_real theta_lo(real(0)), theta_event(real(1));
      unsigned probing = moved;
      for (int j = 1; j <= crossing_probes && probing != 0; ++j) {
        const real theta = j == crossing_probes ? real(1) : real(j) / real(crossing_probes);
        if (j == crossing_probes) {
          when_lanes(t.value(), y, g_probe);
        } else {
          extension(lane_real(theta), y_theta);
          when_lanes(t_begin.value() + static_cast<double>(theta) * lane_time(h), y_theta, g_probe);
        }
        lane_mask any = lane_real(real(0)) != lane_real(real(0));
        for (int c = 0; c < cubie_events::n_crossing; ++c) any = any || crosses_lanes(cubie_events::crossing_direction(c), g_lo[c], g_probe[c]);
        const unsigned hit = probing & lane_bits(any);
        const lane_mask hit_m = lane_mask_of(hit), on_m = lane_mask_of(probing & ~hit);
        for (int c = 0; c < n_when; ++c) {
          g_hi[c] = select(hit_m, g_probe[c], g_hi[c]);
          g_lo[c] = select(on_m, g_probe[c], g_lo[c]);
        }
        theta_event = select(hit_m, lane_real(theta), theta_event);
        theta_lo = select(on_m, lane_real(theta), theta_lo);
        crossed |= hit;
        probing &= ~hit;
      }
      // Lanes without a crossing: their `when` values at the step's end.
      const lane_mask quiet = lane_mask_of(moved & ~crossed);
      for (int c = 0; c < n_when; ++c) g_when[c] = select(quiet, g_lo[c], g_when[c]);
      if (crossed != 0) {
        // locate_crossing (events.h) for every crossed lane at once, crossing by crossing: each lane
        // has its own bracket, side and stopping point, and the loop runs while any lane narrows.
        const double tolerance = scalar_arg<S_EVENT_TOLERANCE>(args);
        const real epsilon = sizeof(real) == 4 ? real(1.1920928955078125e-7) : real(2.220446049250313e-16);
        const lane_real tol = tolerance > 0 ? lane_real(tolerance / lane_time(h)) : lane_real(real(4) * epsilon);
        // when_inside (engine.h): every `when` on each lane's extension at its own theta.
        auto when_inside = [&](const lane_real& theta, lane_real* __restrict__ g) {
          extension(theta, y_theta);
          when_lanes(t_begin.value() + lane_time(theta) * lane_time(h), y_theta, g);
        };
        const lane_mask crossed_m = lane_mask_of(crossed);
        lane_real theta_at = theta_event;
        for (int c = 0; c < cubie_events::n_crossing; ++c) {
          const unsigned bracketed = crossed & lane_bits(crosses_lanes(cubie_events::crossing_direction(c), g_lo[c], g_hi[c]));
          if (bracketed == 0) continue;
          const lane_real sign = select(g_lo[c] < real(0), lane_real(real(1)), lane_real(real(-1)));
          lane_real a = theta_lo, fa = sign * g_lo[c], b = theta_at, fb = sign * g_hi[c], side(real(0));
          unsigned narrowing = bracketed & lane_bits(b - a > tol);
          for (int iteration = 0; iteration < 100 && narrowing != 0; ++iteration) {
            lane_real x = b - fb * (b - a) / (fb - fa);
            x = select(!(x > a && x < b), real(0.5) * (a + b), x);
            narrowing &= lane_bits(x > a && x < b);  // a and b adjacent: as narrow as the precision allows
            if (narrowing == 0) break;
            when_inside(x, g_probe);
            const lane_real fx = sign * g_probe[c];
            const lane_mask on = lane_mask_of(narrowing);
            const lane_mask up = on && fx >= real(0), down = on && !(fx >= real(0));
            b = select(up, x, b);
            fb = select(up, fx, fb);
            fa = select(up && side == real(1), fa * real(0.5), fa);
            fa = select(down, fx, fa);
            a = select(down, x, a);
            fb = select(down && side == real(-1), fb * real(0.5), fb);
            side = select(up, lane_real(real(1)), select(down, lane_real(real(-1)), side));
            narrowing &= lane_bits(b - a > tol);
          }
          const lane_mask earlier = lane_mask_of(bracketed) && b < theta_at;
          if (simd::any(earlier)) {
            theta_at = select(earlier, b, theta_at);
            when_inside(theta_at, g_probe);
            for (int w = 0; w < n_when; ++w) g_hi[w] = select(earlier, g_probe[w], g_hi[w]);
          }
        }
        for (int c = 0; c < cubie_events::n_crossing; ++c) {
          fires[c] = crossed & lane_bits(crosses_lanes(cubie_events::crossing_direction(c), g_lo[c], g_hi[c]));
        }
        const lane_mask inside = crossed_m && theta_at < real(1);
        if (simd::any(inside)) {
          t = select(inside, t_begin.after(theta_at * h), t);
          extension(theta_at, y_theta);
        }
        for (int i = 0; i < n_states; ++i) y_event[i] = select(inside, y_theta[i], y[i]);
      }
    }
    if (interpolating) {
      // Saves inside the step, from its continuous extension: one round per save, all lanes at once.
      unsigned pending = moved & lane_bits(save_next < t.value());
      if (pending != 0 && cubie_layout::method_interpolates && !has_crossings) {
        ctx.counting = lane_mask_of(pending);
        cubie_layout::prepare_extension(ctx, memory, t_begin.value(), h, static_cast<const lane_real*>(y_old),
                                        static_cast<const lane_real*>(y), static_cast<const lane_real*>(f0));
      }
      while (pending != 0) {
        const lane_real theta = lane_real((save_next - t_begin.value()) / lane_time(h));
        if (cubie_layout::method_interpolates) {
          cubie_layout::interpolate(memory, y_old, h, theta, scratch);
        } else {
          hermite(y_old, f_old, y, f0, h, theta, scratch);
        }
        save_lanes(pending, save_next, scratch);
        for (int l = 0; l < W; ++l) {
          if (lane_on(pending, l)) advance_save(l);
        }
        pending &= active & lane_bits(save_next < t.value());
      }
    }
    // The crossings fire where the lane's saves have not run out first (integrate_run ends such a run there).
    const unsigned firing = crossed & active;
    if (firing != 0) {
      const lane_mask firing_m = lane_mask_of(firing);
      for (int i = 0; i < n_states; ++i) y[i] = select(firing_m, y_event[i], y[i]);
      int ended[W] = {};
      for (int c = 0; c < cubie_events::n_crossing; ++c) {
        // A lane fires its crossings in order until one ends its run.
        unsigned now = firing & fires[c];
        for (int l = 0; l < W; ++l) {
          if (ended[l] != 0) now &= ~(1u << l);
        }
        if (now != 0) fire_lanes(now, cubie_events::crossing_event(c), ended);
      }
      for (int l = 0; l < W; ++l) {
        if (!lane_on(firing, l)) continue;
        if (!lane_finite(l)) ended[l] |= STATUS_NONFINITE;
        status[l] |= ended[l];
      }
    }
    if (adaptive) {
      const lane_real factor = accepted_factors<cubie_layout::controller>(log_err, h, inv_k, controller_gains(args), history, took);
      lane_real proposal = h * factor;
      proposal = select(shortened, fmax(proposal, dt), proposal);
      dt = select(moved_m, fmin(lane_real(real_arg_dt_max(args)), fmax(step_floors(args, t), proposal)), dt);
    }
    if (firing != 0) {
      restart_lanes(firing, fires);
      for (int l = 0; l < W; ++l) {
        if (lane_on(firing, l) && status[l] != 0) active &= ~(1u << l);
      }
    }
  }
}

}  // namespace cubie

#endif
