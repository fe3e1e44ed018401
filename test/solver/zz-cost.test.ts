import { createSystem, Solver } from '../../src';
test('cost', async () => {
  const system = createSystem({
    name: 'lorenz_cost', equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'],
    states: { x: 1, y: 1, z: 1 }, parameters: { sigma: 10, rho: 28, beta: 8 / 3 },
    events: [{ name: 'section', when: 'z - 27', direction: 'rising' }],
  });
  const plain = createSystem({ name: 'lorenz_cost_plain', equations: ['dx = sigma*(y - x)', 'dy = x*(rho - z) - y', 'dz = x*y - beta*z'], states: { x: 1, y: 1, z: 1 }, parameters: { sigma: 10, rho: 28, beta: 8 / 3 } });
  const rho = Array.from({ length: 2000 }, (_, i) => 28 + i * 1e-3);
  const out: string[] = [];
  for (const method of ['dop853', 'vern7', 'tsit5']) {
    const time = async (s: Solver, o: object) => { await s.solve({}, { rho }, o); const t0 = process.hrtime.bigint(); await s.solve({}, { rho }, o); return Number(process.hrtime.bigint() - t0) / 1e6; };
    const ev = await time(new Solver(system, { method, backend: 'cpu', outputTypes: ['events'] }), { duration: 20, maxEventRecords: 32, rtol: 1e-10, atol: 1e-10 });
    const none = await time(new Solver(plain, { method, backend: 'cpu', outputTypes: ['state'] }), { duration: 20, saveEvery: 20, rtol: 1e-10, atol: 1e-10 });
    const interp = await time(new Solver(plain, { method, backend: 'cpu', saveMode: 'interpolate', outputTypes: ['state'] }), { duration: 20, saveEvery: 0.02, rtol: 1e-10, atol: 1e-10 });
    const sparse = await time(new Solver(plain, { method, backend: 'cpu', saveMode: 'interpolate', outputTypes: ['state'] }), { duration: 20, saveEvery: 2, rtol: 1e-10, atol: 1e-10 });
    out.push(`${method} events ${ev.toFixed(0)} ms, no saves ${none.toFixed(0)} ms, interpolate 1000 saves ${interp.toFixed(0)} ms, interpolate 10 saves ${sparse.toFixed(0)} ms`);
  }
  console.log(out.join('\n'));
}, 600000);
