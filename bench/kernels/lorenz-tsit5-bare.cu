// The register baseline for bench/cuda-registers.js: Lorenz with Tsitouras
// 5(4) in float32, written by hand as the least a GPU thread must do, with
// no cubie code: an adaptive step loop with an I controller, the final state
// written once. cubie's generated kernel adds saves at fixed times, a PI
// controller, status and counters; the bench prints the ratio of the two.
// Tableau: Tsitouras, Comput. Math. Appl. 62 (2011) 770-775.
extern "C" __global__ void lorenz_tsit5_bare(const float* __restrict__ y0, const float* __restrict__ params,
                                             float* __restrict__ out, int n, double t_end, float atol, float rtol) {
  const int run = blockIdx.x * blockDim.x + threadIdx.x;
  if (run >= n) return;
  const float sigma = params[run], rho = params[n + run], beta = params[2 * n + run];
  float y[3] = {y0[run], y0[n + run], y0[2 * n + run]};
#define LORENZ(Y, F)                      \
  F[0] = sigma * (Y[1] - Y[0]);           \
  F[1] = Y[0] * (rho - Y[2]) - Y[1];      \
  F[2] = Y[0] * Y[1] - beta * Y[2];
  float k1[3], k2[3], k3[3], k4[3], k5[3], k6[3], k7[3], s[3], yn[3];
  LORENZ(y, k1);
  double t = 0.0;
  float dt = 1e-3f;
  while (t < t_end) {
    const float h = static_cast<float>(fmin(static_cast<double>(dt), t_end - t));
#pragma unroll
    for (int i = 0; i < 3; ++i) s[i] = y[i] + h * 0.161f * k1[i];
    LORENZ(s, k2);
#pragma unroll
    for (int i = 0; i < 3; ++i) s[i] = y[i] + h * (-0.008480655f * k1[i] + 0.33548066f * k2[i]);
    LORENZ(s, k3);
#pragma unroll
    for (int i = 0; i < 3; ++i) s[i] = y[i] + h * (2.8971531f * k1[i] - 6.3594484f * k2[i] + 4.3622956f * k3[i]);
    LORENZ(s, k4);
#pragma unroll
    for (int i = 0; i < 3; ++i)
      s[i] = y[i] + h * (5.325865f * k1[i] - 11.748883f * k2[i] + 7.495539f * k3[i] - 0.09249507f * k4[i]);
    LORENZ(s, k5);
#pragma unroll
    for (int i = 0; i < 3; ++i)
      s[i] = y[i] + h * (5.8614554f * k1[i] - 12.920969f * k2[i] + 8.159368f * k3[i] - 0.07158497f * k4[i] -
                         0.02826905f * k5[i]);
    LORENZ(s, k6);
#pragma unroll
    for (int i = 0; i < 3; ++i)
      yn[i] = y[i] + h * (0.09646077f * k1[i] + 0.01f * k2[i] + 0.47988966f * k3[i] + 1.3790085f * k4[i] -
                          3.2900696f * k5[i] + 2.3247106f * k6[i]);
    LORENZ(yn, k7);
    float sum = 0.0f;
#pragma unroll
    for (int i = 0; i < 3; ++i) {
      const float e = h * (0.0017800111f * k1[i] + 0.00081643445f * k2[i] - 0.007880878f * k3[i] + 0.144711f * k4[i] -
                           0.58235717f * k5[i] + 0.4580821f * k6[i] - 0.015151516f * k7[i]);
      const float scale = atol + rtol * fmaxf(fabsf(y[i]), fabsf(yn[i]));
      sum += (e / scale) * (e / scale);
    }
    const float err = sqrtf(sum / 3.0f);
    const float factor = fminf(2.0f, fmaxf(0.3f, 0.9f * powf(fmaxf(err, 1e-10f), -0.2f)));
    if (err <= 1.0f) {
      t += h;
#pragma unroll
      for (int i = 0; i < 3; ++i) {
        y[i] = yn[i];
        k1[i] = k7[i];
      }
    }
    dt = h * factor;
  }
#undef LORENZ
  out[run] = y[0];
  out[n + run] = y[1];
  out[2 * n + run] = y[2];
}
