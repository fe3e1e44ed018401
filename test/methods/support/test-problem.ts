/**
 * The problem the generated steppers are run on, in C++ and in TypeScript:
 *   states 0, 1: y' = [[-0.1, -2], [2, -0.1]] y, a decaying rotation,
 *                y(t) = e^(-t/10) R(2t) y(0);
 *   state 2:     y' = g(t) - y^2 with g chosen so that y(t) = 1 + sin(2t) / 2,
 *                g = cos 2t + (1 + sin(2t) / 2)^2: nonlinear, and non-autonomous so
 *                that wrong stage times c_i show. Both solutions are entire, so even
 *                the eighth-order methods reach their asymptotic rate at coarse steps.
 * Initial state (1, 0, 1) at t = 0.
 */

export const N_STATES = 3;
export const END_TIME = 2;

/** A Ctx for any `real`: compiles on the host and under NVRTC (CUBIE_FN is __device__ there). */
export const PROBLEM_CPP = `
template <typename real>
struct TestProblem {
  const real* atol_;
  const real* rtol_;
  mutable long long rhs_calls;
  CUBIE_FN const real* atol() const { return atol_; }
  CUBIE_FN const real* rtol() const { return rtol_; }
  CUBIE_FN void rhs(double t, const real* __restrict__ y, real* __restrict__ dy) const {
    dy[0] = real(-0.1) * y[0] - real(2) * y[1];
    dy[1] = real(2) * y[0] - real(0.1) * y[1];
    const double centre = 1.0 + 0.5 * sin(2.0 * t);
    dy[2] = static_cast<real>(cos(2.0 * t) + centre * centre) - y[2] * y[2];
    ++rhs_calls;
  }
};

CUBIE_FN void exact_solution(double t, double* y) {
  const double decay = exp(-0.1 * t);
  y[0] = decay * cos(2.0 * t);
  y[1] = decay * sin(2.0 * t);
  y[2] = 1.0 + 0.5 * sin(2.0 * t);
}
`;

export function problemRhs(t: number, y: readonly number[]): number[] {
  const centre = 1 + 0.5 * Math.sin(2 * t);
  return [-0.1 * y[0] - 2 * y[1], 2 * y[0] - 0.1 * y[1], Math.cos(2 * t) + centre * centre - y[2] * y[2]];
}

/** One step that every stepper takes in C++ and the tableau takes in TypeScript, to compare. */
export const REFERENCE_STEP = {
  t: 0.3,
  h: 0.5,
  y: [0.8, -0.3, 1.2],
  atol: [1e-6, 1e-5, 1e-6],
  rtol: [1e-3, 1e-4, 1e-3],
} as const;
