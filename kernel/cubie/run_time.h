// The time a run has reached, as the step loop keeps it. A float64 kernel
// keeps a double. A float32 kernel keeps two floats, hi + lo (Dekker's
// "double-float"): about 48 bits, so that save times are hit as exactly as
// with a double, without double arithmetic in the step loop. Consumer GPUs
// (sm_86, sm_89) run doubles at 1/64 of the float rate, where a handful of
// double operations per step costs as much as a small system's whole step.
// The steppers and the system still receive time as a double (value()):
// where they do not use it, the conversion is compiled away.
//
// The sums below need IEEE rounding of each operation: no -ffast-math, and
// no reassociation (a GPU's fused multiply-add does not touch them: they
// have no products).
#ifndef CUBIE_RUN_TIME_H
#define CUBIE_RUN_TIME_H
#include "cubie/platform.h"

namespace cubie {

template <typename real>
struct RunTime;

template <>
struct RunTime<double> {
  double t;

  static CUBIE_FN RunTime from(double v) { return {v}; }
  CUBIE_FN double value() const { return t; }
  // later - this
  CUBIE_FN double until(const RunTime& later) const { return later.t - t; }
  CUBIE_FN double magnitude() const { return fabs(t); }
  CUBIE_FN RunTime after(double h) const { return {t + h}; }
  // The relative spacing of representable times (DBL_EPSILON).
  static CUBIE_FN double spacing() { return 2.220446049250313e-16; }
};

template <>
struct RunTime<float> {
  float hi;
  float lo;  // |lo| <= half an ulp of hi

  static CUBIE_FN RunTime from(double v) {
    const float hi = static_cast<float>(v);
    return {hi, static_cast<float>(v - static_cast<double>(hi))};
  }
  CUBIE_FN double value() const { return static_cast<double>(hi) + static_cast<double>(lo); }
  // later - this: hi - hi is exact when the two are within a factor of two
  // (Sterbenz), as a run's next save and its time are near the end of a step.
  CUBIE_FN float until(const RunTime& later) const { return (later.hi - hi) + (later.lo - lo); }
  CUBIE_FN float magnitude() const { return fabs(hi); }
  // The relative spacing of representable times: hi and lo carry about 48 bits (2^-47).
  static CUBIE_FN float spacing() { return 7.105427357601002e-15f; }
  CUBIE_FN RunTime after(float h) const {
    // Knuth's TwoSum of hi + h, the low parts added, then renormalised (Fast2Sum).
    const float s = hi + h;
    const float hv = s - hi;
    const float e = (hi - (s - hv)) + (h - hv) + lo;
    const float top = s + e;
    return {top, e - (top - s)};
  }
};

}  // namespace cubie
#endif
