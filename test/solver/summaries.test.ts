import { solveIvp } from '../../src';
import { parseSummaryMetrics } from '../../src/summaries/metrics';
import { referenceSummaries } from '../summaries/reference';

// The kernel's summaries must equal the same quantities computed from the
// saved (dense) trajectory by the independent reference in test/summaries.
const OUTPUTS = ['state', 'observables', 'mean', 'std', 'rms', 'min', 'max', 'extrema', 'max_magnitude', 'peaks[3]', 'negative_peaks[2]',
  'dxdt_max', 'dxdt_min', 'dxdt_extrema', 'd2xdt2_max', 'd2xdt2_min', 'd2xdt2_extrema'];

describe('in-kernel summaries through the whole engine', () => {
  for (const precision of ['float64', 'float32'] as const) {
    it(`match the saved trajectory's statistics window by window (${precision})`, async () => {
      const system = {
        equations: ['dx = v', 'dv = -w^2*x - c*v', 'energy = 0.5*v^2 + 0.5*w^2*x^2'],
        states: { x: 1, v: 0 },
        parameters: { w: 3, c: 0.1 },
        observables: ['energy'],
      };
      const result = await solveIvp(system, { x: [1, -0.5] }, { w: [3, 7] }, {
        precision,
        outputTypes: OUTPUTS,
        summariseVariables: ['x', 'energy'],
        duration: 3.05, // the last window is partial and ends on a short interval
        saveEvery: 0.01,
        summariseEvery: 0.5,
        atol: 1e-8,
        rtol: 1e-8,
      });
      expect(result.variables).toEqual(['x', 'v', 'energy']);
      const metrics = parseSummaryMetrics(OUTPUTS, ['state', 'observables']);
      const nWindows = Math.ceil((result.time.length - 1) / 50);
      expect(result.summaries.length).toBe(nWindows * result.summaryLegend.length * result.nRuns);
      expect(result.summaryLegend.slice(0, 3)).toEqual(['x.mean', 'x.std', 'x.rms']);
      expect(result.summaryLegend).toContain('energy.peaks[2]');
      const tolerance = precision === 'float64' ? 1e-9 : 2e-4;
      for (let run = 0; run < result.nRuns; run++) {
        const times = Array.from(result.time);
        const values = ['x', 'energy'].map((v) => Array.from(result.trajectory(v, run)));
        const want = referenceSummaries({ times, values, perWindow: 50 }, metrics);
        expect(want.length).toBe(nWindows);
        want.forEach((row, w) => {
          row.forEach((expected, c) => {
            const got = result.summaries[(w * row.length + c) * result.nRuns + run];
            const label = `${result.summaryLegend[c]} window ${w} run ${run}`;
            if (Number.isNaN(expected)) {
              expect([label, got]).toEqual([label, NaN]);
            } else {
              const scale = Math.max(1, Math.abs(expected), label.includes('d2xdt2') ? 100 : 1);
              expect([label, Math.abs(got - expected) <= tolerance * scale]).toEqual([label, true]);
            }
          });
        });
      }
    });
  }
});
