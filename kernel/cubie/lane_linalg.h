// The dense shifted systems of linalg.h for W runs at once (CPU lane builds):
// each lane its own Jacobian, LU factors and row pivots. A lane's pivot is
// its own largest entry, as in the scalar lu_factor, and rows are swapped
// lane by lane with selects; a lane whose factorisation fails (a zero, NaN
// or infinite pivot) reports it in the returned mask while the others go on.
// Each lane computes what the scalar code computes for its run.
#ifndef CUBIE_LANE_LINALG_H
#define CUBIE_LANE_LINALG_H
#include "cubie/linalg.h"

namespace cubie {

template <class V>
struct lane_types {
  typedef typename V::scalar scalar;
  static constexpr int width = V::width;
  typedef mask_of<V> mask;
  typedef typename mask::native index;  // a row number per lane
  typedef wide_of<V> time;
};

// The entry-wise operations of the lane LU, for real lanes and for complex
// lanes (Radau's complex block): lu_factor's magnitude and quotient (Smith's
// algorithm, both of its branches computed and each lane taking its own).
template <class T, int W>
CUBIE_FN simd::vec<T, W> lane_magnitude(const simd::vec<T, W>& x) { return fabs(x); }
template <class T, int W>
CUBIE_FN simd::vec<T, W> lane_magnitude(const complex_number<simd::vec<T, W>>& x) { return fabs(x.re) + fabs(x.im); }
template <class T, int W>
CUBIE_FN simd::vec_mask<T, W> lane_is_zero(const simd::vec<T, W>& x) { return x == T(0); }
template <class T, int W>
CUBIE_FN simd::vec_mask<T, W> lane_is_zero(const complex_number<simd::vec<T, W>>& x) { return lane_magnitude(x) == T(0); }
template <class T, int W>
CUBIE_FN simd::vec<T, W> lane_select(const simd::vec_mask<T, W>& c, const simd::vec<T, W>& a, const simd::vec<T, W>& b) {
  return select(c, a, b);
}
template <class T, int W>
CUBIE_FN complex_number<simd::vec<T, W>> lane_select(const simd::vec_mask<T, W>& c, const complex_number<simd::vec<T, W>>& a,
                                                     const complex_number<simd::vec<T, W>>& b) {
  return {select(c, a.re, b.re), select(c, a.im, b.im)};
}
template <class T, int W>
CUBIE_FN simd::vec<T, W> lane_quotient(const simd::vec<T, W>& a, const simd::vec<T, W>& b) { return a / b; }
template <class T, int W>
CUBIE_FN complex_number<simd::vec<T, W>> lane_quotient(const complex_number<simd::vec<T, W>>& a, const complex_number<simd::vec<T, W>>& b) {
  typedef simd::vec<T, W> V;
  const simd::vec_mask<T, W> by_re = fabs(b.re) >= fabs(b.im);
  const V r1 = b.im / b.re, d1 = b.re + b.im * r1;
  const V r2 = b.re / b.im, d2 = b.re * r2 + b.im;
  return {select(by_re, (a.re + a.im * r1) / d1, (a.re * r2 + a.im) / d2), select(by_re, (a.im - a.re * r1) / d1, (a.im * r2 - a.re) / d2)};
}

// lu_factor (linalg.h) lane by lane; E is V, or complex_number<V> for Radau's complex block.
template <class V, int N, class E = V>
CUBIE_FN typename lane_types<V>::mask lane_lu_factor(E* __restrict__ a, typename lane_types<V>::index* __restrict__ pivot) {
  typedef typename lane_types<V>::mask M;
  typedef typename lane_types<V>::index I;
  M ok = V(0) == V(0);
  for (int k = 0; k < N; ++k) {
    V largest = lane_magnitude(a[k * N + k]);
    I p = I{} + k;
    for (int i = k + 1; i < N; ++i) {
      const V m = lane_magnitude(a[i * N + k]);
      const M larger = m > largest;
      largest = select(larger, m, largest);
      p = larger.m ? I{} + i : p;
    }
    pivot[k] = p;
    ok = ok && largest > 0 && largest - largest == 0;
    for (int i = k + 1; i < N; ++i) {
      const M swap = {p == i};
      for (int j = 0; j < N; ++j) {
        const E row_k = a[k * N + j];
        a[k * N + j] = lane_select(swap, a[i * N + j], row_k);
        a[i * N + j] = lane_select(swap, row_k, a[i * N + j]);
      }
    }
    for (int i = k + 1; i < N; ++i) {
      // As the scalar code skips a row whose entry is already zero, a lane keeps that row as it is.
      const M zero = lane_is_zero(a[i * N + k]);
      const E l = lane_quotient(a[i * N + k], a[k * N + k]);
      a[i * N + k] = lane_select(zero, a[i * N + k], l);
      for (int j = k + 1; j < N; ++j) a[i * N + j] = lane_select(zero, a[i * N + j], a[i * N + j] - l * a[k * N + j]);
    }
  }
  return ok;
}

template <class V, int N, class E = V>
CUBIE_FN void lane_lu_solve(const E* __restrict__ lu, const typename lane_types<V>::index* __restrict__ pivot, E* __restrict__ b) {
  typedef typename lane_types<V>::mask M;
  for (int k = 0; k < N; ++k) {
    for (int i = k + 1; i < N; ++i) {
      const M swap = {pivot[k] == i};
      const E b_k = b[k];
      b[k] = lane_select(swap, b[i], b_k);
      b[i] = lane_select(swap, b_k, b[i]);
    }
  }
  for (int i = 1; i < N; ++i) {
    E sum = b[i];
    for (int j = 0; j < i; ++j) sum = sum - lu[i * N + j] * b[j];
    b[i] = sum;
  }
  for (int i = N - 1; i >= 0; --i) {
    E sum = b[i];
    for (int j = i + 1; j < N; ++j) sum = sum - lu[i * N + j] * b[j];
    b[i] = lane_quotient(sum, lu[i * N + i]);
  }
}

// DenseShiftedSystem (linalg.h), lane by lane.
template <class T, int W, int N, bool KeepJacobian>
struct DenseShiftedSystem<simd::vec<T, W>, N, KeepJacobian> {
  typedef simd::vec<T, W> V;
  typedef lane_types<V> L;
  static constexpr bool owns_jacobian = true;
  // Every call computes every lane: a caller that serves some lanes keeps the others with blend_from.
  static constexpr bool keeps_lanes = false;
  V lu[N * N];
  typename L::index pivot[N];
  V kept[KeepJacobian ? N * N : 1];

  template <class Ctx>
  CUBIE_FN void evaluate_jacobian(const Ctx& ctx, const typename L::time& t, const V* __restrict__ y) {
    ctx.jacobian(t, y, lu);
    if (KeepJacobian) {
      for (int k = 0; k < N * N; ++k) kept[k] = lu[k];
    }
  }
  CUBIE_FN const V* jacobian() const { return KeepJacobian ? kept : lu; }
  CUBIE_FN const V* kept_jacobian() const { return kept; }
  template <class Ctx>
  CUBIE_FN typename L::mask factor(const Ctx& ctx, const V& sigma) {
    ctx.count_factorizations(ctx.counting);
    return factor(sigma);
  }
  CUBIE_FN typename L::mask factor(const V& sigma) {
    const V* __restrict__ jac = KeepJacobian ? kept : lu;
    for (int k = 0; k < N * N; ++k) lu[k] = -jac[k];
    for (int i = 0; i < N; ++i) lu[i * N + i] += sigma;
    return lane_lu_factor<V, N>(lu, pivot);
  }
  CUBIE_FN typename L::mask solve(V* __restrict__ b) const {
    lane_lu_solve<V, N>(lu, pivot, b);
    return V(0) == V(0);
  }
  // Lanes in `keep` take back everything from `before` (KeptShiftedSystem below).
  CUBIE_FN void blend_from(const DenseShiftedSystem& before, const typename L::mask& keep) {
    for (int k = 0; k < N * N; ++k) lu[k] = select(keep, before.lu[k], lu[k]);
    for (int i = 0; i < N; ++i) pivot[i] = keep.m ? before.pivot[i] : pivot[i];
    if (KeepJacobian) {
      for (int k = 0; k < N * N; ++k) kept[k] = select(keep, before.kept[k], kept[k]);
    }
  }
};

// KeptShiftedSystem (linalg.h), lane by lane: each lane keeps its Jacobian for
// a retry at the same time and its factors for the same sigma, as a run
// does. The shifted system (dense or sparse) computes for every lane; the
// lanes that keep what they had take it back (System::blend_from).
template <class T, int W, int N, class System>
struct KeptShiftedSystem<simd::vec<T, W>, N, System> {
  typedef simd::vec<T, W> V;
  typedef lane_types<V> L;
  static constexpr bool owns_jacobian = true;
  // Each call changes only the lanes in ctx.counting.
  static constexpr bool keeps_lanes = true;
  System system;
  typename L::time jacobian_at = typename L::time(0.0);
  typename L::mask have_jacobian = V(0) != V(0);
  V factored_sigma = V(T(0));  // 0: not factored for this J

  // A new run in lane l: nothing kept.
  CUBIE_FN void reset_lane(int l) {
    have_jacobian.m[l] = 0;
    factored_sigma.set(l, T(0));
  }
  template <class Ctx>
  CUBIE_FN void prepare(const Ctx& ctx, const typename L::time& t, const V* __restrict__ y) {
    const typename L::mask stale = !(have_jacobian && simd::mask_cast<T>(jacobian_at == t)) && ctx.counting;
    if (!simd::any(stale)) return;
    const System before = system;
    const typename L::mask counting = ctx.counting;
    ctx.counting = stale;  // the evaluation counts for the lanes it serves
    system.evaluate_jacobian(ctx, t, y);
    ctx.counting = counting;
    system.blend_from(before, !stale);
    jacobian_at = select(simd::mask_cast<double>(stale), t, jacobian_at);
    have_jacobian = have_jacobian || stale;
    factored_sigma = select(stale, V(T(0)), factored_sigma);
  }
  // J at another state for the lanes in ctx.counting (a failed fixed step's
  // iterate, lane_newton.h): used for the rest of their step only.
  template <class Ctx>
  CUBIE_FN void evaluate_jacobian(const Ctx& ctx, const typename L::time& t, const V* __restrict__ y) {
    const typename L::mask lanes = ctx.counting;
    if (!simd::any(lanes)) return;
    const System before = system;
    system.evaluate_jacobian(ctx, t, y);
    system.blend_from(before, !lanes);
    have_jacobian = have_jacobian && !lanes;
    factored_sigma = select(lanes, V(T(0)), factored_sigma);
  }
  template <class Ctx>
  CUBIE_FN typename L::mask factor(const Ctx& ctx, const V& sigma) {
    const typename L::mask refactor = !(sigma == factored_sigma) && ctx.counting;
    if (!simd::any(refactor)) return V(0) == V(0);
    ctx.count_factorizations(refactor);
    const System before = system;
    const typename L::mask ok = system.factor(sigma);
    system.blend_from(before, !refactor);
    factored_sigma = select(refactor, select(ok, sigma, V(T(0))), factored_sigma);
    return !refactor || ok;
  }
  CUBIE_FN const V* jacobian() const { return system.kept_jacobian(); }
  CUBIE_FN typename L::mask solve(V* __restrict__ b) const { return system.solve(b); }
};

// DenseComplexShiftedSystem (linalg.h), lane by lane: each lane its own complex factors and pivots.
template <class T, int W, int N>
struct DenseComplexShiftedSystem<simd::vec<T, W>, N> {
  typedef simd::vec<T, W> V;
  typedef lane_types<V> L;
  complex_number<V> lu[N * N];
  typename L::index pivot[N];

  template <class Ctx, class Source>
  CUBIE_FN typename L::mask factor(const Ctx& ctx, const Source& source, const V& sr, const V& si) {
    ctx.count_factorizations(ctx.counting);
    return factor(source, sr, si);
  }
  template <class Source>
  CUBIE_FN typename L::mask factor(const Source& source, const V& sr, const V& si) {
    const V* __restrict__ jac = source.jacobian();
    for (int k = 0; k < N * N; ++k) lu[k] = {-jac[k], V(T(0))};
    for (int i = 0; i < N; ++i) {
      lu[i * N + i].re += sr;
      lu[i * N + i].im += si;
    }
    return lane_lu_factor<V, N, complex_number<V>>(lu, pivot);
  }
  CUBIE_FN typename L::mask solve(V* __restrict__ re, V* __restrict__ im) const {
    complex_number<V> b[N];
    for (int i = 0; i < N; ++i) b[i] = {re[i], im[i]};
    lane_lu_solve<V, N, complex_number<V>>(lu, pivot, b);
    for (int i = 0; i < N; ++i) {
      re[i] = b[i].re;
      im[i] = b[i].im;
    }
    return V(0) == V(0);
  }
  CUBIE_FN void blend_from(const DenseComplexShiftedSystem& before, const typename L::mask& keep) {
    for (int k = 0; k < N * N; ++k) lu[k] = lane_select(keep, before.lu[k], lu[k]);
    for (int i = 0; i < N; ++i) pivot[i] = keep.m ? before.pivot[i] : pivot[i];
  }
};

// factor_blocks (linalg.h), lane by lane: the lanes whose J or sigma changed
// refactor both blocks; a lane whose complex block fails leaves its real
// block as it was, as the run's stepper returns before factoring it.
template <class Ctx, class T, int W, int N, class System, class Complex>
CUBIE_FN simd::vec_mask<T, W> factor_blocks(const Ctx& ctx, KeptShiftedSystem<simd::vec<T, W>, N, System>& real_block, Complex& complex_block,
                                            const simd::vec<T, W>& sigma, const simd::vec<T, W>& inverse_dt, typename simd::vec<T, W>::scalar re,
                                            typename simd::vec<T, W>::scalar im) {
  typedef simd::vec_mask<T, W> M;
  const M serving = ctx.counting;
  const M refactor = !(real_block.factored_sigma == sigma) && serving;
  if (!simd::any(refactor)) return all_lanes<simd::vec<T, W>>();
  const Complex before = complex_block;
  ctx.counting = refactor;
  const M complex_ok = complex_block.factor(ctx, real_block, re * inverse_dt, im * inverse_dt);
  complex_block.blend_from(before, !refactor);
  ctx.counting = refactor && complex_ok;
  const M real_ok = real_block.factor(ctx, sigma);
  ctx.counting = serving;
  return !refactor || (complex_ok && real_ok);
}

}  // namespace cubie
#endif
