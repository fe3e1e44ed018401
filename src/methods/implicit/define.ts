/**
 * Reads implicit methods' definitions: coefficients exactly as published
 * (src/methods/rational.ts), shapes checked, differences such as b - bHat
 * formed before rounding, each value rounded to a double once.
 */
import { type Coefficient, parseCoefficient, type Rational, subtract, toDouble } from '../rational';
import type { EmbeddedDefinition, ErrorEstimator } from '../tableau';
import type { DirkDefinition, DirkTableau, RadauDefinition, RadauTableau, RosenbrockDefinition, RosenbrockTableau } from './families';

/** Stage times must equal the row sums they stand for, to this much (decimals are published to ~17 digits). */
const ROW_SUM_TOLERANCE = 1e-14;

type Fail = (why: string) => never;

function failer(name: string): Fail {
  return (why) => {
    throw new Error(`tableau '${name}': ${why}`);
  };
}

const read = (row: readonly Coefficient[]): Rational[] => row.map(parseCoefficient);
const doubles = (row: readonly Rational[]): number[] => row.map(toDouble);

/** b - bHat (exactly) from either form of an embedded solution. */
function embeddedWeights(b: readonly Rational[], solution: EmbeddedDefinition, fail: Fail): number[] {
  const given = read('weights' in solution ? solution.weights : solution.bHat);
  if (given.length !== b.length) fail(`an embedded solution needs ${b.length} weights, has ${given.length}`);
  return doubles('weights' in solution ? given : given.map((bHat, j) => subtract(b[j], bHat)));
}

function checkRowSums(a: readonly (readonly number[])[], c: readonly number[], fail: Fail): void {
  a.forEach((row, i) => {
    const sum = row.reduce((s, x) => s + x, 0);
    if (Math.abs(sum - c[i]) > ROW_SUM_TOLERANCE * Math.max(1, Math.abs(c[i]))) fail(`c${i + 1} = ${c[i]} is not the sum of row ${i + 1} of a (${sum})`);
  });
}

export function defineDirk(definition: DirkDefinition): DirkTableau {
  const fail = failer(definition.name);
  const b = read(definition.b);
  const stages = b.length;
  const c = doubles(read(definition.c));
  const a = definition.a.map((row) => doubles(read(row)));
  if (c.length !== stages || a.length !== stages) fail(`b, c and a must describe the same ${stages} stages`);
  a.forEach((row, i) => {
    if (row.length !== i + 1) fail(`row ${i + 1} of a needs ${i + 1} entries (the last on the diagonal), has ${row.length}`);
  });
  checkRowSums(a, c, fail);
  let errorEstimator: ErrorEstimator = { kind: 'none' };
  if (definition.embedded) {
    errorEstimator = { kind: 'embedded', weights: embeddedWeights(b, definition.embedded.solution, fail), embeddedOrder: definition.embedded.order };
  }
  return {
    name: definition.name,
    aliases: definition.aliases ?? [],
    title: definition.title,
    source: definition.source,
    family: 'dirk',
    order: definition.order,
    errorOrder: definition.embedded?.order ?? 0,
    a,
    b: doubles(b),
    c,
    // The engine evaluates f at each new point: stage derivatives of implicit
    // stages come from the Newton solution, not from f at the last stage.
    fsal: false,
    errorEstimator,
  };
}

export function defineRosenbrock(definition: RosenbrockDefinition): RosenbrockTableau {
  const fail = failer(definition.name);
  const b = read(definition.b);
  const stages = b.length;
  const lower = (rows: readonly (readonly Coefficient[])[], what: string): number[][] => {
    const out = [[], ...rows.map((row) => doubles(read(row)))];
    if (out.length !== stages) fail(`${what} must describe ${stages} stages`);
    out.forEach((row, i) => {
      if (row.length !== i) fail(`row ${i + 1} of ${what} needs ${i} entries, has ${row.length}`);
    });
    return out;
  };
  const c = doubles(read(definition.c));
  const timeWeights = doubles(read(definition.timeWeights));
  if (c.length !== stages || timeWeights.length !== stages) fail(`c and timeWeights need ${stages} entries`);
  if (c[0] !== 0) fail('the first stage of a Rosenbrock method is at c1 = 0 (it uses the given f(t, y))');
  const dense = definition.denseOutput;
  if (dense !== undefined && (dense.H.length === 0 || dense.H.some((row) => row.length !== stages))) fail(`every row of the dense output's H needs ${stages} entries`);
  return {
    name: definition.name,
    aliases: definition.aliases ?? [],
    title: definition.title,
    source: definition.source,
    family: 'rosenbrock',
    order: definition.order,
    errorOrder: definition.embedded.order,
    a: lower(definition.a, 'a'),
    b: doubles(b),
    c,
    fsal: false,
    errorEstimator: { kind: 'embedded', weights: embeddedWeights(b, definition.embedded.solution, fail), embeddedOrder: definition.embedded.order },
    gamma: toDouble(parseCoefficient(definition.gamma)),
    coupling: lower(definition.coupling, 'coupling'),
    timeWeights,
    ...(dense === undefined ? {} : { denseOutput: { order: dense.order, H: dense.H.map((row) => doubles(read(row))) } }),
  };
}

export function defineRadau(definition: RadauDefinition): RadauTableau {
  const fail = failer(definition.name);
  const b = read(definition.b);
  const stages = b.length;
  const a = definition.a.map(read);
  const c = doubles(read(definition.c));
  if (a.length !== stages || c.length !== stages || a.some((row) => row.length !== stages)) fail(`a must be ${stages} x ${stages}, c of length ${stages}`);
  checkRowSums(a.map(doubles), c, fail);
  const bHat = read(definition.embedded.bHat);
  if (bHat.length !== stages) fail(`bHat needs ${stages} weights`);
  const square = (rows: readonly (readonly Coefficient[])[], what: string): number[][] => {
    if (rows.length !== stages || rows.some((row) => row.length !== stages)) fail(`${what} must be ${stages} x ${stages}`);
    return rows.map((row) => doubles(read(row)));
  };
  const zero: Rational = { num: 0n, den: 1n };
  const { transform } = definition;
  // f(t, y) as an explicit zeroth stage: it carries the embedded formula's start weight.
  return {
    name: definition.name,
    aliases: definition.aliases ?? [],
    title: definition.title,
    source: definition.source,
    family: 'firk',
    order: definition.order,
    errorOrder: definition.embedded.order,
    a: [new Array<number>(stages + 1).fill(0), ...a.map((row) => [0, ...doubles(row)])],
    b: [0, ...doubles(b)],
    c: [0, ...c],
    fsal: false,
    errorEstimator: {
      kind: 'embedded',
      weights: doubles([subtract(zero, parseCoefficient(definition.embedded.startWeight)), ...b.map((bj, j) => subtract(bj, bHat[j]))]),
      embeddedOrder: definition.embedded.order,
    },
    denseOutput: collocationPolynomial(c),
    transform: {
      T: square(transform.T, 'T'),
      TInverse: square(transform.TInverse, 'TInverse'),
      realEigenvalue: toDouble(parseCoefficient(transform.realEigenvalue)),
      complexEigenvalue: { re: toDouble(parseCoefficient(transform.complexEigenvalue.re)), im: toDouble(parseCoefficient(transform.complexEigenvalue.im)) },
    },
  };
}

/**
 * Each stage's Lagrange polynomial on the nodes 0, c_1..c_s, zero at 0 (y itself is
 * the value there), as coefficients of theta, theta^2, ..., theta^s: the
 * collocation polynomial of a collocation method such as Radau IIA.
 */
export function collocationPolynomial(c: readonly number[]): RadauTableau['denseOutput'] {
  const coefficients = c.map((ci, i) => {
    // theta * prod_{j != i} (theta - c_j), as coefficients of theta^0.. (lowest first)
    let poly = [0, 1];
    let scale = ci;
    c.forEach((cj, j) => {
      if (j === i) return;
      poly = poly.map((x, p) => -cj * x + (p > 0 ? poly[p - 1] : 0)).concat(poly[poly.length - 1]);
      scale *= ci - cj;
    });
    return poly.slice(1).map((x) => x / scale);
  });
  return { order: c.length, coefficients };
}
