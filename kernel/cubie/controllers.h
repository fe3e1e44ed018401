// Step-size controllers: each turns the error norm of the step just tried
// into a factor for the next step size. Gains are run-time arguments; which
// controller runs is compiled in. Exponents use k = error order + 1.
//   i:          safety * e^(-1/k)
//   pi, pid:    safety * e_n^(-kp/k) * e_{n-1}^(-ki/k) * e_{n-2}^(-kd/k)   (Soderlind)
//   gustafsson: the predictive controller of Hairer & Wanner's RADAU5
#ifndef CUBIE_CONTROLLERS_H
#define CUBIE_CONTROLLERS_H
#include "cubie/platform.h"

namespace cubie {

enum ControllerKind { CONTROLLER_FIXED = 0, CONTROLLER_I, CONTROLLER_PI, CONTROLLER_PID, CONTROLLER_GUSTAFSSON };

template <typename real>
struct ControllerGains {
  real safety, min_gain, max_gain, kp, ki, kd;
};

template <typename real>
struct ControllerHistory {
  real err_prev = real(0);       // 0: no accepted step yet
  real err_prev2 = real(0);
  real dt_accepted = real(0);    // Gustafsson: the last accepted step
};

template <typename real>
CUBIE_FN real clamp_gain(real g, const ControllerGains<real>& gains) {
  return fmin(gains.max_gain, fmax(gains.min_gain, g));
}

// Small floor so a step with zero estimated error (a polynomial solution)
// grows by max_gain instead of dividing by zero.
template <typename real>
CUBIE_FN real error_floor(real err) {
  return fmax(err, real(1e-10));
}

// The factor after an accepted step (err <= 1); updates the history.
template <int Kind, typename real>
CUBIE_FN real accepted_factor(real err, real dt, real inv_k, const ControllerGains<real>& g,
                              ControllerHistory<real>& h) {
  real e = error_floor(err);
  real factor;
  if (Kind == CONTROLLER_I) {
    factor = g.safety * pow(e, -inv_k);
  } else if (Kind == CONTROLLER_PI || Kind == CONTROLLER_PID) {
    real e1 = h.err_prev > real(0) ? h.err_prev : e;
    real e2 = h.err_prev2 > real(0) ? h.err_prev2 : e1;
    factor = g.safety * pow(e, -g.kp * inv_k) * pow(e1, -g.ki * inv_k);
    if (Kind == CONTROLLER_PID) factor *= pow(e2, -g.kd * inv_k);
  } else {  // Gustafsson
    factor = g.safety * pow(e, -inv_k);
    if (h.dt_accepted > real(0)) {
      real predictive = g.safety * (dt / h.dt_accepted) * pow(h.err_prev / e, inv_k) * pow(e, -inv_k);
      factor = fmin(factor, predictive);
    }
    h.dt_accepted = dt;
  }
  h.err_prev2 = h.err_prev;
  h.err_prev = fmax(e, real(1e-4));
  return clamp_gain(factor, g);
}

// The factor after a rejected step (err > 1, or not finite).
template <typename real>
CUBIE_FN real rejected_factor(real err, real inv_k, const ControllerGains<real>& g) {
  if (!(err == err) || err > real(1e30)) return g.min_gain;
  return clamp_gain(fmin(real(1), g.safety * pow(err, -inv_k)), g);
}

}  // namespace cubie
#endif
