/**
 * The layer rules of .dependency-cruiser.js hold for src/ (type-only imports
 * included), the table itself is acyclic and names every folder, and no
 * `as unknown as` cast is left in src/.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(root, '.dependency-cruiser.js')) as { LAYERS: Record<string, string[]> };

interface CruiseOutput {
  summary: { violations: Array<{ rule: { name: string }; from: string; to: string }>; error: number; totalCruised: number };
}

function cruise(): CruiseOutput {
  const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const out = execFileSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.js', '--output-type', 'json'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(out) as CruiseOutput;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('the layers of src/', () => {
  it('dependency-cruiser finds no import against the layer rules', () => {
    const result = cruise();
    expect(result.summary.totalCruised).toBeGreaterThan(100);
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it('the table names every folder of src/ and its graph is acyclic', () => {
    const folders = fs.readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(Object.keys(config.LAYERS).sort()).toEqual(folders.sort());
    const rootModules = fs.readdirSync(path.join(root, 'src')).filter((n) => n.endsWith('.ts'));
    expect(rootModules).toEqual(['index.ts']);
    // Each folder's allowed imports come before it in the table: a topological order, so no cycle.
    const seen = new Set<string>();
    for (const [folder, allowed] of Object.entries(config.LAYERS)) {
      expect(allowed.filter((a) => !seen.has(a))).toEqual([]);
      seen.add(folder);
    }
  });

  it('a rule catches an upward import (the check can fail)', () => {
    const probe = path.join(root, 'src', 'system', '__layer_probe__.ts');
    fs.writeFileSync(probe, "import type { SolveResult } from '../solver/result';\nexport type Probe = SolveResult;\n");
    try {
      const violations = cruise().summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(violations).toEqual(['layer-system: src/system/__layer_probe__.ts -> src/solver/result.ts']);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });

  it('no `as unknown as` cast is left in src/', () => {
    const casts = sourceFiles(path.join(root, 'src')).filter((f) => fs.readFileSync(f, 'utf8').includes('as unknown as'));
    expect(casts.map((f) => path.relative(root, f))).toEqual([]);
  });
});
