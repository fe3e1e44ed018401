/**
 * Every generated kernel source, byte for byte, across a matrix of models ×
 * methods × precisions × outputs (and every controller on one model). The
 * digest covers the generated text, not the line naming the kernel library's
 * digest: a change to the headers alone leaves it, so the fixture shows that
 * a feature added to the library (events) leaves the text of kernels that do
 * not use it as it was. A change to generated text must be deliberate:
 * rerun with CUBIE_RECORD_DIGESTS=1 and say why in the commit.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../src/files/model-file';
import { compilePlan } from '../../src/codegen/compile-plan';
import { generateKernel } from '../../src/codegen/generate';
import { HEADER_NAMES, kernelHeaders, kernelIncludeDir } from '../../src/codegen/kernel-source';
import { allMethods, implicitMethods } from '../../src/methods/registry';
import { createSystem } from '../../src/system';
import type { CubieSystem } from '../../src/system';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'codegen', 'emitted-digests.json');
const examples = path.join(__dirname, '..', '..', 'examples');

function chain(n: number): CubieSystem {
  const eq = [];
  for (let i = 0; i < n; i++) {
    const left = i === 0 ? 'u0' : `u${i - 1}`;
    const right = i === n - 1 ? `u${n - 1}` : `u${i + 1}`;
    eq.push(`du${i} = D*(${left} - 2*u${i} + ${right}) - k*u${i}^2 + s*sin(t)`);
  }
  const states: Record<string, number> = {};
  for (let i = 0; i < n; i++) states[`u${i}`] = i / n;
  return createSystem({ name: `chain${n}`, equations: eq.join('\n'), states, parameters: { D: 1, k: 0.5, s: 0.1 } });
}

function lorenz96(n: number): CubieSystem {
  const eq = [];
  const x = (i: number) => `x${((i % n) + n) % n}`;
  for (let i = 0; i < n; i++) eq.push(`d${x(i)} = (${x(i + 1)} - ${x(i - 2)})*${x(i - 1)} - ${x(i)} + F`);
  eq.push(`energy = ${Array.from({ length: n }, (_, i) => `${x(i)}^2`).join(' + ')}`);
  const states: Record<string, number> = {};
  for (let i = 0; i < n; i++) states[x(i)] = i === 0 ? 8.01 : 8;
  return createSystem({ name: `lorenz96_${n}`, equations: eq.join('\n'), states, parameters: { F: 8 }, observables: ['energy'] });
}

/** The generated text, without the closing line that names it with the kernel library's digest. */
function generatedText(source: string): string {
  const marker = source.lastIndexOf('extern "C" CUBIE_MARKER');
  if (marker < 0) throw new Error('no digest line in the kernel source');
  return source.slice(0, marker);
}

function systems(): CubieSystem[] {
  return [
    ...['lorenz', 'van-der-pol', 'robertson', 'neuron'].map((m) => loadModel(path.join(examples, `${m}.yaml`)).system),
    lorenz96(8),
    chain(130),
  ];
}

const OUTPUTS: Record<string, string[]> = {
  plain: ['state'],
  everything: ['state', 'observables', 'time', 'iteration_counters', 'mean', 'max', 'std', 'extrema', 'dxdt_max', 'peaks[3]'],
};

function matrix(): Record<string, string> {
  const out: Record<string, string> = {};
  const methods = [...allMethods(), ...implicitMethods()].map((m) => m.name);
  for (const system of systems()) {
    for (const method of methods) {
      for (const precision of ['float64', 'float32'] as const) {
        for (const [outName, outputTypes] of Object.entries(OUTPUTS)) {
          const options = { method, precision, outputTypes };
          const source = generatedText(generateKernel(system, options).source);
          out[`${system.name}/${method}/${precision}/${outName}`] = createHash('sha256').update(source).digest('hex');
        }
      }
    }
  }
  const vdp = systems()[1];
  for (const controller of ['i', 'pi', 'pid', 'gustafsson'] as const) {
    for (const method of ['tsit5', 'rodas4', 'radau', 'kvaerno5']) {
      const source = generatedText(generateKernel(vdp, { method, stepController: controller, saveVariables: ['x'] }).source);
      out[`${vdp.name}/${method}/controller-${controller}/save-x`] = createHash('sha256').update(source).digest('hex');
    }
  }
  return out;
}

describe('generated kernel sources', () => {
  it('match the recorded digests for every model, method, precision, output set and controller', () => {
    const digests = matrix();
    if (process.env.CUBIE_RECORD_DIGESTS === '1') fs.writeFileSync(FIXTURE, `${JSON.stringify(digests, null, 1)}\n`);
    const recorded = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, string>;
    expect(Object.keys(digests).sort()).toEqual(Object.keys(recorded).sort());
    const changed = Object.keys(recorded).filter((k) => recorded[k] !== digests[k]);
    expect(changed).toEqual([]);
  });
});

describe('the kernel library', () => {
  it('lists every file of the kernel folder: both backends key exactly the headers a source can include', () => {
    const dir = kernelIncludeDir();
    const walk = (d: string, prefix = ''): string[] =>
      fs.readdirSync(path.join(dir, d), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
    expect([...HEADER_NAMES].sort()).toEqual(walk('').sort());
    expect(Object.keys(kernelHeaders())).toEqual([...HEADER_NAMES]);
  });
});
