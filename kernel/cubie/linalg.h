// Dense linear algebra for one trajectory: LU factorisation with partial
// pivoting of a small N x N matrix, in place, and solves with the factors.
// No dynamic memory and no std headers (NVRTC has none): fixed sizes, and
// arrays the caller owns (on the thread's stack, or in local memory on a GPU).
//
// One template factors both the real matrices (sigma*I - J of DIRK and
// Rosenbrock methods, Radau's real block) and the complex one (Radau's
// complex block), through cubie::complex_number below. The matrices an
// implicit stepper needs are wrapped as "shifted systems": sigma*I - J for
// the Jacobian at the start of the step, factored once and solved with many
// times; kernel/cubie/krylov.h offers the same interface without forming J.
#ifndef CUBIE_LINALG_H
#define CUBIE_LINALG_H
#include "cubie/platform.h"

namespace cubie {

template <typename real>
struct complex_number {
  real re;
  real im;
};

template <typename real>
CUBIE_FN complex_number<real> operator-(complex_number<real> a, complex_number<real> b) {
  return {a.re - b.re, a.im - b.im};
}

template <typename real>
CUBIE_FN complex_number<real> operator+(complex_number<real> a, complex_number<real> b) {
  return {a.re + b.re, a.im + b.im};
}

template <typename real>
CUBIE_FN complex_number<real> operator*(complex_number<real> a, complex_number<real> b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

// The size a pivot is chosen by: |x|, or |re| + |im| for a complex number
// (as Hairer's DECC: no square root, and as good for ranking candidates).
template <typename real>
CUBIE_FN real magnitude(real x) {
  return fabs(x);
}
template <typename real>
CUBIE_FN real magnitude(complex_number<real> x) {
  return fabs(x.re) + fabs(x.im);
}

template <typename real>
CUBIE_FN real quotient(real a, real b) {
  return a / b;
}
// Smith's algorithm: a / b without forming |b|^2, which can overflow in float.
template <typename real>
CUBIE_FN complex_number<real> quotient(complex_number<real> a, complex_number<real> b) {
  if (fabs(b.re) >= fabs(b.im)) {
    const real r = b.im / b.re;
    const real d = b.re + b.im * r;
    return {(a.re + a.im * r) / d, (a.im - a.re * r) / d};
  }
  const real r = b.re / b.im;
  const real d = b.re * r + b.im;
  return {(a.re * r + a.im) / d, (a.im * r - a.re) / d};
}

// Factors the row-major N x N matrix `a` in place as P a = L U (L unit lower
// triangular below the diagonal, U on and above it), taking the largest
// remaining entry of each column as the pivot; pivot[k] is the row swapped
// with row k at step k. Returns false when a pivot is zero or not finite:
// the matrix is singular to working precision or holds NaN/inf, and must not
// be solved with. Zero multipliers are skipped, so the banded or sparse
// Jacobians of large systems factor in far fewer than N^3/3 operations.
template <typename T, int N>
CUBIE_FN bool lu_factor(T* __restrict__ a, int* __restrict__ pivot) {
  CUBIE_KEEP_LOOP for (int k = 0; k < N; ++k) {
    int p = k;
    auto largest = magnitude(a[k * N + k]);
    for (int i = k + 1; i < N; ++i) {
      const auto m = magnitude(a[i * N + k]);
      if (m > largest) {
        largest = m;
        p = i;
      }
    }
    pivot[k] = p;
    if (!(largest > 0) || !(largest - largest == 0)) return false;  // zero, NaN or inf
    if (p != k) {
      for (int j = 0; j < N; ++j) {
        const T swapped = a[k * N + j];
        a[k * N + j] = a[p * N + j];
        a[p * N + j] = swapped;
      }
    }
    for (int i = k + 1; i < N; ++i) {
      if (magnitude(a[i * N + k]) == 0) continue;
      const T l = quotient(a[i * N + k], a[k * N + k]);
      a[i * N + k] = l;
      for (int j = k + 1; j < N; ++j) a[i * N + j] = a[i * N + j] - l * a[k * N + j];
    }
  }
  return true;
}

// Solves a x = b in place (b becomes x) with the factors lu_factor left.
template <typename T, int N>
CUBIE_FN void lu_solve(const T* __restrict__ lu, const int* __restrict__ pivot, T* __restrict__ b) {
  CUBIE_KEEP_LOOP for (int k = 0; k < N; ++k) {
    const int p = pivot[k];
    if (p != k) {
      const T swapped = b[k];
      b[k] = b[p];
      b[p] = swapped;
    }
  }
  CUBIE_KEEP_LOOP for (int i = 1; i < N; ++i) {
    T sum = b[i];
    for (int j = 0; j < i; ++j) sum = sum - lu[i * N + j] * b[j];
    b[i] = sum;
  }
  CUBIE_KEEP_LOOP for (int i = N - 1; i >= 0; --i) {
    T sum = b[i];
    for (int j = i + 1; j < N; ++j) sum = sum - lu[i * N + j] * b[j];
    b[i] = quotient(sum, lu[i * N + i]);
  }
}

// sigma*I - J(t, y), formed from the generated Jacobian and factored: the
// matrix of every Newton iteration of a DIRK stage (sigma = 1/(dt*a_ii)),
// of every Rosenbrock stage (sigma = 1/(dt*gamma)) and Radau's real block.
// KeepJacobian keeps a copy of J so that a method whose stages have several
// diagonal coefficients refactors without evaluating J again.
template <typename real, int N, bool KeepJacobian = false>
struct DenseShiftedSystem {
  // J is evaluated into lu (and kept): re-evaluating it at another state needs nothing to outlive the call.
  static constexpr bool owns_jacobian = true;
  real lu[N * N];
  int pivot[N];
  real kept[KeepJacobian ? N * N : 1];

  template <class Ctx>
  CUBIE_FN void evaluate_jacobian(const Ctx& ctx, double t, const real* __restrict__ y) {
    ctx.jacobian(t, y, lu);
    if (KeepJacobian) {
      for (int k = 0; k < N * N; ++k) kept[k] = lu[k];
    }
  }
  // J as evaluate_jacobian left it, until the first factor() (Radau builds
  // its complex block from it before factoring the real one).
  CUBIE_FN const real* jacobian() const { return lu; }
  // J as kept for refactoring (KeepJacobian only).
  CUBIE_FN const real* kept_jacobian() const { return kept; }
  template <class Ctx>
  CUBIE_FN bool factor(const Ctx& ctx, real sigma) {
    ++ctx.factorizations;
    return factor(sigma);
  }
  // false when sigma*I - J is singular or not finite.
  CUBIE_FN bool factor(real sigma) {
    const real* __restrict__ jac = KeepJacobian ? kept : lu;
    for (int k = 0; k < N * N; ++k) lu[k] = -jac[k];
    for (int i = 0; i < N; ++i) lu[i * N + i] += sigma;
    return lu_factor<real, N>(lu, pivot);
  }
  // b <- (sigma*I - J)^-1 b. Always succeeds (the matrix-free solver may not).
  CUBIE_FN bool solve(real* __restrict__ b) const {
    lu_solve<real, N>(lu, pivot, b);
    return true;
  }
};

// sigma*I - J kept in an implicit stepper's memory from step to step (dense
// LU only). prepare() evaluates J at a step's point unless J is already
// there: the retry of a rejected step reuses the exact J(t, y). factor()
// refactors only when J or sigma changed (a fixed step's sigma never does).
//
// Keeping J across accepted steps was measured and left out (README, "What
// is kept between steps"): RADAU5's rule let stale-J error estimates shrink
// OREGO's steps 15-fold at rtol 1e-9, and a CVODE-style policy made kvaerno5
// 1.2-1.85x slower on the Test Set's small systems.
//
// System is the dense DenseShiftedSystem by default, or a sparse one
// (sparse.h: SparseShiftedSystem), which has the same interface; jacobian()
// gives Radau's complex block J in the system's own layout.
template <typename real, int N, class System = DenseShiftedSystem<real, N, true>>
struct KeptShiftedSystem {
  static constexpr bool owns_jacobian = true;
  System system;
  double jacobian_at = 0;
  bool have_jacobian = false;
  real factored_sigma = real(0);  // 0: not factored for this J

  template <class Ctx>
  CUBIE_FN void prepare(const Ctx& ctx, double t, const real* __restrict__ y) {
    if (!(have_jacobian && jacobian_at == t)) {
      system.evaluate_jacobian(ctx, t, y);
      jacobian_at = t;
      have_jacobian = true;
      factored_sigma = real(0);
    }
  }
  // J at another state (a failed fixed step's iterate, newton.h): used for the rest of this step only.
  template <class Ctx>
  CUBIE_FN void evaluate_jacobian(const Ctx& ctx, double t, const real* __restrict__ y) {
    system.evaluate_jacobian(ctx, t, y);
    have_jacobian = false;
    factored_sigma = real(0);
  }
  // J's values as the system keeps them: N^2 dense entries, or the sparse pattern's nonzeros.
  CUBIE_FN const real* jacobian() const { return system.kept_jacobian(); }
  template <class Ctx>
  CUBIE_FN bool factor(const Ctx& ctx, real sigma) {
    if (sigma == factored_sigma) return true;
    ++ctx.factorizations;
    factored_sigma = system.factor(sigma) ? sigma : real(0);
    return factored_sigma != real(0);
  }
  CUBIE_FN bool solve(real* __restrict__ b) const { return system.solve(b); }
};

// (sr + i si) I - J: Radau IIA's complex block, built from the Jacobian of
// a DenseShiftedSystem before that one is factored (or of a KeptShiftedSystem).
template <typename real, int N>
struct DenseComplexShiftedSystem {
  complex_number<real> lu[N * N];
  int pivot[N];

  template <class Ctx, class Source>
  CUBIE_FN bool factor(const Ctx& ctx, const Source& source, real sr, real si) {
    ++ctx.factorizations;
    return factor(source, sr, si);
  }
  template <class Source>
  CUBIE_FN bool factor(const Source& source, real sr, real si) {
    const real* __restrict__ jac = source.jacobian();
    for (int k = 0; k < N * N; ++k) lu[k] = {-jac[k], real(0)};
    for (int i = 0; i < N; ++i) {
      lu[i * N + i].re += sr;
      lu[i * N + i].im += si;
    }
    return lu_factor<complex_number<real>, N>(lu, pivot);
  }
  // (re + i im) <- ((sr + i si) I - J)^-1 (re + i im).
  CUBIE_FN bool solve(real* __restrict__ re, real* __restrict__ im) const {
    complex_number<real> b[N];
    for (int i = 0; i < N; ++i) b[i] = {re[i], im[i]};
    lu_solve<complex_number<real>, N>(lu, pivot, b);
    for (int i = 0; i < N; ++i) {
      re[i] = b[i].re;
      im[i] = b[i].im;
    }
    return true;
  }
};

// Radau IIA's two blocks from the Jacobian a KeptShiftedSystem holds,
// refactored when J or sigma changed: the complex block, (re + i im) /dt,
// first, then the real one (sigma); false when either is singular. A lane
// build refactors each lane on its own (lane_linalg.h).
template <class Ctx, class Real, class Complex, typename real>
CUBIE_FN bool factor_blocks(const Ctx& ctx, Real& real_block, Complex& complex_block, real sigma, real inverse_dt, real re, real im) {
  if (real_block.factored_sigma != sigma) {
    if (!complex_block.factor(ctx, real_block, re * inverse_dt, im * inverse_dt)) return false;
    if (!real_block.factor(ctx, sigma)) return false;
  }
  return true;
}

}  // namespace cubie
#if CUBIE_LANE_BUILD
#include "cubie/lane_linalg.h"
#endif
#endif
