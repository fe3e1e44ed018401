// What the step loop (engine.h) needs for events: the schedule of discrete
// events, the test for a crossing, the root finder that locates one on a
// step's continuous extension, and the records a run writes.
//
// The system's own event code (its `when` expressions, assignments and
// schedule) is generated into namespace cubie_events (src/codegen/
// event-source.ts), which also defines CUBIE_HAS_EVENTS. A system without
// events generates nothing: the empty namespace below stands in, every event
// branch of the engine tests a constexpr zero, and the kernel compiles to
// what it was before events existed.
#ifndef CUBIE_EVENTS_H
#define CUBIE_EVENTS_H
#include "cubie/args.h"
#include "cubie/platform.h"
#include "cubie/run_time.h"

#ifndef CUBIE_HAS_EVENTS
namespace cubie_events {
typedef cubie_sys::real real;
constexpr int n_events = 0;
constexpr int n_crossing = 0;
constexpr int n_discrete = 0;
constexpr bool records = false;
CUBIE_FN void when(const real*, const real*, const real*, real, real*) {}
CUBIE_FN int crossing_event(int) { return -1; }
CUBIE_FN int crossing_direction(int) { return 0; }
CUBIE_FN int discrete_event(int) { return -1; }
CUBIE_FN double discrete_period(int) { return 0.0; }
CUBIE_FN bool discrete_has_start(int) { return false; }
CUBIE_FN double discrete_start(int) { return 0.0; }
CUBIE_FN int at_offset(int) { return 0; }
CUBIE_FN int at_count(int) { return 0; }
CUBIE_FN int terminal(int) { return 0; }
CUBIE_FN void apply(int, real*, const real*, const real*, real) {}
}  // namespace cubie_events
#endif

namespace cubie {

// Arrays need at least one element, even where a system has no events of a kind.
template <int N>
struct EventSlots {
  static constexpr int value = N > 0 ? N : 1;
};

// A crossing over a step: g goes from strictly below zero to zero or above
// (rising), or the mirror (falling); direction 0 takes either. A `when` that
// starts a step at exactly zero (and whose side the flow does not decide,
// see take_sides in engine.h) cannot cross until it leaves zero.
template <typename real>
CUBIE_FN bool crosses(int direction, real before, real after) {
  return (direction >= 0 && before < real(0) && after >= real(0)) ||
         (direction <= 0 && before > real(0) && after <= real(0));
}

// Discrete event k's occurrence i: an `every` event's start + i*period (from
// the start, not accumulated, so the thousandth dose is as exact as the
// first), an `at` event's i-th time; past the last, never.
CUBIE_FN double occurrence(int k, int i, const double* at_times, double t0, double never) {
  const double period = cubie_events::discrete_period(k);
  if (period > 0.0) {
    const double start = cubie_events::discrete_has_start(k) ? cubie_events::discrete_start(k) : t0;
    return start + static_cast<double>(i) * period;
  }
  return i < cubie_events::at_count(k) ? at_times[cubie_events::at_offset(k) + i] : never;
}

// The first occurrence of discrete event k at or after t0 (within the slack
// the step loop uses to call a time reached, so an event at t0 fires there).
CUBIE_FN int first_occurrence(int k, const double* at_times, double t0, double slack) {
  const double period = cubie_events::discrete_period(k);
  if (period > 0.0) {
    const double start = cubie_events::discrete_has_start(k) ? cubie_events::discrete_start(k) : t0;
    if (start >= t0 - slack) return 0;
    return static_cast<int>(ceil((t0 - slack - start) / period));
  }
  int i = 0;
  while (i < cubie_events::at_count(k) && at_times[cubie_events::at_offset(k) + i] < t0 - slack) ++i;
  return i;
}

// Where, in [theta_lo, theta_hi] of a step, crossing c's `when` reaches
// zero: the Illinois variant of regula falsi (Dowell & Jarratt 1971), which
// keeps a bracket and converges superlinearly where plain regula falsi
// stalls at one end. `g_at(theta, g)` evaluates every `when` at theta on the
// step's continuous extension. Returns the bracket's far end, on the side
// the crossing leads to, once the bracket is narrower than tol (in units of
// the step) or cannot shrink.
template <typename real, class WhenAt>
CUBIE_FN real locate_crossing(int c, real theta_lo, real g_lo, real theta_hi, real g_hi, real tol, const WhenAt& g_at) {
  // Signs arranged so the crossing is from f < 0 to f >= 0.
  const real s = g_lo < real(0) ? real(1) : real(-1);
  real a = theta_lo, fa = s * g_lo, b = theta_hi, fb = s * g_hi;
  int side = 0;
  real g[EventSlots<cubie_events::n_crossing>::value];
  for (int iteration = 0; iteration < 100 && b - a > tol; ++iteration) {
    real x = b - fb * (b - a) / (fb - fa);
    if (!(x > a && x < b)) x = real(0.5) * (a + b);
    if (!(x > a && x < b)) break;  // a and b adjacent: as narrow as the precision allows
    g_at(x, g);
    const real fx = s * g[c];
    if (fx >= real(0)) {
      b = x;
      fb = fx;
      if (side == 1) fa *= real(0.5);
      side = 1;
    } else {
      a = x;
      fa = fx;
      if (side == -1) fb *= real(0.5);
      side = -1;
    }
  }
  return b;
}

// A `when` is checked at the ends of every step and at this many minus one
// points inside it, so that one crossing back and forth within a long step
// (a ball's whole flight between bounces, when the solution is a polynomial
// the method integrates exactly) is still seen. Crossings closer together
// than a quarter of a step can be missed.
constexpr int crossing_probes = 4;

// How far ahead along the flow take_sides (engine.h) looks, as a fraction of
// the next step: a millionth, and in float32 1024 ulps of 1 (1.2e-4). A root
// is located to a few ulps of its step, which leaves the state that far off
// zero; in float32 the flow's change over a millionth of a step is below
// that noise, so a ball's fifth bounce took the wrong side and its sixth was
// missed. R is real or a lane vector of it.
template <typename R>
CUBIE_FN R side_probe_fraction() {
  return R(sizeof(scalar_of<R>) == 4 ? 1.220703125e-4 : 1e-6);
}

// The events of one run: the `when` values at its current time, each
// discrete event's next occurrence, firings per event (for `terminal`) and in
// all (for maxEvents and the records).
template <typename real>
struct RunEvents {
  // Where an event just fired, the value just ahead along the flow (take_sides).
  real g[EventSlots<cubie_events::n_crossing>::value];
  int next[EventSlots<cubie_events::n_discrete>::value];
  int fired[EventSlots<cubie_events::n_events>::value];
  int count;
};

}  // namespace cubie
#endif
