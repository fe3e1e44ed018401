/**
 * C++ for one step of a stochastic method (src/methods/stochastic), the same
 * contract as the ODE steppers (explicit-stepper.ts) with a Memory: the
 * engine's step loop runs it unchanged. It expects the noise namespace
 * (noise-source.ts) and kernel/cubie/sde.h before it.
 *
 * Every method takes the step's Brownian increment from the run's virtual
 * Brownian tree (ctx.brownian(), engine.h) through a WienerCache, so the
 * increment over [t, t + dt] is W(t + dt) - W(t) of one path whatever the
 * steps were: a rejected step's retry, a shorter step landing on a save, or
 * another dt sees the same path.
 *
 *   euler-maruyama:    y1 = y + f dt + sum_j g_j dW_j
 *   milstein:          ... + sum_{a<=b} w_ab L^a g^b, w_aa = (dW_a^2 - dt)/2, w_ab = dW_a dW_b
 *                      (commutative noise: then the a != b terms need no Lévy area)
 *   platen-w2:         y1 = y + (a(t1, Y) + a) dt/2 + 1/4 sum_j [(g_j(R+) + g_j(R-) + 2 g_j) dW_j
 *                        + (g_j(R+) - g_j(R-)) (dW_j^2 - dt) / sqrt(dt)], Y the EM predictor,
 *                      R+- = y + a dt +- g_j sqrt(dt) (Kloeden & Platen 15.1.3; weak order 2)
 *   milstein-adaptive: two Milstein steps of dt/2 through W(t + dt/2) of the same
 *                      path, their difference from one step of dt as the error
 *                      (step doubling on a Brownian tree, Gaines & Lyons 1997)
 *
 * The engine's f0 is the system's drift. A Stratonovich system is solved as
 * its Itô equivalent, drift f + 1/2 sum_j L^j g^j (drift_correction).
 */
import type { SdeMethod } from '../methods/stochastic/methods';
import { MEMORY_STEP_SIGNATURE } from './cpp-combination';
import { pairCount } from './noise-source';
import { checkStepperOptions, type StepperOptions } from './stepper-options';

export interface SdeStepperOptions extends StepperOptions {
  nProcesses: number;
  stratonovich: boolean;
}

/** Whether a method's step needs the Milstein terms (noise-source.ts milstein_pairs). */
export function usesMilsteinTerms(method: SdeMethod): boolean {
  return method.name === 'milstein' || method.name === 'milstein-adaptive';
}

/** Platen's weak order 2 step (KP 15.1.3 on separable noise), after coefficients() at (t, y). */
function platenBody(loop: (statement: string) => string): string[] {
  return [
    '// Supporting values at t + dt: the EM predictor for the drift, y + a dt +- g_j sqrt(dt) for process j.',
    'const cubie::wide_of<real> t1 = t + cubie::wide(dt);',
    'const real sq = sqrt(dt);',
    'real support[n_states], f_support[n_states], a_support[n_states], G_plus[n_processes * n_states], G_minus[n_processes * n_states];',
    'advance(y, a, G, L, dt, dW, support);',
    'ctx.rhs(t1, support, f_support);',
    'coefficients(ctx, t1, support, f_support, a_support, G_plus, L);',
    loop('y_new[i] = y[i] + real(0.5) * (a_support[i] + a[i]) * dt'),
    'for (int j = 0; j < n_processes; ++j) {',
    `  ${loop('support[i] = y[i] + a[i] * dt + G[j * n_states + i] * sq')}`,
    '  diffusion_at(ctx, t1, support, G_plus);',
    `  ${loop('support[i] = y[i] + a[i] * dt - G[j * n_states + i] * sq')}`,
    '  diffusion_at(ctx, t1, support, G_minus);',
    '  const real w2 = (dW[j] * dW[j] - dt) / sq;',
    '  CUBIE_UNROLL for (int i = 0; i < n_states; ++i) {',
    '    const int c = j * n_states + i;',
    '    y_new[i] += real(0.25) * ((G_plus[c] + G_minus[c] + real(2) * G[c]) * dW[j] + (G_plus[c] - G_minus[c]) * w2);',
    '  }',
    '}',
    'return real(0);',
  ];
}

export function generateSdeStepper(method: SdeMethod, options: SdeStepperOptions): string {
  const { precision, nStates, namespace } = checkStepperOptions(options);
  const real = precision === 'float32' ? 'float' : 'double';
  const m = options.nProcesses;
  const milstein = usesMilsteinTerms(method);
  const adaptive = method.errorOrder > 0;
  const loop = (statement: string): string => `CUBIE_UNROLL for (int i = 0; i < n_states; ++i) ${statement};`;
  const termsType = milstein ? 'real L[n_pairs * n_states]' : 'real L[1]';
  // What the step needs at one point (t, y): the Itô drift, g and the Milstein terms.
  const coefficients = [
    '// The Itô drift a (f, plus the Stratonovich correction), g and the Milstein terms at (t, y), given f = f(t, y).',
    'template <class Ctx>',
    `CUBIE_FN void coefficients(const Ctx& ctx, cubie::wide_of<real> t, const real* __restrict__ y, const real* __restrict__ f, real* __restrict__ a, real* __restrict__ G, real* __restrict__ L) {`,
    '  real d[cubie_sys::n_drivers > 0 ? cubie_sys::n_drivers : 1];',
    '  ctx.drivers_at(t, d, nullptr);',
    '  const real tr = static_cast<real>(t);',
    '  cubie_noise::diffusion(y, ctx.p, d, tr, G);',
    ...(options.stratonovich
      ? ['  cubie_noise::drift_correction(y, ctx.p, d, tr, a);', `  ${loop('a[i] += f[i]')}`]
      : [`  ${loop('a[i] = f[i]')}`]),
    ...(milstein ? ['  cubie_noise::milstein_pairs(y, ctx.p, d, tr, L);'] : ['  (void)L;']),
    '}',
  ];
  const diffusionAt = [
    '// g at (t, y) alone.',
    'template <class Ctx>',
    'CUBIE_FN void diffusion_at(const Ctx& ctx, cubie::wide_of<real> t, const real* __restrict__ y, real* __restrict__ G) {',
    '  real d[cubie_sys::n_drivers > 0 ? cubie_sys::n_drivers : 1];',
    '  ctx.drivers_at(t, d, nullptr);',
    '  cubie_noise::diffusion(y, ctx.p, d, static_cast<real>(t), G);',
    '}',
  ];
  const platen = method.name === 'platen-w2';
  const advance = [
    `// out = y + a dt + sum_j g_j dW_j${milstein ? ' + sum_{a<=b} w_ab L^a g^b' : ''}.`,
    'CUBIE_FN void advance(const real* __restrict__ y, const real* __restrict__ a, const real* __restrict__ G, const real* __restrict__ L, real dt,',
    '                      const real* __restrict__ dW, real* __restrict__ out) {',
    `  ${loop('out[i] = y[i] + dt * a[i]')}`,
    '  CUBIE_UNROLL for (int j = 0; j < n_processes; ++j) {',
    `    ${loop('out[i] += G[j * n_states + i] * dW[j]')}`,
    '  }',
    ...(milstein
      ? [
          '  int k = 0;',
          '  for (int p = 0; p < n_processes; ++p) {',
          '    for (int q = p; q < n_processes; ++q, ++k) {',
          '      const real w = p == q ? real(0.5) * (dW[p] * dW[p] - dt) : dW[p] * dW[q];',
          `      ${loop('out[i] += w * L[k * n_states + i]')}`,
          '    }',
          '  }',
        ]
      : ['  (void)L;']),
    '}',
  ];
  const body = [
    '(void)f1;',
    '// The increment of the run\'s one Brownian path over [t, t + dt].',
    'memory.wiener.tree(ctx);',
    'real dW[n_processes];',
    'memory.wiener.increment(t, t + cubie::wide(dt), dW);',
    'real a[n_states], G[n_processes * n_states];',
    `${termsType};`,
    'coefficients(ctx, t, y, f0, a, G, L);',
  ];
  if (platen) {
    body.push('', ...platenBody(loop));
  } else if (!adaptive) {
    body.push('advance(y, a, G, L, dt, dW, y_new);', 'return real(0);');
  } else {
    body.push(
      '',
      '// Step doubling on the same path: one step of dt against two of dt/2 through W(t + dt/2).',
      'real y_full[n_states];',
      'advance(y, a, G, L, dt, dW, y_full);',
      'const real half = real(0.5) * dt;',
      'const cubie::wide_of<real> t_mid = t + cubie::wide(half);',
      'real dW1[n_processes], dW2[n_processes];',
      'CUBIE_UNROLL for (int j = 0; j < n_processes; ++j) {',
      '  const real w_mid = memory.wiener.at(t_mid, j);',
      '  dW1[j] = w_mid - memory.wiener.w_start[j];',
      '  dW2[j] = memory.wiener.w_end[j] - w_mid;',
      '}',
      'real y_mid[n_states], f_mid[n_states];',
      'advance(y, a, G, L, half, dW1, y_mid);',
      'ctx.rhs(t_mid, y_mid, f_mid);',
      'coefficients(ctx, t_mid, y_mid, f_mid, a, G, L);',
      'advance(y_mid, a, G, L, half, dW2, y_new);',
      loop('y_full[i] = y_new[i] - y_full[i]'),
      'return cubie::scaled_rms_norm<real, n_states>(y_full, y, y_new, ctx.atol(), ctx.rtol());',
    );
  }
  return [
    `// ${method.title} (${method.name}): strong order ${method.strongOrder}, weak order ${method.weakOrder}; ${real}, ${nStates} states, ${m} Wiener processes.`,
    `// Generated by cubie. Method: ${method.source}.`,
    '',
    `namespace ${namespace} {`,
    '',
    `typedef cubie::lanes_of<${real}> real;`,
    `inline constexpr int n_states = ${nStates};`,
    `inline constexpr int n_processes = ${m};`,
    ...(milstein ? [`inline constexpr int n_pairs = ${pairCount(m)};`] : []),
    '// The engine reads order for its first-step guess and min(order, error_order) + 1 as the',
    `// controller's exponent${adaptive ? ': the step-doubling difference of Milstein scales like dt^1.5, and 2 is the safe side' : ''}.`,
    'inline constexpr int order = 1;',
    `inline constexpr int error_order = ${adaptive ? 1 : 0};`,
    `inline constexpr bool adaptive = ${adaptive};`,
    'inline constexpr bool fsal = false;',
    'inline constexpr int n_stages = 1;',
    `inline constexpr int rhs_evaluations_per_step = ${adaptive || platen ? 2 : 1};`,
    '',
    '// The run\'s Brownian tree, its last descents and W at the last step\'s ends (kernel/cubie/sde.h).',
    'struct Memory {',
    '  cubie::WienerCache<real, n_processes> wiener;',
    '};',
    '',
    ...coefficients,
    '',
    ...(platen ? [...diffusionAt, ''] : []),
    ...advance,
    '',
    ...MEMORY_STEP_SIGNATURE,
    ...body.map((line) => (line ? `  ${line}` : line)),
    '}',
    '',
    `}  // namespace ${namespace}`,
    '',
  ].join('\n');
}
