/**
 * Model files: `{ system, y0, parameters, options }` in YAML or JSON, checked
 * up front (system, inputs and every option, including the ones the solver
 * would only check when it runs) so that a mistake is reported before any
 * compile or run, with the file, the line, the key path and what was
 * expected.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isCubieError } from '../shared/errors';
import { compilePlan } from '../codegen/compile-plan';
import { runPlan } from '../solver/run-plan';
import { fitDrivers } from '../solver/drivers';
import type { DriverInput } from '../options/solve-options';
import { toleranceArray } from '../solver/tolerances';
import { canonicalOptionName, normalizeOptions } from '../options/solve-options';
import type { GridType, SolveOptions } from '../options/solve-options';
import { createSystem, systemFromObject } from '../system';
import { importSbml } from '../import/sbml';
import { importCellml } from '../import/cellml';
import { filesBeside, IMPORTED_FILE, importedModelDocument } from './imported-model';
import type { CubieSystem } from '../system';
import { didYouMean } from '../shared/suggest';
import { describeValue, KeyPath, ModelDocument, modelError, readModelDocument } from './model-document';
import { modelHash } from './model-hash';
import { InputColumn, InputRole, RunInputs } from './run-inputs';
import { readNumbers } from './values';

const TOP_KEYS = ['system', 'y0', 'parameters', 'options', 'description'] as const;

/** Options that only make sense in code. */
const CODE_ONLY = new Set(['onProgress', 'signal']);

export interface Model {
  /** The file as named on the command line. */
  file: string;
  description?: string;
  system: CubieSystem;
  /** Every option, camelCase, with numbers read from files and cacheDir resolved. */
  options: SolveOptions;
  gridType: GridType;
  inputs: RunInputs;
  /** See hash.ts: equal for every shard of one batch. */
  hash: string;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error from the system or solver layers, re-pointed at the model file. */
function relocate(doc: ModelDocument, e: unknown, base: KeyPath, keyFor: (where: string) => KeyPath | undefined): never {
  if (!isCubieError(e)) throw e;
  const where = typeof e.details.where === 'string' ? e.details.where : '';
  const keyPath = keyFor(where) ?? base;
  // A misspelt key is pointed at where it is written.
  const atKey = /^Unknown (key|option) /.test(e.message);
  throw modelError(doc, e.code, keyPath, e.message, { ...e.details }, atKey);
}

const IMPORTERS = {
  sbml: { label: 'SBML', fileKey: 'sbmlFile' },
  cellml: { label: 'CellML', fileKey: 'cellmlFile' },
} as const;

/**
 * `system: { sbml: FILE }` or `system: { cellml: FILE }` (and optionally
 * `name`): the system an SBML or CellML file describes, FILE relative to the
 * model file.
 */
function loadImportedSystem(doc: ModelDocument, value: Record<string, unknown>, kind: keyof typeof IMPORTERS): CubieSystem {
  const { label, fileKey } = IMPORTERS[kind];
  const extra = Object.keys(value).filter((k) => k !== kind && k !== 'name');
  if (extra.length > 0) throw modelError(doc, 'INVALID_SYSTEM', ['system', extra[0]], `a system read from ${label} takes only '${kind}' and 'name', not '${extra[0]}'`, {}, true);
  const given = value[kind];
  if (typeof given !== 'string' || given.trim() === '') throw modelError(doc, 'INVALID_SYSTEM', ['system', kind], `expected the path of an ${label} file, got ${describeValue(given)}`);
  const file = path.resolve(doc.dir, given);
  let xml: string;
  try {
    xml = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw modelError(doc, err.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_INPUT', ['system', kind], `cannot read ${label} file '${file}': ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
  try {
    const name = typeof value.name === 'string' ? { name: value.name } : {};
    const files = filesBeside(file);
    const definition = kind === 'sbml' ? importSbml(xml, { ...name, files }).definition : importCellml(xml, { ...name, files }).definition;
    return createSystem(definition);
  } catch (e) {
    if (!isCubieError(e)) throw e;
    throw modelError(doc, e.code, ['system', kind], `${path.basename(file)}: ${e.message}`, { ...e.details, [fileKey]: file });
  }
}

function loadSystem(doc: ModelDocument, value: unknown): CubieSystem {
  if (!isMapping(value)) throw modelError(doc, 'INVALID_SYSTEM', ['system'], `expected a mapping with 'equations' (and states, parameters, ...), got ${describeValue(value)}`);
  if ('sbml' in value && 'cellml' in value) throw modelError(doc, 'INVALID_SYSTEM', ['system', 'cellml'], "a system is read from one file: give 'sbml' or 'cellml', not both", {}, true);
  if ('sbml' in value) return loadImportedSystem(doc, value, 'sbml');
  if ('cellml' in value) return loadImportedSystem(doc, value, 'cellml');
  try {
    return systemFromObject(value);
  } catch (e) {
    return relocate(doc, e, ['system'], (where) => {
      // 'equation line 3' -> the equations entry (a list) or the equations text.
      const line = /^equation line (\d+)$/.exec(where);
      if (line) return Array.isArray(value.equations) && value.equations.length >= Number(line[1]) ? ['system', 'equations', Number(line[1]) - 1] : ['system', 'equations'];
      // 'events[0].then' -> ['events', 0, 'then'].
      const keys = where.split('.').flatMap((part) => part.split(/\[(\d+)\]/).filter((k) => k !== '').map((k) => (/^\d+$/.test(k) ? Number(k) : k)));
      return where && typeof keys[0] === 'string' && keys[0] in value ? ['system', ...keys] : undefined;
    });
  }
}

function inputColumns(doc: ModelDocument, system: CubieSystem, role: InputRole, given: unknown): InputColumn[] {
  const names = role === 'y0' ? system.states : system.parameters;
  const kind = role === 'y0' ? 'state' : 'parameter';
  if (given === undefined || given === null) given = {};
  if (!isMapping(given)) throw modelError(doc, 'INVALID_INPUT', [role], `expected a mapping from ${kind} names to values, got ${describeValue(given)}`);
  for (const key of Object.keys(given)) {
    if (!names.includes(key)) {
      throw modelError(doc, 'INVALID_INPUT', [role, key], `'${key}' is not a ${kind} of system '${system.name}' (${kind}s: ${names.join(', ') || 'none'})${didYouMean(key, names)}`, {}, true);
    }
  }
  const defaults: Readonly<Record<string, number | undefined>> = role === 'y0' ? system.stateDefaults : system.parameterDefaults;
  return names.map((name) => {
    if (Object.hasOwn(given, name)) {
      const values = readNumbers(doc, [role, name], given[name]);
      return { role, name, values: typeof values === 'number' ? Float64Array.of(values) : values };
    }
    const fallback = defaults[name];
    if (fallback === undefined) throw modelError(doc, 'INVALID_INPUT', [role], `parameter '${name}' has no default value in the system; give it here`);
    return { role, name, values: Float64Array.of(fallback) };
  });
}

function readDrivers(doc: ModelDocument, keyPath: KeyPath, value: unknown): DriverInput {
  if (!isMapping(value)) throw modelError(doc, 'INVALID_OPTION', keyPath, `expected a mapping of driver samples and settings (e.g. { I: [...], dt: 0.1 }), got ${describeValue(value)}`);
  const out: DriverInput = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'dt' || key === 't0' || key === 'order' || key === 'periodic') out[key] = v as never;
    else out[key] = readNumbers(doc, [...keyPath, key], v) as never;
  }
  return out;
}

function readOptions(doc: ModelDocument, system: CubieSystem, value: unknown): { options: SolveOptions; keyOf: Map<string, string> } {
  if (value === undefined || value === null) value = {};
  if (!isMapping(value)) throw modelError(doc, 'INVALID_OPTION', ['options'], `expected a mapping of solve options, got ${describeValue(value)}`);
  // The user's spelling of each option, to point at it in messages.
  const keyOf = new Map<string, string>();
  for (const key of Object.keys(value)) keyOf.set(canonicalOptionName(key) ?? key, key);
  for (const [name, key] of keyOf) {
    if (CODE_ONLY.has(name)) throw modelError(doc, 'INVALID_OPTION', ['options', key], `'${name}' takes a function and can only be given in code`);
  }
  const userPath = (where: string): KeyPath | undefined => {
    if (where.startsWith('options.')) return ['options', where.slice('options.'.length)];
    const [head, ...rest] = where.split('.');
    return keyOf.has(head) ? ['options', keyOf.get(head)!, ...rest] : undefined;
  };
  const gridType = keyOf.has('gridType') ? value[keyOf.get('gridType')!] : undefined;
  if (gridType !== undefined && gridType !== 'combinatorial' && gridType !== 'verbatim') {
    throw modelError(doc, 'INVALID_OPTION', ['options', keyOf.get('gridType')!], `expected 'combinatorial' (every combination, the default in model files) or 'verbatim' (lists paired element by element), got ${describeValue(gridType)}`);
  }
  let options: SolveOptions;
  try {
    options = normalizeOptions(value, 'options');
  } catch (e) {
    return relocate(doc, e, ['options'], userPath);
  }
  const drivers = options.drivers as unknown;
  if (drivers !== undefined) options.drivers = readDrivers(doc, ['options', keyOf.get('drivers') ?? 'drivers'], drivers);
  if (typeof options.cacheDir === 'string') options.cacheDir = path.resolve(doc.dir, options.cacheDir);
  try {
    const plan = compilePlan(system, options);
    runPlan(plan, options);
    toleranceArray(system, options, 'atol', plan.precision);
    toleranceArray(system, options, 'rtol', plan.precision);
    fitDrivers(system, options.drivers, plan.precision);
  } catch (e) {
    return relocate(doc, e, ['options'], userPath);
  }
  return { options, keyOf };
}

/** Reads, parses and checks a model file (or a CellML file, read as the model file imported-model.ts describes). */
export function loadModel(file: string): Model {
  const doc = IMPORTED_FILE.test(file) ? importedModelDocument(file) : readModelDocument(file);
  const top = doc.value;
  if (!isMapping(top)) throw modelError(doc, 'INVALID_INPUT', [], `a model file holds a mapping with keys ${TOP_KEYS.slice(0, 4).join(', ')}; got ${describeValue(top)}`);
  for (const key of Object.keys(top)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      throw modelError(doc, 'INVALID_INPUT', [key], `unknown key '${key}' (a model file has ${TOP_KEYS.join(', ')})${didYouMean(key, TOP_KEYS)}`, {}, true);
    }
  }
  if (top.system === undefined) throw modelError(doc, 'INVALID_INPUT', [], "missing 'system': the ODE system to solve (equations, states, parameters, ...)");
  if (top.description !== undefined && typeof top.description !== 'string') throw modelError(doc, 'INVALID_INPUT', ['description'], `expected text, got ${describeValue(top.description)}`);
  const system = loadSystem(doc, top.system);
  const columns = [...inputColumns(doc, system, 'y0', top.y0), ...inputColumns(doc, system, 'parameters', top.parameters)];
  const { options, keyOf } = readOptions(doc, system, top.options);
  const gridType: GridType = options.gridType ?? 'combinatorial';
  let inputs: RunInputs;
  try {
    inputs = new RunInputs(columns, gridType);
  } catch (e) {
    return relocate(doc, e, [], (where) => (where === 'gridType' ? ['options', keyOf.get('gridType') ?? 'gridType'] : where.split('.')));
  }
  return { file, description: top.description as string | undefined, system, options, gridType, inputs, hash: modelHash(system, inputs, options) };
}
