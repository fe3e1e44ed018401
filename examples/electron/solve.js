'use strict';
// What the main process solves: a damped oscillator, x'' + 2*zeta*omega*x' + omega^2*x = 0,
// over a sweep of damping ratios. Free of Electron, so that test/electron/asar.test.ts
// runs this very file from a packed copy of the app under plain Node.
const { createSystem, solveIvp } = require('cubie');

const oscillator = createSystem({
  name: 'oscillator',
  equations: `
    dx = v
    dv = -omega^2*x - 2*zeta*omega*v
  `,
  states: { x: 1, v: 0 },
  parameters: { omega: 2 * Math.PI, zeta: 0.1 },
});

/** Damping ratios from 0.05 to 0.9 (all underdamped), one run each. */
function dampingRatios(runs) {
  return Array.from({ length: runs }, (_, i) => 0.05 + (0.85 * i) / Math.max(1, runs - 1));
}

/**
 * Solves `runs` oscillators. `options` are cubie's solve options: onProgress,
 * signal, cacheDir, backend... The default cache folder in Electron's main
 * process is <userData>/cubie-cache.
 */
async function solveSweep(runs, options = {}) {
  const zeta = dampingRatios(runs);
  const result = await solveIvp(oscillator, { x: 1, v: 0 }, { zeta }, {
    method: 'tsit5',
    duration: 3,
    saveEvery: 0.01,
    saveVariables: ['x'],
    atol: 1e-10,
    rtol: 1e-8,
    ...options,
  });
  return { zeta, result };
}

module.exports = { solveSweep, dampingRatios };
