/**
 * The 1-D Brusselator with diffusion (Hairer & Wanner II, IV.1, BRUSS):
 * `cells` grid points on (0, 1), u and v interleaved (u0, v0, u1, ...), so J
 * is banded (bandwidth 2) and has 6 or fewer nonzeros a row. Boundary
 * values u = 1, v = 3; u(x, 0) = 1 + sin(2 pi x), v = 3. The diffusion
 * coefficient alpha (default 1/50) scales the stiffness, alpha (cells+1)^2.
 * test/fixtures/sparse/brusselator.py integrates the same system with scipy.
 */
import { createSystem } from '../../src';
import type { CubieSystem } from '../../src/system';

export function brusselatorDefinition(cells: number) {
  const equations: string[] = [];
  const states: Record<string, number> = {};
  const u = (i: number): string => (i < 0 || i >= cells ? '1' : `u${i}`);
  const v = (i: number): string => (i < 0 || i >= cells ? '3' : `v${i}`);
  for (let i = 0; i < cells; i++) {
    equations.push(`du${i} = 1 + u${i}^2*v${i} - 4*u${i} + c*(${u(i - 1)} - 2*u${i} + ${u(i + 1)})`);
    equations.push(`dv${i} = 3*u${i} - u${i}^2*v${i} + c*(${v(i - 1)} - 2*v${i} + ${v(i + 1)})`);
    states[`u${i}`] = 1 + Math.sin((2 * Math.PI * (i + 1)) / (cells + 1));
    states[`v${i}`] = 3;
  }
  return { name: `brusselator${2 * cells}`, equations: equations.join('\n'), states, parameters: { c: (cells + 1) ** 2 / 50 } };
}

export function brusselator(cells: number): CubieSystem {
  return createSystem(brusselatorDefinition(cells)) as CubieSystem;
}
