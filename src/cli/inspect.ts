/**
 * `cubie inspect FILE`: what cubie understood of a CellML (.cellml) or SBML
 * (.xml, .sbml) file: its states with initial values, parameters with
 * values, the equations as cubie text, the time units and the import's
 * warnings. A way to learn the names (component_variable for CellML) before
 * writing a model file that sweeps them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CubieError } from '../shared/errors';
import { parseArgs, usageError } from './args';

export const INSPECT_USAGE = `usage: cubie inspect FILE [--json]

Prints the states, parameters and equations cubie imports from a CellML (.cellml) or SBML (.xml) file.
  --json   the same as JSON
`;

const FLAGS = { '--json': 'switch', '--help': 'switch' } as const;

export async function inspect(args: string[]): Promise<number> {
  const parsed = parseArgs('inspect', args, FLAGS);
  if (parsed.switches.has('--help')) {
    process.stdout.write(INSPECT_USAGE);
    return 0;
  }
  if (parsed.positional.length !== 1) throw usageError('inspect', 'give one CellML or SBML file: cubie inspect FILE');
  const file = parsed.positional[0];
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.cellml' && ext !== '.xml' && ext !== '.sbml') throw usageError('inspect', `'${file}' is not a .cellml, .xml or .sbml file`);
  let xml: string;
  try {
    xml = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CubieError(err.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_INPUT', `cannot read '${file}': ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { where: file });
  }
  const { importCellml } = await import('../import/cellml');
  const { importSbml } = await import('../import/sbml');
  const { filesBeside } = await import('../files/imported-model');
  const files = filesBeside(file);
  const model = ext === '.cellml' ? importCellml(xml, { files }) : importSbml(xml, { files });
  const hints = 'options' in model ? model.options : {};
  const summary = {
    name: model.system.name, timeUnits: model.timeUnits, states: model.y0, parameters: model.parameters,
    equations: model.system.equations, options: hints, warnings: model.warnings,
  };
  if (parsed.switches.has('--json')) {
    process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
    return 0;
  }
  const lines = [
    `system ${summary.name}${summary.timeUnits !== undefined ? ` (time in ${summary.timeUnits})` : ''}`,
    `states (${Object.keys(model.y0).length}):`, ...Object.entries(model.y0).map(([k, v]) => `  ${k} = ${v}`),
    `parameters (${Object.keys(model.parameters).length}):`, ...Object.entries(model.parameters).map(([k, v]) => `  ${k} = ${v}`),
    'equations:', ...(model.system.equations as string[]).map((l) => `  ${l}`),
    ...(Object.keys(hints).length > 0 ? [`suggested options: ${JSON.stringify(hints)}`] : []),
    ...(model.warnings.length > 0 ? ['warnings:', ...model.warnings.map((w) => `  ${w}`)] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
