// Matrix-free linear solves for large systems: restarted GMRES(M) (Saad &
// Schultz 1986) with modified Gram-Schmidt and Givens rotations, on an
// operator known only through its product with a vector. For implicit
// steppers the operator is sigma*I - J, applied with the generated
// Jacobian-vector product, so J is never formed: memory grows like
// (M + 1) * N instead of N^2. No dynamic memory, no std headers.
//
// The shifted systems below have the interface of their dense counterparts
// in kernel/cubie/linalg.h, so a generated stepper switches between the two
// by the one line that declares them. A CPU lane build gives W runs their
// own GMRES each (lane_krylov.h, included at the end).
#ifndef CUBIE_KRYLOV_H
#define CUBIE_KRYLOV_H
#include "cubie/platform.h"

namespace cubie {

template <typename real, int N>
CUBIE_FN real dot(const real* __restrict__ a, const real* __restrict__ b) {
  real sum = real(0);
  for (int i = 0; i < N; ++i) sum += a[i] * b[i];
  return sum;
}

// Solves A x = b from x = 0, A applied as op(v, Av) (v and Av never alias).
// Stops when the residual norm ||b - A x|| is at most tol * ||b||, or after
// max_products products with A in all; returns whether it converged (x is
// the best iterate either way). Adds each product to `products`.
template <typename real, int N, int M, class Operator>
CUBIE_FN bool gmres(const Operator& op, const real* __restrict__ b, real* __restrict__ x, real tol, int max_products,
                    int& products) {
  real basis[(M + 1) * N];  // the Krylov basis v_0..v_M, one row each
  real hessenberg[(M + 1) * M];  // row-major, reduced to upper triangular by the rotations
  real cosines[M], sines[M], residual[M + 1];
  for (int i = 0; i < N; ++i) x[i] = real(0);
  const real b_norm = sqrt(dot<real, N>(b, b));
  if (!(b_norm > real(0))) return b_norm == real(0);  // b = 0: x = 0 is exact; NaN: fail
  const real target = tol * b_norm;
  int used = 0;
  bool first_cycle = true;
  for (;;) {
    // r = b - A x, the start of this cycle's basis.
    real* __restrict__ r = basis;
    if (first_cycle) {
      for (int i = 0; i < N; ++i) r[i] = b[i];
    } else {
      op(x, r);
      ++used;
      ++products;
      for (int i = 0; i < N; ++i) r[i] = b[i] - r[i];
    }
    first_cycle = false;
    const real beta = sqrt(dot<real, N>(r, r));
    if (!(beta > target)) return beta <= target;  // converged, or NaN
    if (used >= max_products) return false;
    for (int i = 0; i < N; ++i) r[i] /= beta;
    residual[0] = beta;
    int k = 0;  // columns in this cycle
    bool converged = false;
    while (k < M && used < max_products) {
      real* __restrict__ w = basis + (k + 1) * N;
      op(basis + k * N, w);
      ++used;
      ++products;
      for (int j = 0; j <= k; ++j) {
        const real* __restrict__ v = basis + j * N;
        const real h = dot<real, N>(w, v);
        hessenberg[j * M + k] = h;
        for (int i = 0; i < N; ++i) w[i] -= h * v[i];
      }
      const real next = sqrt(dot<real, N>(w, w));
      // Earlier rotations, then a new one that zeroes the subdiagonal entry.
      for (int j = 0; j < k; ++j) {
        const real upper = hessenberg[j * M + k], lower = hessenberg[(j + 1) * M + k];
        hessenberg[j * M + k] = cosines[j] * upper + sines[j] * lower;
        hessenberg[(j + 1) * M + k] = cosines[j] * lower - sines[j] * upper;
      }
      const real diagonal = hessenberg[k * M + k];
      const real radius = sqrt(diagonal * diagonal + next * next);
      if (!(radius > real(0))) break;  // A v_k = 0: A is singular on this space
      cosines[k] = diagonal / radius;
      sines[k] = next / radius;
      hessenberg[k * M + k] = radius;
      residual[k + 1] = -sines[k] * residual[k];
      residual[k] = cosines[k] * residual[k];
      ++k;
      if (fabs(residual[k]) <= target || next == real(0)) {
        converged = true;  // next == 0: the exact solution lies in this space
        break;
      }
      for (int i = 0; i < N; ++i) w[i] /= next;
    }
    // x += V y with H y = g, H upper triangular k x k.
    for (int j = k - 1; j >= 0; --j) {
      real sum = residual[j];
      for (int l = j + 1; l < k; ++l) sum -= hessenberg[j * M + l] * residual[l];
      residual[j] = sum / hessenberg[j * M + j];
    }
    for (int j = 0; j < k; ++j) {
      const real* __restrict__ v = basis + j * N;
      for (int i = 0; i < N; ++i) x[i] += residual[j] * v[i];
    }
    if (converged) return true;
    if (k == 0 || used >= max_products) return false;
  }
}

// v -> sigma v - J v, with J v from the generated Jacobian-vector product.
template <class Ctx, typename real, int N>
struct ShiftedJacobianProduct {
  const Ctx& ctx;
  double t;
  const real* __restrict__ y;
  real sigma;
  CUBIE_FN void operator()(const real* __restrict__ v, real* __restrict__ out) const {
    ctx.jvp(t, y, v, out);
    for (int i = 0; i < N; ++i) out[i] = sigma * v[i] - out[i];
  }
};

// (re, im) -> ((sr + i si) I - J)(re + i im), as a real system of size 2N.
template <class Ctx, typename real, int N>
struct ComplexShiftedJacobianProduct {
  const Ctx& ctx;
  double t;
  const real* __restrict__ y;
  real sr, si;
  CUBIE_FN void operator()(const real* __restrict__ v, real* __restrict__ out) const {
    const real* re = v;
    const real* im = v + N;
    ctx.jvp(t, y, re, out);
    ctx.jvp(t, y, im, out + N);
    for (int i = 0; i < N; ++i) {
      const real jre = out[i], jim = out[N + i];
      out[i] = sr * re[i] - si * im[i] - jre;
      out[N + i] = si * re[i] + sr * im[i] - jim;
    }
  }
};

// sigma*I - J(t, y) without forming J: the matrix-free counterpart of
// DenseShiftedSystem. "Factoring" only records sigma; each solve runs GMRES
// to ctx.linear_tol() (relative residual) within ctx.linear_max_iters()
// products, counted in ctx.linear_iterations, and returns whether it got there.
template <class Ctx, typename real, int N, int M>
struct MatrixFreeShiftedSystem {
  // Only a pointer to the linearisation state is kept, so it cannot be moved
  // to a state that does not outlive the step (newton.h's refresh skips it).
  static constexpr bool owns_jacobian = false;
  const Ctx* ctx = nullptr;
  double t = 0.0;
  const real* y = nullptr;  // the caller's state at the start of the step; it outlives the step
  real sigma = real(0);

  CUBIE_FN void evaluate_jacobian(const Ctx& c, double t_, const real* __restrict__ y_) {
    ctx = &c;
    t = t_;
    y = y_;
  }
  CUBIE_FN bool factor(real s) {
    sigma = s;
    return true;
  }
  // Nothing is factored: a matrix-free solve counts no factorisation.
  template <class C>
  CUBIE_FN bool factor(const C&, real s) {
    return factor(s);
  }
  CUBIE_FN bool solve(real* __restrict__ b) const {
    const ShiftedJacobianProduct<Ctx, real, N> op = {*ctx, t, y, sigma};
    real x[N];
    const bool converged = gmres<real, N, M>(op, b, x, ctx->linear_tol(), ctx->linear_max_iters(), ctx->linear_iterations);
    for (int i = 0; i < N; ++i) b[i] = x[i];
    return converged;
  }
};

// (sr + i si) I - J without forming J: Radau's complex block, solved as a
// real system of size 2N.
template <class Ctx, typename real, int N, int M>
struct MatrixFreeComplexShiftedSystem {
  const Ctx* ctx = nullptr;
  double t = 0.0;
  const real* y = nullptr;
  real sr = real(0), si = real(0);

  template <class C>
  CUBIE_FN bool factor(const C&, const MatrixFreeShiftedSystem<Ctx, real, N, M>& source, real sr_, real si_) {
    return factor(source, sr_, si_);
  }
  CUBIE_FN bool factor(const MatrixFreeShiftedSystem<Ctx, real, N, M>& source, real sr_, real si_) {
    ctx = source.ctx;
    t = source.t;
    y = source.y;
    sr = sr_;
    si = si_;
    return true;
  }
  CUBIE_FN bool solve(real* __restrict__ re, real* __restrict__ im) const {
    const ComplexShiftedJacobianProduct<Ctx, real, N> op = {*ctx, t, y, sr, si};
    real b[2 * N], x[2 * N];
    for (int i = 0; i < N; ++i) {
      b[i] = re[i];
      b[N + i] = im[i];
    }
    const bool converged =
        gmres<real, 2 * N, M>(op, b, x, ctx->linear_tol(), ctx->linear_max_iters(), ctx->linear_iterations);
    for (int i = 0; i < N; ++i) {
      re[i] = x[i];
      im[i] = x[N + i];
    }
    return converged;
  }
};

}  // namespace cubie
#if CUBIE_LANE_BUILD
#include "cubie/lane_krylov.h"
#endif
#endif
