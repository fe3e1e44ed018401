// delay(value, lag): each run keeps the recent past of the states its
// delays read, the ends of its last accepted steps (time, value, derivative)
// in a ring of a fixed number of points, and reads a past value off the
// cubic Hermite polynomial of the two points around it: third order, the
// engine's own interpolant where a method has none. Before the start the
// past is the initial state (a constant history). Steps are never longer
// than the shortest lag (engine.h), so every time a stage reads lies at or
// before the start of its step, in points already kept. A time older than
// the oldest point still kept ends the run with STATUS_DELAY: the ring was
// too small for that many steps within one lag (the delayHistory option).
//
// A system without delay() has Columns = 0: the specialisation below is
// empty and every call to it compiles to nothing.
#ifndef CUBIE_DELAYS_H
#define CUBIE_DELAYS_H
#include "cubie/platform.h"

namespace cubie {

// Where a lag carries the start's kink forward: the solution's derivative
// jumps at t0 (the constant past has none), its second derivative at
// t0 + lag, its k+1-th at t0 + k lag. Steps land on the first of these (as on
// saves), so no step and no interval of the past straddles a jump a method
// of order 5 or less would feel.
constexpr int delay_kinks = 6;

template <typename real, int Columns, int Lags, int Points>
struct DelayHistory {
  double lag[Lags];
  int next_kink[Lags];  // the k of each lag's next kink t0 + k lag
  double shortest;  // the smallest lag: the longest step a run may take
  double t0;
  real initial[Columns];
  double time[Points];
  real value[Points][Columns];
  real slope[Points][Columns];
  int newest;  // index of the newest point
  int count;   // points held, at most Points
  mutable bool lost;

  CUBIE_FN void start(double t, const real* __restrict__ y0) {
    t0 = t;
    for (int c = 0; c < Columns; ++c) initial[c] = y0[c];
    newest = Points - 1;
    count = 0;
    lost = false;
    shortest = lag[0];
    for (int g = 1; g < Lags; ++g) shortest = fmin(shortest, lag[g]);
    for (int g = 0; g < Lags; ++g) next_kink[g] = 1;
  }
  // The next kink after the last one passed (infinity when none is left).
  CUBIE_FN double next_kink_time() const {
    double tk = 1e300;  // none left
    for (int g = 0; g < Lags; ++g) {
      if (next_kink[g] <= delay_kinks) tk = fmin(tk, t0 + static_cast<double>(next_kink[g]) * lag[g]);
    }
    return tk;
  }
  // A step ended at t: the kinks up to t are behind.
  CUBIE_FN void passed(double t) {
    for (int g = 0; g < Lags; ++g) {
      while (next_kink[g] <= delay_kinks && t0 + static_cast<double>(next_kink[g]) * lag[g] <= t) ++next_kink[g];
    }
  }
  // Whether every lag is a positive number (NaN is not).
  CUBIE_FN bool lags_valid() const { return shortest > 0.0; }

  CUBIE_FN void push(double t, const real* __restrict__ y, const real* __restrict__ f) {
    newest = newest + 1 == Points ? 0 : newest + 1;
    time[newest] = t;
    for (int c = 0; c < Columns; ++c) {
      value[newest][c] = y[c];
      slope[newest][c] = f[c];
    }
    if (count < Points) ++count;
  }

  // Column c's value (and, when xdot is not null, its derivative) at time ts.
  CUBIE_FN void at(double ts, int c, real* __restrict__ x, real* __restrict__ xdot) const {
    if (ts <= t0 || count == 0) {
      *x = initial[c];
      if (xdot != nullptr) *xdot = real(0);
      return;
    }
    // The newest point at or before ts, by its age (0 = oldest); from it the interval to the next.
    int lo = 0, hi = count - 1;
    if (!(time[slot(0)] <= ts)) {
      lost = true;  // needed a point the ring no longer holds
      lo = 0;
    } else {
      while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (time[slot(mid)] <= ts) lo = mid; else hi = mid - 1;
      }
    }
    // Past the newest point (by rounding, a stage of a step as long as the lag): the last interval, extended.
    if (lo == count - 1 && lo > 0) --lo;
    const int a = slot(lo);
    if (count == 1) {
      *x = value[a][c] + static_cast<real>(ts - time[a]) * slope[a][c];
      if (xdot != nullptr) *xdot = slope[a][c];
      return;
    }
    const int b = slot(lo + 1);
    const double span = time[b] - time[a];
    if (!(span > 0.0)) {  // an event's two points at one time: the later one
      *x = value[b][c];
      if (xdot != nullptr) *xdot = slope[b][c];
      return;
    }
    const real h = static_cast<real>(span);
    const real s = static_cast<real>((ts - time[a]) / span);
    const real ya = value[a][c], yb = value[b][c], fa = slope[a][c] * h, fb = slope[b][c] * h;
    const real r = real(1) - s;
    *x = r * r * ((real(1) + real(2) * s) * ya + s * fa) + s * s * ((real(3) - real(2) * s) * yb - r * fb);
    if (xdot != nullptr) *xdot = (real(6) * s * r * (yb - ya) + r * (real(1) - real(3) * s) * fa + s * (real(3) * s - real(2)) * fb) / h;
  }

 private:
  // The ring index of the point of age k (0 = the oldest held).
  CUBIE_FN int slot(int k) const {
    const int i = newest - (count - 1) + k;
    return i < 0 ? i + Points : i;
  }
};

template <typename real, int Lags, int Points>
struct DelayHistory<real, 0, Lags, Points> {
  double lag[1];
  double shortest;
  bool lost;
  CUBIE_FN void start(double, const real*) { lost = false; }
  CUBIE_FN double next_kink_time() const { return 1e300; }
  CUBIE_FN void passed(double) {}
  CUBIE_FN bool lags_valid() const { return true; }
  CUBIE_FN void push(double, const real*, const real*) {}
  CUBIE_FN void at(double, int, real* x, real* xdot) const {
    *x = real(0);
    if (xdot != nullptr) *xdot = real(0);
  }
};

}  // namespace cubie
#endif
