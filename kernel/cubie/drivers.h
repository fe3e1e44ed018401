// Sampled drivers: piecewise cubics (or lines) fitted on the host
// (src/solver/drivers.ts) and evaluated here, identically on CPU and GPU.
// Outside the sampled span a driver holds its end value, unless periodic.
#ifndef CUBIE_DRIVERS_H
#define CUBIE_DRIVERS_H
#include "cubie/platform.h"

namespace cubie {

template <typename real>
struct SampledDrivers {
  const double* knots;  // n_knots ascending times
  const real* coeffs;   // [n_drivers][n_knots - 1][4]
  int n_knots;
  double uniform_dt;    // > 0 when knots are evenly spaced
  bool periodic;

  // The segment holding t, and t's offset into it.
  CUBIE_FN int locate(double t, double* s, bool* held) const {
    const int segments = n_knots - 1;
    const double first = knots[0];
    const double last = knots[segments];
    if (periodic) {
      const double period = last - first;
      double u = fmod(t - first, period);
      if (u < 0.0) u += period;
      t = first + u;
    }
    *held = false;
    if (t <= first) {
      *s = 0.0;
      *held = t < first;
      return 0;
    }
    if (t >= last) {
      *s = last - knots[segments - 1];
      *held = t > last;
      return segments - 1;
    }
    int i;
    if (uniform_dt > 0.0) {
      i = static_cast<int>((t - first) / uniform_dt);
      if (i > segments - 1) i = segments - 1;
    } else {
      int lo = 0, hi = segments;  // knots[lo] <= t < knots[hi]
      while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (knots[mid] <= t) lo = mid; else hi = mid;
      }
      i = lo;
    }
    *s = t - knots[i];
    return i;
  }

  template <int NDrivers>
  CUBIE_FN void values(double t, real* d, real* ddot) const {
    double s_;
    bool held;
    const int seg = locate(t, &s_, &held);
    const real s = static_cast<real>(s_);
    for (int k = 0; k < NDrivers; ++k) {
      const real* c = coeffs + (static_cast<long long>(k) * (n_knots - 1) + seg) * 4;
      d[k] = c[0] + s * (c[1] + s * (c[2] + s * c[3]));
      if (ddot != nullptr) ddot[k] = held ? real(0) : c[1] + s * (real(2) * c[2] + s * real(3) * c[3]);
    }
  }
};

}  // namespace cubie
#endif
