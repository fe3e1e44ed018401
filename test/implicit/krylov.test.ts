/**
 * The matrix-free path (GMRES on the generated Jacobian-vector product)
 * against the dense LU path, on a diffusion-reaction chain written as
 * equations: the same trajectories within the tolerance, the work counted
 * where each path does it; and the switch to Krylov by system size.
 */
import { Solver } from '../../src';
import * as linearSolver from '../../src/codegen/linear-solver';

/** u_i' = d (u_{i-1} - 2 u_i + u_{i+1}) - k u_i^2, u_0 = 1, u_{n+1} = 0: stiff for large d. */
function chain(n: number, d: number): { name: string; equations: string[]; states: Record<string, number>; parameters: Record<string, number> } {
  const equations = Array.from({ length: n }, (_, j) => {
    const i = j + 1;
    const left = i === 1 ? '1' : `u${i - 1}`;
    const right = i === n ? '0' : `u${i + 1}`;
    return `du${i} = d*(${left} - 2*u${i} + ${right}) - k*u${i}^2`;
  });
  const states = Object.fromEntries(Array.from({ length: n }, (_, j) => [`u${j + 1}`, 0]));
  return { name: `chain${n}`, equations, states, parameters: { d, k: 1 } };
}

const N = 32;
const system = chain(N, (N + 1) ** 2); // stiffness ~4 (N+1)^2 = 4356
const RTOL = 1e-6;
const ATOL = 1e-8;
const options = { duration: 1, saveEvery: 0.25, rtol: RTOL, atol: ATOL };
const k = [0.5, 1, 2];

async function solveWith(method: string, kind: 'lu' | 'krylov') {
  const solver = new Solver(system, { method, linearSolver: kind === 'lu' ? 'dense' : 'gmres', outputTypes: ['state', 'iteration_counters'] });
  return solver.solve({}, { k }, options);
}

describe(`Krylov against LU on a ${N}-state diffusion-reaction chain`, () => {
  it.each(['kvaerno5', 'rodas4', 'radau'])('%s: the two paths agree within the tolerance and count their own work', async (method) => {
    const lu = await solveWith(method, 'lu');
    const krylov = await solveWith(method, 'krylov');
    expect(Array.from(lu.status)).toEqual([0, 0, 0]);
    expect(Array.from(krylov.status)).toEqual([0, 0, 0]);
    for (let i = 0; i < lu.timeDomain.length; i++) {
      expect(Math.abs(krylov.timeDomain[i] - lu.timeDomain[i])).toBeLessThan(10 * (ATOL + RTOL * Math.abs(lu.timeDomain[i])));
    }
    // The front has moved in: the middle of the chain is far from its initial 0.
    expect(lu.trajectory(`u${N / 2}`, 0)[4]).toBeGreaterThan(0.1);
    const [dense, free] = [lu.iterationCounters!, krylov.iterationCounters!];
    for (let r = 0; r < k.length; r++) {
      expect(dense.jacobianEvaluations[r]).toBeGreaterThan(0);
      expect(dense.linearIterations[r]).toBe(0);
      // Matrix-free: no Jacobian is formed, GMRES makes J*v products instead.
      expect(free.jacobianEvaluations[r]).toBe(0);
      expect(free.linearIterations[r]).toBeGreaterThan(free.accepted[r]);
    }
  });
});

describe('the switch by system size', () => {
  it(`below ${linearSolver.KRYLOV_MIN_STATES} states is LU, from it on Krylov`, () => {
    expect(linearSolver.linearSolverFor(linearSolver.KRYLOV_MIN_STATES - 1)).toBe('lu');
    expect(linearSolver.linearSolverFor(linearSolver.KRYLOV_MIN_STATES)).toBe('krylov');
  });

  // 'auto' gives this chain the sparse LU (its pattern saves most of the work, README "Linear solvers");
  // 'gmres' is the size rule's choice for patterns the sparse LU does not take.
  it(`a ${linearSolver.KRYLOV_MIN_STATES}-state chain solves matrix-free with 'gmres', and on the sparse LU with 'auto'`, async () => {
    const n = linearSolver.KRYLOV_MIN_STATES;
    const auto = new Solver(chain(n, 0.1 * (n + 1) ** 2), { method: 'radau', outputTypes: ['state', 'iteration_counters'] });
    const a = await auto.solve({}, {}, { duration: 0.5, rtol: 1e-5, atol: 1e-7 });
    expect(a.kernel.linearSolver).toBe('sparse');
    expect(a.status[0]).toBe(0);
    expect(a.iterationCounters!.linearIterations[0]).toBe(0);
    auto.close();
    const solver = new Solver(chain(n, 0.1 * (n + 1) ** 2), { method: 'radau', linearSolver: 'gmres', outputTypes: ['state', 'iteration_counters'] });
    const r = await solver.solve({}, {}, { duration: 0.5, rtol: 1e-5, atol: 1e-7 });
    expect(r.status[0]).toBe(0);
    expect(r.iterationCounters!.jacobianEvaluations[0]).toBe(0);
    expect(r.iterationCounters!.linearIterations[0]).toBeGreaterThan(0);
    for (let i = 1; i <= n; i++) expect(Math.abs(r.trajectory(`u${i}`, 0)[1] - a.trajectory(`u${i}`, 0)[1])).toBeLessThan(10 * (1e-7 + 1e-5 * Math.abs(a.trajectory(`u${i}`, 0)[1])));
    const middle = r.trajectory(`u${n / 8}`, 0)[1];
    expect(middle).toBeGreaterThan(0.05);
    expect(middle).toBeLessThan(1);
  });
});
