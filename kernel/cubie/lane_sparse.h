// The generated sparse LU's shifted system (sparse.h) for W runs at once
// (CPU lane builds), included at the end of sparse.h; the dense ones are in
// lane_linalg.h.
#ifndef CUBIE_LANE_SPARSE_H
#define CUBIE_LANE_SPARSE_H
#include "cubie/lane_krylov.h"
#include "cubie/lane_linalg.h"
#include "cubie/sparse.h"

namespace cubie {

// A pivot of the generated sparse LU (sparse.h's sparse_pivot_ok), lane by lane.
template <int W>
CUBIE_FN simd::vec_mask<double, W> sparse_pivot_ok(const simd::vec<double, W>& pivot, const simd::vec<double, W>& before) {
  return pivot - pivot == 0.0 && fabs(pivot) > 2e-14 * fabs(before);
}
template <int W>
CUBIE_FN simd::vec_mask<float, W> sparse_pivot_ok(const simd::vec<float, W>& pivot, const simd::vec<float, W>& before) {
  return pivot - pivot == 0.0f && fabs(pivot) > 1e-5f * fabs(before);
}

// Radau's complex pivots: the test on |re| + |im|, lane by lane.
template <class T, int W>
CUBIE_FN simd::vec_mask<T, W> sparse_pivot_ok(const complex_number<simd::vec<T, W>>& pivot, const complex_number<simd::vec<T, W>>& before) {
  return sparse_pivot_ok(fabs(pivot.re) + fabs(pivot.im), fabs(before.re) + fabs(before.im));
}
// sparse.h's reciprocal lane by lane: both of Smith's branches, each lane taking its own.
template <class T, int W>
CUBIE_SPARSE_INLINE complex_number<simd::vec<T, W>> reciprocal(const complex_number<simd::vec<T, W>>& z) {
  typedef simd::vec<T, W> V;
  const simd::vec_mask<T, W> by_re = fabs(z.re) >= fabs(z.im);
  const V r1 = z.im / z.re, d1 = T(1) / (z.re + z.im * r1);
  const V r2 = z.re / z.im, d2 = T(1) / (z.re * r2 + z.im);
  return {select(by_re, d1, r2 * d2), select(by_re, -r1 * d1, -d2)};
}

// SparseShiftedSystem (sparse.h), lane by lane: the generated LU's
// straight-line code on vectors, each lane's pivots checked on their own,
// and each lane's J values the overflow fallback's (LaneContext::replace_nonfinite_values).
template <class T, int W, class Jacobian, class Factor>
struct SparseShiftedSystem<simd::vec<T, W>, Jacobian, Factor> {
  typedef simd::vec<T, W> V;
  typedef lane_types<V> L;
  static constexpr bool owns_jacobian = true;
  // Every call computes every lane: a caller that serves some lanes keeps the others with blend_from.
  static constexpr bool keeps_lanes = false;
  V jv[Jacobian::n_jacobian];
  V lu[Factor::n_factor];

  template <class Ctx>
  CUBIE_FN void evaluate_jacobian(const Ctx& ctx, const typename L::time& t, const V* __restrict__ y) {
    Jacobian::evaluate(ctx, t, y, jv);
    ctx.template replace_nonfinite_values<Jacobian>(t, y, jv);  // as the dense J (lane_engine.h)
  }
  template <class Ctx>
  CUBIE_FN typename L::mask factor(const Ctx& ctx, const V& sigma) {
    ctx.count_factorizations(ctx.counting);
    return factor(sigma);
  }
  CUBIE_FN typename L::mask factor(const V& sigma) { return Factor::factor(jv, sigma, lu); }
  CUBIE_FN const V* kept_jacobian() const { return jv; }
  CUBIE_FN typename L::mask solve(V* __restrict__ b) const {
    Factor::solve(lu, b);
    return V(0) == V(0);
  }
  CUBIE_FN void blend_from(const SparseShiftedSystem& before, const typename L::mask& keep) {
    for (int k = 0; k < Jacobian::n_jacobian; ++k) jv[k] = select(keep, before.jv[k], jv[k]);
    for (int k = 0; k < Factor::n_factor; ++k) lu[k] = select(keep, before.lu[k], lu[k]);
  }
};

// SparseComplexShiftedSystem (sparse.h), lane by lane.
template <class T, int W, class Factor>
struct SparseComplexShiftedSystem<simd::vec<T, W>, Factor> {
  typedef simd::vec<T, W> V;
  typedef lane_types<V> L;
  complex_number<V> lu[Factor::n_factor];

  template <class Ctx, class Source>
  CUBIE_FN typename L::mask factor(const Ctx& ctx, const Source& source, const V& sr, const V& si) {
    ctx.count_factorizations(ctx.counting);
    return factor(source, sr, si);
  }
  template <class Source>
  CUBIE_FN typename L::mask factor(const Source& source, const V& sr, const V& si) {
    return Factor::factor(source.jacobian(), sr, si, lu);
  }
  CUBIE_FN typename L::mask solve(V* __restrict__ re, V* __restrict__ im) const {
    Factor::solve(lu, re, im);
    return V(0) == V(0);
  }
  CUBIE_FN void blend_from(const SparseComplexShiftedSystem& before, const typename L::mask& keep) {
    for (int k = 0; k < Factor::n_factor; ++k) lu[k] = lane_select(keep, before.lu[k], lu[k]);
  }
};

// PreconditionedShiftedSystem (sparse.h), lane by lane: each lane its own
// J values and preconditioner (a lane whose pivot fails reports it in the
// returned mask), and its own right-preconditioned GMRES (lane_krylov.h) for
// the lanes in ctx.counting. The product is sparse.h's, on vectors.
template <class Ctx, class T, int W, int N, int M, class Jacobian, class Preconditioner>
struct PreconditionedShiftedSystem<Ctx, simd::vec<T, W>, N, M, Jacobian, Preconditioner> {
  typedef simd::vec<T, W> V;
  typedef lane_types<V> L;
  static constexpr bool owns_jacobian = true;
  // Every call computes every lane: a caller that serves some lanes keeps the others with blend_from.
  static constexpr bool keeps_lanes = false;
  const Ctx* ctx = nullptr;
  V jv[Jacobian::n_jacobian];
  V m[Preconditioner::n_factor];
  V sigma = V(T(0));

  CUBIE_FN void evaluate_jacobian(const Ctx& c, const typename L::time& t, const V* __restrict__ y) {
    ctx = &c;
    Jacobian::evaluate(c, t, y, jv);
    c.template replace_nonfinite_values<Jacobian>(t, y, jv);
  }
  // The preconditioner's factorisation is counted as one.
  CUBIE_FN typename L::mask factor(const Ctx& c, const V& s) {
    c.count_factorizations(c.counting);
    return factor(s);
  }
  CUBIE_FN typename L::mask factor(const V& s) {
    sigma = s;
    return Preconditioner::factor(jv, s, m);
  }
  CUBIE_FN typename L::mask solve(V* __restrict__ b) const {
    const PreconditionedShiftedProduct<V, N, Jacobian, Preconditioner> op = {jv, m, sigma};
    V u[N];
    const typename L::mask converged =
        lane_gmres<T, W, N, M>(op, b, u, ctx->linear_tol(), ctx->linear_max_iters(), ctx->counting, ctx->linear_iterations);
    Preconditioner::solve(m, u);
    for (int i = 0; i < N; ++i) b[i] = u[i];
    return converged;
  }
  CUBIE_FN void blend_from(const PreconditionedShiftedSystem& before, const typename L::mask& keep) {
    for (int k = 0; k < Jacobian::n_jacobian; ++k) jv[k] = select(keep, before.jv[k], jv[k]);
    for (int k = 0; k < Preconditioner::n_factor; ++k) m[k] = select(keep, before.m[k], m[k]);
    sigma = select(keep, before.sigma, sigma);
  }
};

}  // namespace cubie
#endif
