/**
 * The stochastic methods: one step of each is written by
 * src/codegen/sde-stepper.ts from the noise's derivatives, so a method here is
 * its facts, not a tableau. Orders are for Itô SDEs with the noise each method
 * accepts, as the tests measure them (test/solver/sde-*.test.ts).
 */
export type SdeScheme = 'euler-maruyama' | 'milstein' | 'milstein-adaptive';

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
    errorOrder: 1,
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
