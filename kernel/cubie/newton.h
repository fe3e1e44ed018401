// Simplified Newton iterations for implicit steppers: the convergence test
// (Hairer & Wanner II, IV.8, as in RADAU5), the solve of one DIRK stage,
// and what a stepper returns when its implicit solve fails.
//
// The iteration matrix is formed once per step from the Jacobian at the
// start of the step (simplified Newton), so convergence is linear with a
// rate theta the monitor estimates from successive updates. An iteration
// converges when the tolerance-scaled RMS norm of the remaining error,
// estimated as theta / (1 - theta) * |update|, is below ctx.newton_tol()
// (the first update, with no rate yet, must itself be below it, or, where
// the stepper carries the last step's theta / (1 - theta) over as RADAU5
// does, that factor times it), floored
// at 10 epsilon / rtol as in RADAU5: updates cannot shrink below the
// roundoff of the stage values, so a tighter test could never pass. It fails
// when the updates stop shrinking (theta >= 0.99), when the rate predicts
// the tolerance cannot be met within ctx.newton_max_iters(), or when they run out.
#ifndef CUBIE_NEWTON_H
#define CUBIE_NEWTON_H
#include "cubie/platform.h"

namespace cubie {

enum NewtonState { NEWTON_CONTINUE = 0, NEWTON_CONVERGED, NEWTON_FAILED };

template <typename real>
struct NewtonMonitor {
  real tol;
  int max_iters;
  int iterations;
  real previous_norm;
  real factor;  // theta / (1 - theta): the remaining error per unit of the last update

  CUBIE_FN NewtonMonitor(real tol_, int max_iters_, real first_factor = real(1))
      : tol(tol_), max_iters(max_iters_), iterations(0), previous_norm(0), factor(first_factor) {}

  // Takes the scaled norm of the update just applied; says what to do next.
  CUBIE_FN NewtonState update(real norm) {
    ++iterations;
    if (!(norm - norm == real(0))) return NEWTON_FAILED;  // NaN or inf
    if (iterations == 1) {
      if (factor * norm <= tol) return NEWTON_CONVERGED;
    } else {
      const real theta = norm / previous_norm;
      if (!(theta < real(0.99))) return NEWTON_FAILED;
      factor = theta / (real(1) - theta);
      const real remaining = factor * norm;
      if (remaining <= tol) return NEWTON_CONVERGED;
      // The error after the iterations left, if the rate holds (RADAU5's early exit).
      real predicted = remaining;
      for (int k = iterations; k < max_iters; ++k) predicted *= theta;
      if (predicted > tol) return NEWTON_FAILED;
    }
    if (iterations >= max_iters) return NEWTON_FAILED;
    previous_norm = norm;
    return NEWTON_CONTINUE;
  }
};

// scale_i = atol_i + rtol_i |y_i|: the weights of every Newton norm in a step.
template <typename real, int N>
CUBIE_FN void newton_scale(const real* __restrict__ y, const real* __restrict__ atol, const real* __restrict__ rtol,
                           real* __restrict__ scale) {
  for (int i = 0; i < N; ++i) scale[i] = atol[i] + rtol[i] * fabs(y[i]);
}

// The tolerance the monitor tests against: ctx.newton_tol(), floored at 10 epsilon / min_i rtol_i.
template <typename real, int N>
CUBIE_FN real newton_tolerance(real requested, const real* __restrict__ rtol) {
  const real epsilon = sizeof(scalar_of<real>) == 4 ? real(1.1920929e-7) : real(2.220446049250313e-16);
  real smallest = rtol[0];
  for (int i = 1; i < N; ++i) smallest = fmin(smallest, rtol[i]);
  return fmax(requested, real(10) * epsilon / smallest);
}

// sqrt(mean_i (v_i / scale_i)^2)
template <typename real, int N>
CUBIE_FN real scaled_norm(const real* __restrict__ v, const real* __restrict__ scale) {
  real sum = real(0);
  for (int i = 0; i < N; ++i) {
    const real r = v[i] / scale[i];
    sum += r * r;
  }
  return sqrt(sum / real(N));
}

// The error a stepper returns when its implicit solve failed: flags the
// failure, so that a rejection at dtMin (or any with a fixed step) reports
// STATUS_NEWTON_FAILED, and is above the 1e30 the controllers read as "cut
// the step by the least gain" (controllers.h).
template <typename real, class Ctx>
CUBIE_FN real implicit_solve_failed(const Ctx& ctx) {
  ctx.newton_failed = true;
  return real(1e35);
}

// One implicit DIRK stage: finds z with sigma z = f(t_stage, psi + z),
// sigma = 1 / (dt a_ii), i.e. the stage value Y = psi + z of
// Y = psi + dt a_ii f(t_stage, Y), by simplified Newton with the matrix
// sigma*I - J that `linear` holds factored, to the tolerance `tol` in the
// norm weighted by `scale`. z holds the starting guess on entry and the
// solution on return.
//
// StageNewton<real, N>::solve_refreshing does it once more, when it fails
// with the Jacobian from the start of the step, with the Jacobian where the
// failed iteration ended, going on from there (from zero if it ran off to
// inf or NaN). A stiff mode that switches on during the step is missing from
// J(t, y): Robertson's y2 starts at 0, so J(t0, y0) lacks the fast reaction,
// and the iteration diverges at any step a fixed-step method would take. The
// refreshed Jacobian serves the later stages too. Only where
// Ctx::refreshes_jacobian (fixed steps, see RunContext): an adaptive run
// answers the failure with a smaller step; and only for a Linear that owns
// its Jacobian (dense LU): the matrix-free one keeps a pointer to its
// linearisation state, which must outlive the step.
//
// A struct, so that a CPU lane build can give W runs at once their own
// iterations (lane_newton.h); here it is one run's.
template <typename real, int N>
struct StageNewton {
  // false when the iteration failed.
  template <class Ctx, class Linear>
  static CUBIE_FN bool solve(const Ctx& ctx, const Linear& linear, double t_stage, real sigma, const real* __restrict__ psi,
                             const real* __restrict__ scale, real tol, real* __restrict__ z) {
    real stage[N], update[N];
    NewtonMonitor<real> monitor(tol, ctx.newton_max_iters());
    for (;;) {
      for (int i = 0; i < N; ++i) stage[i] = psi[i] + z[i];
      ctx.rhs(t_stage, stage, update);
      for (int i = 0; i < N; ++i) update[i] -= sigma * z[i];  // the residual f(psi + z) - sigma z
      linear.solve(update);  // an inexact Krylov solve shows up as slow convergence below
      ++ctx.newton_iterations;
      for (int i = 0; i < N; ++i) z[i] += update[i];
      const NewtonState state = monitor.update(scaled_norm<real, N>(update, scale));
      if (state != NEWTON_CONTINUE) return state == NEWTON_CONVERGED;
    }
  }

  template <class Ctx, class Linear>
  static CUBIE_FN bool solve_refreshing(const Ctx& ctx, Linear& linear, double t_stage, real sigma, const real* __restrict__ psi,
                                        const real* __restrict__ scale, real tol, real* __restrict__ z) {
    if (!Ctx::refreshes_jacobian || !Linear::owns_jacobian) {
      return solve(ctx, linear, t_stage, sigma, psi, scale, tol, z);
    }
    CUBIE_KEEP_LOOP for (int attempt = 0;; ++attempt) {
      if (solve(ctx, linear, t_stage, sigma, psi, scale, tol, z)) return true;
      if (attempt == 1) return false;
      real at[N];
      bool finite = true;
      for (int i = 0; i < N; ++i) {
        at[i] = psi[i] + z[i];
        finite = finite && at[i] - at[i] == real(0);
      }
      if (!finite) {
        for (int i = 0; i < N; ++i) {
          at[i] = psi[i];
          z[i] = real(0);
        }
      }
      linear.evaluate_jacobian(ctx, t_stage, at);
      if (!linear.factor(ctx, sigma)) return false;
    }
  }
};

// The simplified Newton iterations of all of a step's stages at once (Radau
// IIA's loop, generated in radau-stepper.ts), written once for one run and,
// through lane_newton.h's specialisation, for W runs in lanes. Here the loop
// ends on the first converged or failed update, so each call is what the
// loop did before it took this form: take() the new value, count() one
// iteration, update() the monitor's answer, next_factor() its factor.
template <typename real>
struct StepNewton {
  NewtonMonitor<real> monitor;

  template <class Ctx>
  CUBIE_FN StepNewton(const Ctx& ctx, real tol, real first_factor) : monitor(tol, ctx.newton_max_iters(), first_factor) {}
  // The value after an update, in the lanes still iterating.
  CUBIE_FN real take(real before, real after) const {
    (void)before;
    return after;
  }
  template <class Ctx>
  CUBIE_FN void count(const Ctx& ctx) const {
    ++ctx.newton_iterations;
  }
  template <class Ctx>
  CUBIE_FN NewtonState update(const Ctx& ctx, real norm) {
    (void)ctx;
    return monitor.update(norm);
  }
  // Whether the iterations that ended in `state` converged.
  CUBIE_FN bool solved(NewtonState state) const { return state == NEWTON_CONVERGED; }
  // The next step's theta / (1 - theta) (RADAU5's FACCON) once the iterations converged.
  CUBIE_FN real next_factor(real before) const {
    (void)before;
    return monitor.factor;
  }
};

// What a stepper keeps once its implicit solve is done: `after` in the lanes
// still computing this step, `before` where the solve failed (their run's
// stepper has returned). One run's stepper returned before it got here.
template <class Ctx, class R>
CUBIE_FN R solved_value(const Ctx& ctx, const R& before, const R& after) {
  (void)ctx;
  (void)before;
  return after;
}

// In a lane build, narrows ctx.counting to the lanes in `lanes` for the rest
// of the step (a branch that only they need: its evaluations are theirs).
// One run has nothing to narrow.
template <class Ctx>
CUBIE_FN void narrow_lanes(const Ctx& ctx, bool lanes) {
  (void)ctx;
  (void)lanes;
}

// StageNewton::solve_refreshing: true (in a lane build, the lanes) where the
// stage is solved. The generated DIRK steppers call it through CUBIE_REQUIRE_SOLVED.
template <typename real, int N, class Ctx, class Linear>
CUBIE_FN mask_of<real> solve_stage_refreshing(const Ctx& ctx, Linear& linear, wide_of<real> t_stage, real sigma,
                                              const real* __restrict__ psi, const real* __restrict__ scale, real tol,
                                              real* __restrict__ z) {
  return StageNewton<real, N>::solve_refreshing(ctx, linear, t_stage, sigma, psi, scale, tol, z);
}

}  // namespace cubie
#if CUBIE_LANE_BUILD
#include "cubie/lane_newton.h"
#endif
#endif
