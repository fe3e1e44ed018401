// Sparse shifted systems sigma*I - J for implicit steppers, on a pattern
// known when the kernel was generated. The generated code supplies the
// structure as types (src/codegen/sparse-lu-source.ts):
//   Jacobian: n_jacobian, evaluate(ctx, t, y, jv) (J's structural nonzeros),
//             multiply(jv, v, out) (out = J v);
//   Factor:   n_factor, factor(jv, sigma, a) (false on a bad pivot),
//             solve(a, b) (b <- (sigma I - J)^-1 b, or M^-1 b for a preconditioner).
// Storage is O(nonzeros) per trajectory where the dense path needs N^2.
#ifndef CUBIE_SPARSE_H
#define CUBIE_SPARSE_H
#include "cubie/platform.h"
#include "cubie/krylov.h"
#include "cubie/linalg.h"

// The generated factor and solve are long straight-line functions: they are
// called, not inlined at each of a stepper's solves (one copy of the code).
// GCC compiles them at -O1: at -O3 its SLP vectorizer, PRE and alias walks
// grow faster than linearly in a basic block of thousands of loads and
// stores (512 states: 110 s of compile against 13 s at -O1, 7 s for the
// dense kernel), and straight-line code with literal indices has little
// left for them to find.
//
// Small structures (the generator's SPARSE_INLINE_MAX_ENTRIES) are the
// exception on the host: CUBIE_SPARSE_SMALL_FN inlines them at -O3, so that
// independent solves (Radau's real and complex blocks) overlap in the core
// and nothing is spilled around a call. On HIRES (27 entries) radau took 17%
// less CPU time so. On the GPU they stay calls, as the large ones, to keep
// registers where they were.
#if defined(__CUDACC__)
#define CUBIE_SPARSE_FN __device__ __noinline__
#define CUBIE_SPARSE_SMALL_FN __device__ __noinline__
#define CUBIE_SPARSE_INLINE __device__ __forceinline__
#elif defined(__GNUC__) && !defined(__clang__)
#define CUBIE_SPARSE_FN __attribute__((noinline, optimize("O1")))
#define CUBIE_SPARSE_SMALL_FN __attribute__((always_inline)) inline
#define CUBIE_SPARSE_INLINE __attribute__((always_inline)) inline
#else
#define CUBIE_SPARSE_FN __attribute__((noinline))
#define CUBIE_SPARSE_SMALL_FN __attribute__((always_inline)) inline
#define CUBIE_SPARSE_INLINE __attribute__((always_inline)) inline
#endif

namespace cubie {

// A pivot of the diagonal-pivoting sparse LU is accepted when it is finite
// and has not shrunk below ~100 ulps of its row's diagonal before
// elimination: a smaller one means cancellation has eaten its digits (or
// sigma*I - J is singular), and dividing by it would amplify rounding without
// bound. No row exchange is possible on a fixed structure; the step is
// rejected instead (see sparse-lu-source.ts).
CUBIE_FN bool sparse_pivot_ok(double pivot, double before) {
  return pivot - pivot == 0.0 && fabs(pivot) > 2e-14 * fabs(before);
}
CUBIE_FN bool sparse_pivot_ok(float pivot, float before) {
  return pivot - pivot == 0.0f && fabs(pivot) > 1e-5f * fabs(before);
}
// Radau's complex block: the same test on |re| + |im| (linalg.h's magnitude).
template <typename real>
CUBIE_FN mask_of<real> sparse_pivot_ok(complex_number<real> pivot, complex_number<real> before) {
  return sparse_pivot_ok(magnitude(pivot), magnitude(before));
}
// 1 / z, for the stored reciprocal pivots of the complex factor: Smith's
// scaling (no |z|^2, which overflows in float for the large shifts of small
// steps) with two divisions, written out so that the -O1 factor above does
// not call linalg.h's general quotient once per pivot.
template <typename real>
CUBIE_SPARSE_INLINE complex_number<real> reciprocal(complex_number<real> z) {
  if (fabs(z.re) >= fabs(z.im)) {
    const real r = z.im / z.re;
    const real d = real(1) / (z.re + z.im * r);
    return {d, -r * d};
  }
  const real r = z.re / z.im;
  const real d = real(1) / (z.re * r + z.im);
  return {r * d, -d};
}

// sigma*I - J factored by a sparse LU with a static structure: the sparse
// counterpart of DenseShiftedSystem (and, wrapped in KeptShiftedSystem,
// kept between steps the same way). J's values are always kept apart from
// the factors, so refactoring for another sigma never re-evaluates J.
template <typename real, class Jacobian, class Factor>
struct SparseShiftedSystem {
  static constexpr bool owns_jacobian = true;
  real jv[Jacobian::n_jacobian];
  real lu[Factor::n_factor];

  template <class Ctx>
  CUBIE_FN void evaluate_jacobian(const Ctx& ctx, double t, const real* __restrict__ y) {
    Jacobian::evaluate(ctx, t, y, jv);
    ctx.template replace_nonfinite_values<Jacobian>(t, y, jv);  // as the dense J (engine.h)
  }
  template <class Ctx>
  CUBIE_FN bool factor(const Ctx& ctx, real sigma) {
    ++ctx.factorizations;
    return factor(sigma);
  }
  CUBIE_FN bool factor(real sigma) { return Factor::factor(jv, sigma, lu); }
  CUBIE_FN const real* kept_jacobian() const { return jv; }
  CUBIE_FN bool solve(real* __restrict__ b) const {
    Factor::solve(lu, b);
    return true;
  }
};

// (sr + i si) I - J on the same pattern: Radau IIA's complex block, factored
// from the nonzeros a sparse real block keeps (Source::jacobian()), with the
// same elimination order and the same diagonal-pivot test on |re| + |im|.
template <typename real, class Factor>
struct SparseComplexShiftedSystem {
  complex_number<real> lu[Factor::n_factor];

  template <class Ctx, class Source>
  CUBIE_FN bool factor(const Ctx& ctx, const Source& source, real sr, real si) {
    ++ctx.factorizations;
    return factor(source, sr, si);
  }
  template <class Source>
  CUBIE_FN bool factor(const Source& source, real sr, real si) {
    return Factor::factor(source.jacobian(), sr, si, lu);
  }
  // (re + i im) <- ((sr + i si) I - J)^-1 (re + i im).
  CUBIE_FN bool solve(real* __restrict__ re, real* __restrict__ im) const {
    Factor::solve(lu, re, im);
    return true;
  }
};

// v -> (sigma I - J) M^-1 v: right preconditioning, so GMRES's residual is the true one.
template <typename real, int N, class Jacobian, class Preconditioner>
struct PreconditionedShiftedProduct {
  const real* __restrict__ jv;
  const real* __restrict__ m;
  real sigma;
  CUBIE_FN void operator()(const real* __restrict__ v, real* __restrict__ out) const {
    real w[N];
    for (int i = 0; i < N; ++i) w[i] = v[i];
    Preconditioner::solve(m, w);
    Jacobian::multiply(jv, w, out);
    for (int i = 0; i < N; ++i) out[i] = sigma * w[i] - out[i];
  }
};

// sigma*I - J solved by GMRES(M) with a preconditioner factored on J's
// pattern (ILU(0) or Jacobi): J's values are formed once per step (O(nnz)),
// products with them replace the Jacobian-vector product, and the
// preconditioner cuts the products a stiff solve needs. Solves to
// ctx.linear_tol() within ctx.linear_max_iters() products, like
// MatrixFreeShiftedSystem.
template <class Ctx, typename real, int N, int M, class Jacobian, class Preconditioner>
struct PreconditionedShiftedSystem {
  static constexpr bool owns_jacobian = true;
  const Ctx* ctx = nullptr;
  real jv[Jacobian::n_jacobian];
  real m[Preconditioner::n_factor];
  real sigma = real(0);

  CUBIE_FN void evaluate_jacobian(const Ctx& c, double t, const real* __restrict__ y) {
    ctx = &c;
    Jacobian::evaluate(c, t, y, jv);
    c.template replace_nonfinite_values<Jacobian>(t, y, jv);
  }
  // The preconditioner's factorisation is counted as one.
  CUBIE_FN bool factor(const Ctx& c, real s) {
    ++c.factorizations;
    return factor(s);
  }
  CUBIE_FN bool factor(real s) {
    sigma = s;
    return Preconditioner::factor(jv, s, m);
  }
  CUBIE_FN bool solve(real* __restrict__ b) const {
    const PreconditionedShiftedProduct<real, N, Jacobian, Preconditioner> op = {jv, m, sigma};
    real u[N];
    const bool converged = gmres<real, N, M>(op, b, u, ctx->linear_tol(), ctx->linear_max_iters(), ctx->linear_iterations);
    Preconditioner::solve(m, u);
    for (int i = 0; i < N; ++i) b[i] = u[i];
    return converged;
  }
};

}  // namespace cubie
#if CUBIE_LANE_BUILD
#include "cubie/lane_sparse.h"
#endif
#endif
