// Step-size controllers: each turns the error norm of the step just tried
// into a factor for the next step size. Gains are run-time arguments; which
// controller runs is compiled in. Exponents use k = error order + 1.
//   i:          safety * e^(-1/k)
//   pi, pid:    safety * e_n^(-kp/k) * e_{n-1}^(-ki/k) * e_{n-2}^(-kd/k)   (Soderlind)
//   gustafsson: the predictive controller of Hairer & Wanner's RADAU5
#ifndef CUBIE_CONTROLLERS_H
#define CUBIE_CONTROLLERS_H
#include "cubie/plain_math.h"
#include "cubie/platform.h"

namespace cubie {

enum ControllerKind { CONTROLLER_FIXED = 0, CONTROLLER_I, CONTROLLER_PI, CONTROLLER_PID, CONTROLLER_GUSTAFSSON };

template <typename real>
struct ControllerGains {
  real safety, min_gain, max_gain, kp, ki, kd;
};

// An accepted error's logarithm is at most 0, so a positive one marks "none yet".
template <typename real>
struct ControllerHistory {
  real log_err_prev = real(1);   // log max(err, 1e-4) of the last accepted step
  real log_err_prev2 = real(1);  // and of the one before
  real dt_accepted = real(0);    // Gustafsson: the last accepted step; 0: none
};

template <typename real>
CUBIE_FN real clamp_gain(real g, const ControllerGains<real>& gains) {
  return fmin(gains.max_gain, fmax(gains.min_gain, g));
}

// log 1e-4: the floor of a kept error's logarithm (a literal, so no log per step).
template <typename real>
CUBIE_FN real log_error_kept_floor() {
  return real(-9.210340371976184);
}

// log(max(err, 1e-10)): the floor lets a step with zero estimated error (a
// polynomial solution) grow by max_gain instead of dividing by zero.
// Powers of errors are exp of sums of these logarithms, in plain_math.h's
// log and exp, so the lane engine (lane_engine.h), doing the same operations
// on vectors, takes the scalar engine's steps bit for bit.
template <typename real>
CUBIE_FN real log_error(real err) {
  return log_open(fmax(err, real(1e-10)));
}

// The factor after an accepted step (err <= 1, log_err its log_error);
// updates the history.
template <int Kind, typename real>
CUBIE_FN real accepted_factor(real log_err, real dt, real inv_k, const ControllerGains<real>& g,
                              ControllerHistory<real>& h) {
  real factor;
  if (Kind == CONTROLLER_I) {
    factor = g.safety * exp_open(-inv_k * log_err);
  } else if (Kind == CONTROLLER_PI || Kind == CONTROLLER_PID) {
    const real log_e1 = h.log_err_prev > real(0) ? log_err : h.log_err_prev;
    real exponent = (-g.kp * inv_k) * log_err + (-g.ki * inv_k) * log_e1;
    if (Kind == CONTROLLER_PID) exponent += (-g.kd * inv_k) * (h.log_err_prev2 > real(0) ? log_e1 : h.log_err_prev2);
    factor = g.safety * exp_open(exponent);
  } else {  // Gustafsson
    factor = g.safety * exp_open(-inv_k * log_err);
    if (h.dt_accepted > real(0)) {
      const real predictive = g.safety * (dt / h.dt_accepted) * exp_open(inv_k * (h.log_err_prev - log_err) - inv_k * log_err);
      factor = fmin(factor, predictive);
    }
    h.dt_accepted = dt;
  }
  h.log_err_prev2 = h.log_err_prev;
  h.log_err_prev = fmax(log_err, log_error_kept_floor<real>());
  return clamp_gain(factor, g);
}

// The factor after a rejected step (err > 1, or not finite; log_err its log_error).
template <typename real>
CUBIE_FN real rejected_factor(real err, real log_err, real inv_k, const ControllerGains<real>& g) {
  if (!(err == err) || err > real(1e30)) return g.min_gain;
  return clamp_gain(fmin(real(1), g.safety * exp_open(-inv_k * log_err)), g);
}

}  // namespace cubie
#endif
