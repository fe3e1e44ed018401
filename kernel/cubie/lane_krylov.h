// The matrix-free GMRES of krylov.h for W runs at once (CPU lane builds),
// included at the end of krylov.h. Every lane runs its own Krylov iteration
// with the scalar gmres's operations in the same order: its own basis,
// Hessenberg columns, rotations, convergence test and product count. The
// lanes still in a cycle have all built the same number of columns, so the
// column index is one integer; a lane whose cycle ended (converged, broke
// down, ran out of products, or filled its M columns) waits, masked, until
// the cycle's last lane ends, then each lane takes its own correction (back
// substitution over its own k columns) and restarts or stops on its own
// terms. The loops run while any lane iterates; waiting changes no lane's
// arithmetic, so each lane computes what its run computes in the scalar engine.
#ifndef CUBIE_LANE_KRYLOV_H
#define CUBIE_LANE_KRYLOV_H
#include "cubie/krylov.h"

namespace cubie {

// op(v, out) for the lanes in `lanes`: a Jacobian-vector product (whose
// overflow fallback evaluates f, counted per lane) is told which lanes ask.
template <class Operator, class V, class Mask>
CUBIE_FN auto apply_for(const Operator& op, const V* __restrict__ v, V* __restrict__ out, const Mask& lanes, int)
    -> decltype(op(v, out, lanes)) {
  return op(v, out, lanes);
}
template <class Operator, class V, class Mask>
CUBIE_FN void apply_for(const Operator& op, const V* __restrict__ v, V* __restrict__ out, const Mask&, long) {
  op(v, out);
}

// gmres (krylov.h) lane by lane, for the lanes in `serving`: x = 0 in the
// others. Returns the lanes that converged, and those not served.
// `products` counts each lane's products with A (a lane's mask is -1 where it counts).
template <class T, int W, int N, int M, class Operator>
CUBIE_FN simd::vec_mask<T, W> lane_gmres(const Operator& op, const simd::vec<T, W>* __restrict__ b, simd::vec<T, W>* __restrict__ x,
                                         T tol, int max_products, const simd::vec_mask<T, W>& serving,
                                         typename simd::vec_mask<T, W>::native& products) {
  typedef simd::vec<T, W> V;
  typedef simd::vec_mask<T, W> Mask;
  typedef typename Mask::native Count;
  V basis[(M + 1) * N];
  V hessenberg[(M + 1) * M];
  V cosines[M], sines[M], residual[M + 1];
  for (int j = 0; j <= M; ++j) residual[j] = V(T(0));
  for (int i = 0; i < N; ++i) x[i] = V(T(0));
  const V zero(T(0));
  const V b_norm = sqrt(dot<V, N>(b, b));
  // b = 0: x = 0 is exact; NaN: fail.
  Mask converged = serving && !(b_norm > zero) && b_norm == zero;
  Mask active = serving && b_norm > zero;
  const V target = V(tol) * b_norm;
  Count used = {};
  bool first_cycle = true;
  while (simd::any(active)) {
    // r = b - A x, the start of this cycle's basis.
    V* __restrict__ r = basis;
    if (first_cycle) {
      for (int i = 0; i < N; ++i) r[i] = b[i];
    } else {
      apply_for(op, x, r, active, 0);
      used -= active.m;
      products -= active.m;
      for (int i = 0; i < N; ++i) r[i] = b[i] - r[i];
    }
    first_cycle = false;
    const V beta = sqrt(dot<V, N>(r, r));
    const Mask done = active && !(beta > target);  // converged, or NaN
    converged = converged || (done && beta <= target);
    active = active && !done;
    active = active && !Mask{used >= max_products};
    if (!simd::any(active)) break;
    for (int i = 0; i < N; ++i) r[i] = r[i] / beta;
    residual[0] = beta;
    Count k = {};  // each lane's columns in this cycle
    Mask building = active;  // the lanes whose cycle goes on; each has k == column
    Mask cycle_converged = !(zero == zero);
    int column = 0;
    for (; column < M; ++column) {
      building = building && !Mask{used >= max_products};
      if (!simd::any(building)) break;
      V* __restrict__ w = basis + (column + 1) * N;
      apply_for(op, static_cast<const V*>(basis + column * N), w, building, 0);
      used -= building.m;
      products -= building.m;
      for (int j = 0; j <= column; ++j) {
        const V* __restrict__ v = basis + j * N;
        const V h = dot<V, N>(w, v);
        hessenberg[j * M + column] = h;
        for (int i = 0; i < N; ++i) w[i] = w[i] - h * v[i];
      }
      const V next = sqrt(dot<V, N>(w, w));
      // Earlier rotations, then a new one that zeroes the subdiagonal entry.
      for (int j = 0; j < column; ++j) {
        const V upper = hessenberg[j * M + column], lower = hessenberg[(j + 1) * M + column];
        hessenberg[j * M + column] = cosines[j] * upper + sines[j] * lower;
        hessenberg[(j + 1) * M + column] = cosines[j] * lower - sines[j] * upper;
      }
      const V diagonal = hessenberg[column * M + column];
      const V radius = sqrt(diagonal * diagonal + next * next);
      building = building && radius > zero;  // A v_k = 0: A is singular on this space
      if (!simd::any(building)) break;
      cosines[column] = diagonal / radius;
      sines[column] = next / radius;
      hessenberg[column * M + column] = radius;
      residual[column + 1] = select(building, -sines[column] * residual[column], residual[column + 1]);
      residual[column] = select(building, cosines[column] * residual[column], residual[column]);
      k -= building.m;
      // next == 0: the exact solution lies in this space
      const Mask now = building && (fabs(residual[column + 1]) <= target || next == zero);
      cycle_converged = cycle_converged || now;
      building = building && !now;
      for (int i = 0; i < N; ++i) w[i] = w[i] / next;
    }
    // x += V y with H y = g, H upper triangular k x k in each lane: the scalar order, over l < k.
    for (int j = column - 1; j >= 0; --j) {
      const Mask row = Mask{j < k};
      V sum = residual[j];
      for (int l = j + 1; l < column; ++l) sum = select(Mask{l < k}, sum - hessenberg[j * M + l] * residual[l], sum);
      residual[j] = select(row, sum / hessenberg[j * M + j], residual[j]);
    }
    for (int j = 0; j < column; ++j) {
      const Mask row = Mask{j < k};
      const V* __restrict__ v = basis + j * N;
      for (int i = 0; i < N; ++i) x[i] = select(row, x[i] + residual[j] * v[i], x[i]);
    }
    converged = converged || cycle_converged;
    active = active && !cycle_converged && !Mask{k == 0} && !Mask{used >= max_products};
  }
  return converged || !serving;
}

// v -> sigma v - J v in every lane, J v from the lane context's Jacobian-vector
// product (its overflow fallback in the lanes that ask).
template <class Ctx, class V, class Time, int N>
struct LaneShiftedJacobianProduct {
  const Ctx& ctx;
  Time t;
  const V* __restrict__ y;
  V sigma;
  template <class Mask>
  CUBIE_FN void operator()(const V* __restrict__ v, V* __restrict__ out, const Mask& lanes) const {
    ctx.jvp_for(lanes, t, y, v, out);
    for (int i = 0; i < N; ++i) out[i] = sigma * v[i] - out[i];
  }
};

// (re, im) -> ((sr + i si) I - J)(re + i im), as a real system of size 2N, in every lane.
template <class Ctx, class V, class Time, int N>
struct LaneComplexShiftedJacobianProduct {
  const Ctx& ctx;
  Time t;
  const V* __restrict__ y;
  V sr, si;
  template <class Mask>
  CUBIE_FN void operator()(const V* __restrict__ v, V* __restrict__ out, const Mask& lanes) const {
    const V* re = v;
    const V* im = v + N;
    ctx.jvp_for(lanes, t, y, re, out);
    ctx.jvp_for(lanes, t, y, im, out + N);
    for (int i = 0; i < N; ++i) {
      const V jre = out[i], jim = out[N + i];
      out[i] = sr * re[i] - si * im[i] - jre;
      out[N + i] = si * re[i] + sr * im[i] - jim;
    }
  }
};

// MatrixFreeShiftedSystem (krylov.h), lane by lane: each solve serves the
// lanes in ctx.counting, each lane its own GMRES to ctx.linear_tol() within
// ctx.linear_max_iters() products, counted in its lane of ctx.linear_iterations.
template <class Ctx, class T, int W, int N, int M>
struct MatrixFreeShiftedSystem<Ctx, simd::vec<T, W>, N, M> {
  typedef simd::vec<T, W> V;
  typedef simd::vec_mask<T, W> Mask;
  typedef wide_of<V> Time;
  static constexpr bool owns_jacobian = false;
  static constexpr bool keeps_lanes = false;
  const Ctx* ctx = nullptr;
  Time t = Time(0.0);
  const V* y = nullptr;  // the caller's state at the start of the step; it outlives the step
  V sigma = V(T(0));

  CUBIE_FN void evaluate_jacobian(const Ctx& c, const Time& t_, const V* __restrict__ y_) {
    ctx = &c;
    t = t_;
    y = y_;
  }
  CUBIE_FN Mask factor(const V& s) {
    sigma = s;
    return all_lanes<V>();  // nothing to fail
  }
  // Nothing is factored: a matrix-free solve counts no factorisation.
  template <class C>
  CUBIE_FN Mask factor(const C&, const V& s) {
    return factor(s);
  }
  CUBIE_FN Mask solve(V* __restrict__ b) const {
    const LaneShiftedJacobianProduct<Ctx, V, Time, N> op = {*ctx, t, y, sigma};
    V x[N];
    const Mask converged =
        lane_gmres<T, W, N, M>(op, b, x, ctx->linear_tol(), ctx->linear_max_iters(), ctx->counting, ctx->linear_iterations);
    for (int i = 0; i < N; ++i) b[i] = x[i];
    return converged;
  }
  // Only sigma is per lane (the state and time are the step's, the same for every lane's retry).
  CUBIE_FN void blend_from(const MatrixFreeShiftedSystem& before, const Mask& keep) { sigma = select(keep, before.sigma, sigma); }
};

// MatrixFreeComplexShiftedSystem (krylov.h), lane by lane.
template <class Ctx, class T, int W, int N, int M>
struct MatrixFreeComplexShiftedSystem<Ctx, simd::vec<T, W>, N, M> {
  typedef simd::vec<T, W> V;
  typedef simd::vec_mask<T, W> Mask;
  typedef wide_of<V> Time;
  const Ctx* ctx = nullptr;
  Time t = Time(0.0);
  const V* y = nullptr;
  V sr = V(T(0)), si = V(T(0));

  template <class C>
  CUBIE_FN Mask factor(const C&, const MatrixFreeShiftedSystem<Ctx, V, N, M>& source, const V& sr_, const V& si_) {
    return factor(source, sr_, si_);
  }
  CUBIE_FN Mask factor(const MatrixFreeShiftedSystem<Ctx, V, N, M>& source, const V& sr_, const V& si_) {
    ctx = source.ctx;
    t = source.t;
    y = source.y;
    sr = sr_;
    si = si_;
    return all_lanes<V>();  // nothing to fail
  }
  CUBIE_FN Mask solve(V* __restrict__ re, V* __restrict__ im) const {
    const LaneComplexShiftedJacobianProduct<Ctx, V, Time, N> op = {*ctx, t, y, sr, si};
    V b[2 * N], x[2 * N];
    for (int i = 0; i < N; ++i) {
      b[i] = re[i];
      b[N + i] = im[i];
    }
    const Mask converged =
        lane_gmres<T, W, 2 * N, M>(op, b, x, ctx->linear_tol(), ctx->linear_max_iters(), ctx->counting, ctx->linear_iterations);
    for (int i = 0; i < N; ++i) {
      re[i] = x[i];
      im[i] = x[N + i];
    }
    return converged;
  }
};

}  // namespace cubie
#endif
