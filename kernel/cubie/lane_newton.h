// The simplified Newton iterations of newton.h for W runs at once (CPU lane
// builds), included at the end of newton.h. Every lane iterates as its run
// would: its own rate, convergence test and failure; a lane that converged or
// failed stops changing (masked updates) while the others go on, and the
// loop runs while any lane still iterates. All lanes start a stage together,
// so the lanes still iterating have done the same number of iterations, and
// the iteration count is one integer. A lane's evaluations and iterations
// are counted while it iterates (ctx.counting), so its counters read as its
// run's in the scalar engine.
#ifndef CUBIE_LANE_NEWTON_H
#define CUBIE_LANE_NEWTON_H
#include "cubie/newton.h"

namespace cubie {

// NewtonMonitor (newton.h), lane by lane.
template <class T, int W>
struct LaneNewtonMonitor {
  typedef simd::vec<T, W> V;
  typedef mask_of<V> M;
  V tol;
  int max_iters;
  int iterations;
  V previous_norm;
  V factor;  // theta / (1 - theta) per lane

  CUBIE_FN LaneNewtonMonitor(const V& tol_, int max_iters_, const V& first_factor = V(T(1)))
      : tol(tol_), max_iters(max_iters_), iterations(0), previous_norm(T(0)), factor(first_factor) {}

  // Takes each lane's scaled norm of the update just applied. `converged`:
  // the lanes whose iteration converged with it; the result: the lanes whose
  // iteration goes on (the others failed). Only lanes that were iterating mean anything.
  CUBIE_FN M update(const V& norm, M& converged) {
    ++iterations;
    M failed = !(norm - norm == T(0));  // NaN or inf
    if (iterations == 1) {
      converged = !failed && factor * norm <= tol;
    } else {
      const V theta = norm / previous_norm;
      failed = failed || !(theta < T(0.99));
      factor = select(failed, factor, theta / (T(1) - theta));
      const V remaining = factor * norm;
      converged = !failed && remaining <= tol;
      // The error after the iterations left, if the rate holds (RADAU5's early exit).
      V predicted = remaining;
      for (int k = iterations; k < max_iters; ++k) predicted *= theta;
      failed = failed || (!converged && predicted > tol);
    }
    previous_norm = norm;
    const M more = iterations < max_iters ? all_lanes<V>() : !all_lanes<V>();
    return !converged && !failed && more;
  }
};

// StageNewton (newton.h) for W runs at once: the lanes in ctx.counting solve
// their stage; z and the counters of the other lanes are left as they are.
template <class T, int W, int N>
struct StageNewton<simd::vec<T, W>, N> {
  typedef simd::vec<T, W> V;
  typedef mask_of<V> M;
  typedef wide_of<V> Time;

  // The lanes whose stage is solved, and the lanes it did not serve.
  template <class Ctx, class Linear>
  static CUBIE_FN M solve(const Ctx& ctx, const Linear& linear, const Time& t_stage, const V& sigma, const V* __restrict__ psi,
                          const V* __restrict__ scale, const V& tol, V* __restrict__ z) {
    const M serving = ctx.counting;
    M iterating = serving;
    M solved = !all_lanes<V>();
    LaneNewtonMonitor<T, W> monitor(tol, ctx.newton_max_iters());
    while (simd::any(iterating)) {
      V stage[N], update[N];
      for (int i = 0; i < N; ++i) stage[i] = psi[i] + z[i];
      ctx.counting = iterating;
      ctx.rhs(t_stage, stage, update);
      for (int i = 0; i < N; ++i) update[i] -= sigma * z[i];  // the residual f(psi + z) - sigma z
      linear.solve(update);
      ctx.count_newton_iterations(iterating);
      for (int i = 0; i < N; ++i) z[i] = select(iterating, z[i] + update[i], z[i]);
      M converged;
      const M going_on = monitor.update(scaled_norm<V, N>(update, scale), converged);
      solved = solved || (iterating && converged);
      iterating = iterating && going_on;
    }
    ctx.counting = serving;
    return solved || !serving;
  }

  // StageNewton::solve_refreshing, lane by lane: the lanes whose iteration
  // failed take the Jacobian where theirs ended, and only they iterate again.
  template <class Ctx, class Linear>
  static CUBIE_FN M solve_refreshing(const Ctx& ctx, Linear& linear, const Time& t_stage, const V& sigma, const V* __restrict__ psi,
                                     const V* __restrict__ scale, const V& tol, V* __restrict__ z) {
    const M solved = solve(ctx, linear, t_stage, sigma, psi, scale, tol, z);
    if (!Ctx::refreshes_jacobian || !Linear::owns_jacobian) return solved;
    const M retry = !solved;
    if (!simd::any(retry)) return solved;
    V at[N];
    M finite = all_lanes<V>();
    for (int i = 0; i < N; ++i) {
      at[i] = psi[i] + z[i];
      finite = finite && at[i] - at[i] == T(0);
    }
    const M restart = retry && !finite;
    for (int i = 0; i < N; ++i) {
      at[i] = select(restart, psi[i], at[i]);
      z[i] = select(restart, V(T(0)), z[i]);
    }
    const M serving = ctx.counting;
    ctx.counting = retry;
    const M factored = refresh_lanes(ctx, linear, t_stage, at, sigma, retry);
    ctx.counting = retry && factored;
    const M again = solve(ctx, linear, t_stage, sigma, psi, scale, tol, z);
    ctx.counting = serving;
    return solved || (retry && factored && again);
  }

 private:
  // J at `at` and sigma*I - J factored, for the lanes in `lanes` (ctx.counting)
  // only: the other lanes keep the system their stage converged with, which
  // serves their later stages. A kept system (lane_linalg.h) keeps them itself.
  template <class Ctx, class Linear>
  static CUBIE_FN M refresh_lanes(const Ctx& ctx, Linear& linear, const Time& t, const V* __restrict__ at, const V& sigma, const M& lanes) {
    if constexpr (Linear::keeps_lanes) {
      (void)lanes;
      linear.evaluate_jacobian(ctx, t, at);
      return linear.factor(ctx, sigma);
    } else {
      const Linear before = linear;
      linear.evaluate_jacobian(ctx, t, at);
      const M factored = linear.factor(ctx, sigma);
      linear.blend_from(before, !lanes);
      return factored;
    }
  }
};

// StepNewton (newton.h) for W runs at once: Radau's loop goes on while any
// lane iterates, with ctx.counting the lanes that do, so each lane's
// evaluations and iterations count as its run's. A lane keeps the W it
// converged with (take) and the factor it converged with. When the last lane
// stops, the lanes that failed are marked (ctx.require_solved, as the run's
// stepper returns implicit_solve_failed) and the loop leaves as if all had
// converged; next_factor() then gives each lane what its run keeps.
template <class T, int W>
struct StepNewton<simd::vec<T, W>> {
  typedef simd::vec<T, W> V;
  typedef mask_of<V> M;
  LaneNewtonMonitor<T, W> monitor;
  M serving;     // the lanes that began the iterations (ctx.counting then)
  M iterating;   // those still iterating
  M converged;   // those whose iterations converged
  V converged_factor;

  template <class Ctx>
  CUBIE_FN StepNewton(const Ctx& ctx, const V& tol, const V& first_factor)
      : monitor(tol, ctx.newton_max_iters(), first_factor),
        serving(ctx.counting),
        iterating(ctx.counting),
        converged(!all_lanes<V>()),
        converged_factor(first_factor) {}
  CUBIE_FN V take(const V& before, const V& after) const { return select(iterating, after, before); }
  template <class Ctx>
  CUBIE_FN void count(const Ctx& ctx) const {
    ctx.count_newton_iterations(iterating);
  }
  template <class Ctx>
  CUBIE_FN NewtonState update(const Ctx& ctx, const V& norm) {
    M now;
    const M going_on = monitor.update(norm, now);
    const M done = iterating && now;
    converged = converged || done;
    // LaneNewtonMonitor goes on updating its factor in lanes that stopped; theirs is the one they stopped with.
    converged_factor = select(done, monitor.factor, converged_factor);
    iterating = iterating && going_on;
    if (simd::any(iterating)) {
      ctx.counting = iterating;
      return NEWTON_CONTINUE;
    }
    ctx.counting = serving;
    ctx.require_solved(converged || !serving);
    return NEWTON_CONVERGED;
  }
  CUBIE_FN M solved(NewtonState) const { return converged || !serving; }
  // A lane that failed starts its next step's iterations from 1, as its run does.
  CUBIE_FN V next_factor(const V& before) const {
    return select(converged, converged_factor, select(serving, V(T(1)), before));
  }
};

// solved_value (newton.h): `after` in the lanes in ctx.counting.
template <class Ctx, class T, int W>
CUBIE_FN simd::vec<T, W> solved_value(const Ctx& ctx, const simd::vec<T, W>& before, const simd::vec<T, W>& after) {
  return select(simd::mask_cast<T>(ctx.counting), after, before);
}

// narrow_lanes (newton.h): ctx.counting keeps the lanes in `lanes`.
template <class Ctx, class T, int W>
CUBIE_FN void narrow_lanes(const Ctx& ctx, const simd::vec_mask<T, W>& lanes) {
  ctx.counting = ctx.counting && lanes;
}

}  // namespace cubie
#endif
