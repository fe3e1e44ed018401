/**
 * Events on the CUDA backend (through the driver test double) give the CPU
 * backend's scalar engine's results (cpuLanes 1, one run at a time as a GPU
 * thread does; adaptive lanes differ in libmvec's last bits) to the last bit: event records are per-run outputs the
 * runner chunks, stages and reassembles like saves, and the `at` times a
 * buffer every run shares.
 */
import { Solver } from '../../src';
import type { SolveResult } from '../../src/solver/result';
import { expectSameBits, fakeCudaSuite, onCuda } from '../support/cuda';

const fake = fakeCudaSuite();

const ball = {
  name: 'ball_cuda',
  equations: ['dy = v', 'dv = -g'],
  states: { y: 10, v: 0 },
  parameters: { g: 9.81, k: 0.8 },
  events: [
    { name: 'bounce', when: 'y', direction: 'falling' as const, then: 'v = -k*v', terminal: 5 },
    { name: 'kick', at: [0.3, 2.2], then: 'v = v + 1' },
    { name: 'tick', every: 0.7 },
  ],
};

function expectSameEvents(gpu: SolveResult, cpu: SolveResult): void {
  expectSameBits(gpu.timeDomain, cpu.timeDomain, 'timeDomain');
  expectSameBits(gpu.status, cpu.status, 'status');
  const [g, c] = [gpu.events!, cpu.events!];
  expect(g.names).toEqual(c.names);
  expectSameBits(g.count, c.count, 'events.count');
  expectSameBits(g.time, c.time, 'events.time');
  expectSameBits(g.which, c.which, 'events.which');
  expectSameBits(g.state, c.state, 'events.state');
}

describe('events on the CUDA backend (driver test double) against the CPU backend', () => {
  it.each(['float64', 'float32'] as const)('%s: crossings, at and every events, terminal runs, records, in many chunks on 2 devices: bit for bit', async (precision) => {
    fake.configure({ devices: 2 });
    const settings = { method: 'tsit5', precision, duration: 6, saveEvery: 0.1, outputTypes: ['state', 'events'], rtol: 1e-8, atol: 1e-8 };
    const k = Float64Array.from({ length: 77 }, (_, i) => 0.3 + (i % 11) * 0.06);
    const y = Float64Array.from({ length: 77 }, (_, i) => 5 + (i % 5));
    const options = { maxEventRecords: 12 };
    const cpu = await new Solver(ball, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({ y }, { k }, options);
    const cuda = onCuda(new Solver(ball, settings), { devices: [0, 1], chunkRuns: 8 });
    const gpu = await cuda.solver.solve({ y }, { k }, options);
    expect(gpu.kernel.backend).toBe('cuda');
    expectSameEvents(gpu, cpu);
    // The batch is not trivial: runs terminated, others did not, and records ran out for some.
    expect(new Set(Array.from(cpu.status))).toEqual(new Set([0, 16]));
    expect(Math.max(...Array.from(cpu.events!.count))).toBeGreaterThan(12);
  });

  it("saveAt with saveMode 'interpolate' and crossings: bit for bit", async () => {
    fake.configure({ devices: 1 });
    const settings = { method: 'tsit5', saveMode: 'interpolate' as const, outputTypes: ['state', 'events'], rtol: 1e-9, atol: 1e-9 };
    const k = Float64Array.from({ length: 19 }, (_, i) => 0.5 + i * 0.02);
    const options = { duration: 4, saveAt: [0.1, 0.5, 1.25, 2, 2.0001, 3.3, 4] };
    const cpu = await new Solver(ball, { ...settings, backend: 'cpu', cpuLanes: 1 }).solve({}, { k }, options);
    const gpu = await onCuda(new Solver(ball, settings), { devices: [0], chunkRuns: 5 }).solver.solve({}, { k }, options);
    expect(Array.from(gpu.time)).toEqual(options.saveAt);
    expectSameEvents(gpu, cpu);
  });
});
