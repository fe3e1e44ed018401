/**
 * The stochastic methods: one step of each is written by
 * src/codegen/sde-stepper.ts from the noise's derivatives, so a method here is
 * its facts, not a tableau. Orders are for Itô SDEs with the noise each method
 * accepts, as the tests measure them (test/solver/sde-*.test.ts).
 */
export type SdeScheme = 'euler-maruyama' | 'milstein' | 'milstein-adaptive' | 'platen-w2';

export interface SdeMethod {
  readonly name: SdeScheme;
  readonly aliases: readonly string[];
  readonly title: string;
  readonly source: string;
  /** Strong order (mean error at the end, path by path). */
  readonly strongOrder: number;
  /** Weak order (error of moments). */
  readonly weakOrder: number;
  /** Needs L^a g^b = L^b g^a (no Lévy areas are drawn). */
  readonly needsCommutativeNoise: boolean;
  /**
   * Needs each process's column unchanged by moves along another's (one
   * process, or diagonal noise that is commutative): then the scheme needs no
   * random variables beyond the Brownian increments.
   */
  readonly needsSeparableNoise: boolean;
  /** Order in dt of the error estimate's scaling, for the controller's exponent (0: fixed steps only). */
  readonly errorOrder: number;
}

export const SDE_METHODS: readonly SdeMethod[] = [
  {
    name: 'euler-maruyama',
    aliases: ['em'],
    title: 'Euler–Maruyama',
    source: 'Kloeden & Platen, Numerical Solution of SDEs (1992), 10.2',
    strongOrder: 0.5,
    weakOrder: 1,
    needsCommutativeNoise: false,
    needsSeparableNoise: false,
    errorOrder: 0,
  },
  {
    name: 'milstein',
    aliases: [],
    title: 'Milstein',
    source: 'Kloeden & Platen (1992), 10.3; commutative noise, 10.3.15',
    strongOrder: 1,
    weakOrder: 1,
    needsCommutativeNoise: true,
    needsSeparableNoise: false,
    errorOrder: 0,
  },
  {
    name: 'milstein-adaptive',
    aliases: [],
    title: 'Milstein with step doubling',
    // Two half steps through W(t + dt/2) of the same path against one whole step: the difference is the error.
    source: 'Gaines & Lyons, SIAM J. Appl. Math. 57 (1997) 1455-1484 (variable steps on a Brownian tree); Kloeden & Platen 10.3',
    strongOrder: 1,
    weakOrder: 1,
    needsCommutativeNoise: true,
    needsSeparableNoise: false,
    errorOrder: 1,
  },
  {
    name: 'platen-w2',
    aliases: ['weak2'],
    title: "Platen's explicit weak order 2.0 scheme",
    // 15.1.3 with the terms of other processes' supporting values zero (separable noise), so no extra random variables.
    source: 'Kloeden & Platen (1992), 15.1.1 and 15.1.3 (derivative-free, supporting values at t + dt)',
    strongOrder: 1,
    weakOrder: 2,
    needsCommutativeNoise: false, // implied by needsSeparableNoise, which says more
    needsSeparableNoise: true,
    errorOrder: 0,
  },
];

const BY_NAME: ReadonlyMap<string, SdeMethod> = new Map(
  SDE_METHODS.flatMap((m) => [m.name, ...m.aliases].map((n) => [n.toLowerCase(), m] as [string, SdeMethod])),
);

/** The stochastic method called `name` (name or alias, any case), or undefined. */
export function findSdeMethod(name: string): SdeMethod | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

export function sdeMethodNames(): string[] {
  return SDE_METHODS.map((m) => m.name);
}
