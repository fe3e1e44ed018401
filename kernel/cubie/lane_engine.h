// The CPU lane engine: W runs at once, one per vector lane (lanes.h). The
// system and the stepper compute on all lanes in one instruction stream;
// everything a run decides for itself (accept or reject, its step size, its
// saves, its status) is kept per lane in scalars and done lane by lane, with
// the same arithmetic as integrate_run in engine.h, so a lane's run matches
// the scalar build's. A lane whose run finishes takes the work item's next
// run before the next step (lane refill), so runs of very different lengths
// keep every lane busy.
//
// Included by engine.h in a CPU build with CUBIE_LANES, for explicit methods
// without events or noise (src/backends/cpu/lanes.ts decides).
#ifndef CUBIE_LANE_ENGINE_H
#define CUBIE_LANE_ENGINE_H
#include <new>

namespace cubie {

static_assert(cubie_events::n_events == 0, "a lane build has no events (src/backends/cpu/lanes.ts)");
#ifdef CUBIE_SAVES_WIENER
#error "a lane build has no noise (src/backends/cpu/lanes.ts)"
#endif

constexpr int W = lane_real::width;
typedef wide_of<lane_real> lane_time;

// What a stepper may ask of W runs: RunContext's right-hand side and
// tolerances, lane by lane. Evaluations are counted for the lanes in
// `counting` (bit l: lane l), those whose run the call serves.
struct LaneContext {
  const Args& args;
  const lane_real* __restrict__ p;
  lane_real atol_[n_states];
  lane_real rtol_[n_states];
  mutable unsigned counting;
  mutable int rhs_evaluations[W];

  CUBIE_FN const lane_real* atol() const { return atol_; }
  CUBIE_FN const lane_real* rtol() const { return rtol_; }

  // Each lane's drivers at its own time, from the scalar evaluation.
  CUBIE_FN void drivers_at(const lane_time& t, lane_real* d) const {
    if (n_drivers > 0) {
      const int n_knots = static_cast<int>(scalar_arg<S_DRIVER_KNOTS>(args));
      if (n_knots > 1) {
        const SampledDrivers<real> drivers = {buffer_arg<const double, B_DRIVER_KNOTS>(args),
                                              buffer_arg<const real, B_DRIVER_COEFFS>(args), n_knots,
                                              scalar_arg<S_DRIVER_UNIFORM_DT>(args),
                                              scalar_arg<S_DRIVER_PERIODIC>(args) != 0.0};
        for (int l = 0; l < W; ++l) {
          real values[Slots<n_drivers>::value];
          drivers.template values<Slots<n_drivers>::value>(t[l], values, nullptr);
          for (int k = 0; k < n_drivers; ++k) d[k].set(l, values[k]);
        }
        return;
      }
    }
    for (int k = 0; k < Slots<n_drivers>::value; ++k) d[k] = lane_real(0);
  }
  CUBIE_FN void rhs(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ dy) const {
    lane_real d[Slots<n_drivers>::value];
    drivers_at(t, d);
    cubie_sys::dxdt(y, p, d, lane_real(t), dy);
    for (int l = 0; l < W; ++l) rhs_evaluations[l] += static_cast<int>((counting >> l) & 1u);
  }
  CUBIE_FN void observables_at(const lane_time& t, const lane_real* __restrict__ y, lane_real* __restrict__ obs) const {
    lane_real d[Slots<n_drivers>::value];
    drivers_at(t, d);
    cubie_sys::observables(y, p, d, lane_real(t), obs);
  }
};

// One lane's run: what integrate_run keeps in its locals.
struct LaneRun {
  int run;  // in this launch's buffers; -1: the lane is idle
  RunTime<real> t, t_next, t_begin, aim;
  real dt, h;
  bool shortened;
  int k, status, accepted, rejected;
  Saver saver;
  explicit LaneRun(const Args& args) : run(-1), saver{args, -1, 0, {}} {}
};

CUBIE_FN bool lane_on(unsigned mask, int l) { return ((mask >> l) & 1u) != 0; }

typedef mask_of<lane_real> lane_mask;

// Every lane's controller history (controllers.h), as vectors.
struct LaneHistory {
  lane_real err_prev, err_prev2, dt_accepted;
};

// accepted_factor (controllers.h) for the lanes in `accepted`, all at once:
// the same formulas with libmvec's pow, which may differ from the scalar
// engine's pow in the last bits (README, "The CPU backend"). Other lanes'
// history is kept.
template <int Kind>
CUBIE_FN lane_real accepted_factors(const lane_real& err, const lane_real& dt, real inv_k, const ControllerGains<real>& g,
                                    LaneHistory& h, const lane_mask& accepted) {
  const lane_real e = fmax(err, lane_real(real(1e-10)));
  lane_real factor;
  if (Kind == CONTROLLER_I) {
    factor = g.safety * pow(e, lane_real(-inv_k));
  } else if (Kind == CONTROLLER_PI || Kind == CONTROLLER_PID) {
    const lane_real e1 = select(h.err_prev > real(0), h.err_prev, e);
    const lane_real e2 = select(h.err_prev2 > real(0), h.err_prev2, e1);
    factor = g.safety * pow(e, lane_real(-g.kp * inv_k)) * pow(e1, lane_real(-g.ki * inv_k));
    if (Kind == CONTROLLER_PID) factor *= pow(e2, lane_real(-g.kd * inv_k));
  } else {  // Gustafsson
    factor = g.safety * pow(e, lane_real(-inv_k));
    const lane_real predictive = g.safety * (dt / h.dt_accepted) * pow(h.err_prev / e, lane_real(inv_k)) * pow(e, lane_real(-inv_k));
    factor = select(h.dt_accepted > real(0), fmin(factor, predictive), factor);
    h.dt_accepted = select(accepted, dt, h.dt_accepted);
  }
  h.err_prev2 = select(accepted, h.err_prev, h.err_prev2);
  h.err_prev = select(accepted, fmax(e, lane_real(real(1e-4))), h.err_prev);
  return fmin(lane_real(g.max_gain), fmax(lane_real(g.min_gain), factor));
}

CUBIE_FN void integrate_lanes(const Args& args, long long begin, long long end) {
  constexpr int error_exponent =
      (cubie_method::order < cubie_method::error_order ? cubie_method::order : cubie_method::error_order) + 1;
  constexpr real inv_k = real(1) / real(error_exponent);
  constexpr bool adaptive = cubie_layout::controller != CONTROLLER_FIXED;
  constexpr bool interpolating = cubie_layout::interpolate_saves;
  const long long n_runs = static_cast<long long>(args.s[S_N_RUNS]);
  const int max_steps = static_cast<int>(scalar_arg<S_MAX_STEPS>(args));
  const RunTime<real> t_target = RunTime<real>::from(save_time(args, n_saves(args) - 1));

  lane_real y[n_states], y_new[n_states], f0[n_states], f1[n_states], scratch[n_states];
  lane_real y_old[interpolating ? n_states : 1], f_old[interpolating ? n_states : 1];
  lane_real p[Slots<n_parameters>::value];
  for (int i = 0; i < n_states; ++i) y[i] = f0[i] = y_new[i] = f1[i] = lane_real(0);
  for (int j = 0; j < Slots<n_parameters>::value; ++j) p[j] = lane_real(0);
  LaneContext ctx = {args, p, {}, {}, 0u, {}};
  for (int i = 0; i < n_states; ++i) {
    ctx.atol_[i] = lane_real(buffer_arg<const real, B_ATOL>(args)[i]);
    ctx.rtol_[i] = lane_real(buffer_arg<const real, B_RTOL>(args)[i]);
  }
  cubie_layout::StepperMemory memory;
  LaneHistory history = {lane_real(real(0)), lane_real(real(0)), lane_real(real(0))};
  alignas(LaneRun) unsigned char lane_storage[W * sizeof(LaneRun)];
  LaneRun* lane = reinterpret_cast<LaneRun*>(lane_storage);
  for (int l = 0; l < W; ++l) new (&lane[l]) LaneRun(args);
  long long next = begin;

  auto lane_finite = [&](int l) {
    for (int i = 0; i < n_states; ++i) {
      const real v = y[i][l];
      if (!(v - v == real(0))) return false;
    }
    return true;
  };
  // Save k of each lane in `mask`, at that lane's time in t, from that lane of ys.
  auto save_lanes = [&](unsigned mask, const lane_time& t, const lane_real* ys) {
    lane_real obs[Slots<n_observables>::value];
    if (cubie_layout::needs_observables) ctx.observables_at(t, ys, obs);
    lane_real values[Slots<cubie_layout::n_saved>::value], x[Slots<cubie_summary::n_summarised>::value];
    if (cubie_layout::n_saved > 0) cubie_layout::gather_saved(ys, obs, values);
    if (cubie_summary::n_columns > 0) cubie_layout::gather_summarised(ys, obs, x);
    for (int l = 0; l < W; ++l) {
      if (!lane_on(mask, l)) continue;
      real lane_values[Slots<cubie_layout::n_saved>::value], lane_x[Slots<cubie_summary::n_summarised>::value];
      for (int j = 0; j < cubie_layout::n_saved; ++j) lane_values[j] = values[j][l];
      for (int j = 0; j < cubie_summary::n_summarised; ++j) lane_x[j] = x[j][l];
      lane[l].saver.record(lane[l].k, t[l], lane_values, lane_x);
    }
  };
  auto finish = [&](int l) {
    LaneRun& r = lane[l];
    if (r.status != 0) {
      r.saver.fill_missing(r.k);
    } else if (cubie_summary::n_columns > 0) {
      r.saver.write_window();
    }
    static_cast<int*>(args.b[B_STATUS])[r.run] = r.status;
    int* counters = static_cast<int*>(args.b[B_COUNTERS]);
    if (counters != nullptr) {
      counters[C_ACCEPTED * n_runs + r.run] = r.accepted;
      counters[C_REJECTED * n_runs + r.run] = r.rejected;
      counters[C_RHS_EVALUATIONS * n_runs + r.run] = ctx.rhs_evaluations[l];
      counters[C_JACOBIAN_EVALUATIONS * n_runs + r.run] = 0;
      counters[C_NEWTON_ITERATIONS * n_runs + r.run] = 0;
      counters[C_LINEAR_ITERATIONS * n_runs + r.run] = 0;
      counters[C_FACTORIZATIONS * n_runs + r.run] = 0;
    }
    r.run = -1;
  };
  // Idle lanes take the next runs: state, parameters, f0 and (adaptive, no dt given) the starting step.
  auto refill = [&]() {
    unsigned starting = 0;
    lane_time t0(0.0);
    for (int l = 0; l < W && next < end; ++l) {
      LaneRun& r = lane[l];
      if (r.run >= 0) continue;
      r.run = static_cast<int>(next++);
      for (int i = 0; i < n_states; ++i) y[i].set(l, static_cast<const real*>(args.b[B_FIXED_COUNT + i])[r.run]);
      for (int j = 0; j < n_parameters; ++j) p[j].set(l, static_cast<const real*>(args.b[B_FIXED_COUNT + n_states + j])[r.run]);
      r.t = RunTime<real>::from(args.s[S_T0]);
      r.t_next = RunTime<real>::from(save_time(args, 0));
      r.dt = static_cast<real>(args.s[S_DT]);
      r.k = 0;
      r.status = lane_finite(l) ? 0 : STATUS_NONFINITE;
      r.accepted = r.rejected = 0;
      history.err_prev.set(l, real(0));
      history.err_prev2.set(l, real(0));
      history.dt_accepted.set(l, real(0));
      r.saver.run = r.run;
      r.saver.window = 0;
      r.saver.summary = cubie_summary::State();
      ctx.rhs_evaluations[l] = 0;
      t0.set(l, r.t.value());
      starting |= 1u << l;
    }
    if (starting == 0) return;
    ctx.counting = starting;
    ctx.rhs(t0, y, scratch);
    for (int l = 0; l < W; ++l) {
      if (lane_on(starting, l)) for (int i = 0; i < n_states; ++i) f0[i].set(l, scratch[i][l]);
    }
    if (!adaptive) return;
    // initial_step (engine.h), lane by lane around one evaluation of f at y + h0 f0.
    const real dt_min = real_arg_dt_min(args), dt_max = real_arg_dt_max(args);
    unsigned guessing = 0;
    real d0[W], d1[W], h0[W];
    lane_time t1(0.0);
    lane_real y1[n_states];
    for (int i = 0; i < n_states; ++i) y1[i] = y[i];
    for (int l = 0; l < W; ++l) {
      if (!lane_on(starting, l) || lane[l].dt > real(0)) continue;
      guessing |= 1u << l;
      d0[l] = d1[l] = real(0);
      for (int i = 0; i < n_states; ++i) {
        const real yi = y[i][l], fi = f0[i][l];
        real scale = ctx.atol_[i][l] + ctx.rtol_[i][l] * fabs(yi);
        d0[l] += (yi / scale) * (yi / scale);
        d1[l] += (fi / scale) * (fi / scale);
      }
      d0[l] = sqrt(d0[l] / real(n_states));
      d1[l] = sqrt(d1[l] / real(n_states));
      real h = (d0[l] < real(1e-5) || d1[l] < real(1e-5)) ? real(1e-6) : real(0.01) * d0[l] / d1[l];
      h0[l] = fmin(h, dt_max);
      for (int i = 0; i < n_states; ++i) y1[i].set(l, y[i][l] + h0[l] * f0[i][l]);
      t1.set(l, lane[l].t.value() + static_cast<double>(h0[l]));
    }
    if (guessing == 0) return;
    ctx.counting = guessing;
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
      lane[l].dt = fmin(dt_max, fmax(dt_min, h));
    }
  };

  for (;;) {
    refill();
    // Each lane up to its next step: the saves it has landed on, the limits, the step to try.
    unsigned stepping = 0, finished = 0;
    lane_time t_step(0.0);
    lane_real h_step(real(0));
    for (int l = 0; l < W; ++l) {
      LaneRun& r = lane[l];
      if (r.run < 0) continue;
      while (r.status == 0 && r.k < n_saves(args)) {
        const real remaining = r.t.until(r.t_next);
        if (remaining <= landing_slack(r.t_next)) {
          r.t = r.t_next;
          save_lanes(1u << l, lane_time(r.t.value()), y);
          if (++r.k == n_saves(args)) break;
          r.t_next = RunTime<real>::from(save_time(args, r.k));
          continue;
        }
        if (r.accepted + r.rejected >= max_steps) {
          r.status |= STATUS_MAX_STEPS;
          break;
        }
        r.aim = interpolating ? t_target : r.t_next;
        const real to_aim = r.t.until(r.aim);
        r.shortened = r.dt >= to_aim;
        r.h = r.shortened ? to_aim : r.dt;
        stepping |= 1u << l;
        t_step.set(l, r.t.value());
        h_step.set(l, r.h);
        break;
      }
      if (!lane_on(stepping, l)) {
        finish(l);
        finished |= 1u << l;
      }
    }
    if (finished != 0 && next < end) continue;  // refill before stepping
    if (stepping == 0) break;

    ctx.counting = stepping;
    const lane_real err = cubie_layout::step(ctx, memory, t_step, h_step, y, f0, y_new, f1);
    if (interpolating) {
      for (int i = 0; i < n_states; ++i) {
        y_old[i] = y[i];
        f_old[i] = f0[i];
      }
    }
    // Accepted lanes move on, all at once; rejected ones keep their state and shrink their step.
    const lane_mask stepped = simd::mask_from_bits<real, W>(stepping);
    const lane_mask accepted = adaptive ? (stepped && err <= real(1)) : stepped;
    for (int i = 0; i < n_states; ++i) y[i] = select(accepted, y_new[i], y[i]);
    if (cubie_method::fsal) {
      for (int i = 0; i < n_states; ++i) f0[i] = select(accepted, f1[i], f0[i]);
    }
    lane_mask finite = y[0] - y[0] == real(0);
    for (int i = 1; i < n_states; ++i) finite = finite && (y[i] - y[i] == real(0));
    const unsigned accepted_bits = bits_of(accepted), finite_bits = bits_of(finite);
    const lane_real factor = adaptive ? accepted_factors<cubie_layout::controller>(err, h_step, inv_k, controller_gains(args), history, accepted)
                                      : lane_real(real(1));
    unsigned needs_f = 0, saves_inside = 0;
    lane_time t_end(0.0), t_begin(0.0);
    for (int l = 0; l < W; ++l) {
      if (!lane_on(stepping, l)) continue;
      LaneRun& r = lane[l];
      if (!lane_on(accepted_bits, l)) {
        ++r.rejected;
        if (r.h <= step_floor(args, r.t)) {
          r.status |= STATUS_DT_UNDERFLOW;
          continue;
        }
        r.dt = fmax(step_floor(args, r.t), r.h * rejected_factor(err[l], inv_k, controller_gains(args)));
        continue;
      }
      ++r.accepted;
      r.t_begin = r.t;
      r.t = r.shortened ? r.aim : r.t.after(r.h);
      if (!lane_on(finite_bits, l)) {
        r.status |= STATUS_NONFINITE;
        continue;
      }
      if (!cubie_method::fsal) needs_f |= 1u << l;
      t_end.set(l, r.t.value());
      t_begin.set(l, r.t_begin.value());
      if (interpolating && save_time(args, r.k) < r.t.value()) saves_inside |= 1u << l;
      if (adaptive) {
        real proposal = r.h * factor[l];
        if (r.shortened) proposal = fmax(proposal, r.dt);
        r.dt = fmin(real_arg_dt_max(args), fmax(step_floor(args, r.t), proposal));
      }
    }
    if (!cubie_method::fsal && needs_f != 0) {
      ctx.counting = needs_f;
      ctx.rhs(t_end, y, scratch);
      for (int l = 0; l < W; ++l) {
        if (lane_on(needs_f, l)) for (int i = 0; i < n_states; ++i) f0[i].set(l, scratch[i][l]);
      }
    }
    if (interpolating && saves_inside != 0) {
      // Saves inside the step, from its continuous extension: one round per save, all lanes at once.
      if (cubie_layout::method_interpolates) {
        ctx.counting = saves_inside;
        cubie_layout::prepare_extension(ctx, memory, t_begin, h_step, static_cast<const lane_real*>(y_old),
                                        static_cast<const lane_real*>(y), static_cast<const lane_real*>(f0));
      }
      unsigned pending = saves_inside;
      while (pending != 0) {
        lane_real theta(real(0));
        lane_time t_save(0.0);
        for (int l = 0; l < W; ++l) {
          if (!lane_on(pending, l)) continue;
          const double tk = save_time(args, lane[l].k);
          if (!(tk < lane[l].t.value())) {
            pending &= ~(1u << l);
            continue;
          }
          theta.set(l, static_cast<real>((tk - lane[l].t_begin.value()) / static_cast<double>(lane[l].h)));
          t_save.set(l, tk);
        }
        if (pending == 0) break;
        if (cubie_layout::method_interpolates) {
          cubie_layout::interpolate(memory, y_old, h_step, theta, scratch);
        } else {
          hermite(y_old, f_old, y, f0, h_step, theta, scratch);
        }
        save_lanes(pending, t_save, scratch);
        for (int l = 0; l < W; ++l) {
          if (lane_on(pending, l) && ++lane[l].k == n_saves(args)) pending &= ~(1u << l);
        }
      }
      for (int l = 0; l < W; ++l) {
        if (lane_on(saves_inside, l) && lane[l].k < n_saves(args)) lane[l].t_next = RunTime<real>::from(save_time(args, lane[l].k));
      }
    }
  }
}

}  // namespace cubie

// The CPU runner (native/cpu_runner.cc) calls these through dlsym.
CUBIE_KERNEL int cubie_abi(int* out) {
  out[0] = cubie::kAbiVersion;
  out[1] = cubie::S_COUNT;
  out[2] = cubie::n_buffers;
  out[3] = static_cast<int>(sizeof(cubie::real));
  return 4;
}
CUBIE_KERNEL void cubie_run_range(const void* args, long long begin, long long end) {
  cubie::integrate_lanes(*static_cast<const cubie::Args*>(args), begin, end);
}
#endif
