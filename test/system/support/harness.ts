/**
 * A host program that evaluates generated systems: it reads points from
 * stdin and prints dxdt, observables, the Jacobian, J·v and df/dt with
 * %.17g, so the tests can compare the generated C++ with independent values.
 */
import { generateSystemSource } from '../../../src/codegen/system-source';
import type { CubieSystem, Precision } from '../../../src/system';
import { buildProgram, run } from './gxx';

export interface HarnessPoint {
  y: readonly number[];
  p: readonly number[];
  d: readonly number[];
  ddot: readonly number[];
  v: readonly number[];
  t: number;
}

export interface HarnessOutput {
  dy: number[];
  obs: number[];
  J: number[];
  Jv: number[];
  ft: number[];
}

const RUNNER = `
#include <cstdio>
#include <cstddef>
#include <vector>

template <typename real>
static bool read_values(std::vector<real>& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    double x;
    if (std::scanf("%lf", &x) != 1) return false;
    out[i] = static_cast<real>(x);
  }
  return true;
}

template <typename real>
static void print_values(const std::vector<real>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) std::printf("%.17g ", static_cast<double>(values[i]));
}

template <typename real, typename Dxdt, typename Obs, typename Jac, typename Jvp, typename Dfdt>
static bool run_point(std::size_t n, std::size_t np, std::size_t nd, std::size_t no,
                      Dxdt dxdt, Obs observables, Jac jacobian, Jvp jvp, Dfdt dfdt) {
  std::vector<real> y(n), p(np), d(nd), ddot(nd), v(n), t(1);
  if (!read_values(y) || !read_values(p) || !read_values(d) || !read_values(ddot) || !read_values(v) || !read_values(t)) return false;
  std::vector<real> dy(n), obs(no + 1), J(n * n), Jv(n), ft(n);
  dxdt(y.data(), p.data(), d.data(), t[0], dy.data());
  observables(y.data(), p.data(), d.data(), t[0], obs.data());
  jacobian(y.data(), p.data(), d.data(), t[0], J.data());
  jvp(y.data(), p.data(), d.data(), t[0], v.data(), Jv.data());
  dfdt(y.data(), p.data(), d.data(), ddot.data(), t[0], ft.data());
  obs.resize(no);
  print_values(dy); print_values(obs); print_values(J); print_values(Jv); print_values(ft);
  std::printf("\\n");
  return true;
}

#define CUBIE_RUN(NS) run_point<NS::real>(NS::n_states, NS::n_parameters, NS::n_drivers, NS::n_observables, \\
    NS::dxdt, NS::observables, NS::jacobian, NS::jvp, NS::dfdt)
`;

export interface Harness {
  evaluate(points: readonly { system: number; point: HarnessPoint }[]): Promise<HarnessOutput[]>;
}

/** Builds one program holding every system (namespace s0, s1, ...). */
export async function buildHarness(dir: string, systems: readonly CubieSystem[], precision: Precision): Promise<Harness> {
  const sources = systems.map((s, i) => generateSystemSource(s, { precision, namespace: `s${i}` }));
  const cases = systems.map((_, i) => `      case ${i}: ok = CUBIE_RUN(s${i}); break;`).join('\n');
  const program = [
    '#include "cubie/platform.h"',
    ...sources,
    RUNNER,
    'int main() {',
    '  int which;',
    '  while (std::scanf("%d", &which) == 1) {',
    '    bool ok = false;',
    '    switch (which) {',
    cases,
    '      default: return 2;',
    '    }',
    '    if (!ok) return 3;',
    '  }',
    '  return 0;',
    '}',
    '',
  ].join('\n');
  const exe = await buildProgram(dir, `harness_${precision}`, program);
  return {
    async evaluate(points) {
      const input = points
        .map(({ system, point }) => [system, ...point.y, ...point.p, ...point.d, ...point.ddot, ...point.v, point.t].map(formatInput).join(' '))
        .join('\n');
      const result = await run(exe, [], `${input}\n`);
      if (result.code !== 0) throw new Error(`harness exited with ${result.code}: ${result.stderr}`);
      const lines = result.stdout.trim().split('\n');
      return points.map(({ system }, k) => {
        const s = systems[system];
        const values = lines[k].trim().split(/\s+/).map(Number);
        const n = s.states.length;
        const no = s.observables.length;
        let at = 0;
        const take = (count: number): number[] => values.slice(at, (at += count));
        return { dy: take(n), obs: take(no), J: take(n * n), Jv: take(n), ft: take(n) };
      });
    },
  };
}

function formatInput(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(17);
}
