// The error norm adaptive steppers report to the step controller:
// sqrt(mean_i (err_i / (atol_i + rtol_i * max|y_i|, |y_new_i|))^2). A step
// is accepted when it is <= 1 (Hairer, Norsett & Wanner, II.4).
#ifndef CUBIE_NORM_H
#define CUBIE_NORM_H
#include "cubie/platform.h"

namespace cubie {

template <typename real, int N>
CUBIE_FN real scaled_rms_norm(const real* __restrict__ err, const real* __restrict__ y,
                              const real* __restrict__ y_new, const real* __restrict__ atol,
                              const real* __restrict__ rtol) {
  real sum = real(0);
  CUBIE_UNROLL for (int i = 0; i < N; ++i) {
    real scale = atol[i] + rtol[i] * fmax(fabs(y[i]), fabs(y_new[i]));
    real r = err[i] / scale;
    sum += r * r;
  }
  return sqrt(sum / real(N));
}

}  // namespace cubie
#endif
