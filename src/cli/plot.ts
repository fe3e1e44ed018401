/** `cubie plot RESULT`: the first picture of a result on disk, as SVG. */
import * as fs from 'fs';
import * as path from 'path';
import { readSidecar, sidecarPathFor } from '../files/sidecar';
import { CubieError } from '../shared/errors';
import { parseArgs, usageError } from './args';
import { loadPlotData, PlotChoices, PlotData } from './plot-data';
import { EnsemblePlotData, ensembleSpec, loadEnsemblePlotData } from './plot-ensemble';
import { plotSpec } from './plot-spec';
import { displayPath } from './report';
import { renderSvg } from './vega';

export const PLOT_USAGE = `usage: cubie plot RESULT [options]

Draws a result written by 'cubie run --out' (name any of its files): a few trajectories over
time and, for a sweep of one or two inputs, a summary against the inputs (line or heat map).
An ensemble result (replicates with ensembleOutputs) is drawn as the mean over time with a
mean ± std band (and the min..max range) for a few input combinations; one that has per-run
series too is drawn as runs unless --ensemble is given.

options:
  --out FILE.svg        where to write the picture (default: the result's name with .svg)
  --variables x,z       variables to draw over time (default: the first four saved)
  --summary NAME        summary column to draw against the inputs, e.g. z.max (default: the first;
                        without summaries, 'events' (events per run) for a result with event
                        records, else the maximum over time of the first variable shown)
  --ensemble            for a result with per-run series and ensemble statistics: draw the statistics
  --spec                print the Vega-Lite specification instead of rendering it
`;

const FLAGS = { '--out': 'value', '--variables': 'value', '--summary': 'value', '--ensemble': 'switch', '--spec': 'switch', '--help': 'switch' } as const;

/** Renders a picture (per-run or ensemble) to an SVG file (its folder is created). */
export async function writePlot(data: PlotData | EnsemblePlotData, file: string): Promise<void> {
  const svg = await renderSvg(specOf(data));
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // Under a partial name, then renamed: an interrupted write leaves no torn picture.
  const partial = `${file}.partial-${process.pid}`;
  try {
    fs.writeFileSync(partial, svg);
    fs.renameSync(partial, file);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  }
}

function specOf(data: PlotData | EnsemblePlotData): Record<string, unknown> {
  return 'bands' in data ? ensembleSpec(data) : plotSpec(data);
}

/**
 * What a result on disk is drawn as: its runs, or its ensemble statistics
 * (a result that has only those, or with --ensemble).
 */
async function loadPicture(file: string, choices: PlotChoices, ensemble: boolean): Promise<PlotData | EnsemblePlotData> {
  const sidecar = readSidecar(file);
  if (ensemble && sidecar.ensemble === undefined) throw new CubieError('INVALID_OPTION', `--ensemble: ${file} has no ensemble statistics (run it with replicates and ensembleOutputs)`, { where: '--ensemble', usage: true });
  if (sidecar.ensemble === undefined || (sidecar.output.timeDomain !== null && !ensemble)) return loadPlotData(file, choices);
  const partial = sidecar.ensemble.partial;
  if (partial && sidecar.shard) {
    throw new CubieError('UNSUPPORTED', `${file} is shard ${sidecar.shard.index}/${sidecar.shard.count}, which holds the moments of its replicates of combinations ${partial.combinations.first}..${partial.combinations.end - 1}, not statistics; merge the shards (cubie merge) and draw the merged result`, { where: file, file });
  }
  return loadEnsemblePlotData(file, sidecar, choices);
}

export async function plot(args: string[]): Promise<number> {
  const parsed = parseArgs('plot', args, FLAGS);
  if (parsed.switches.has('--help')) {
    process.stdout.write(PLOT_USAGE);
    return 0;
  }
  if (parsed.positional.length !== 1) throw usageError('plot', parsed.positional.length === 0 ? 'name the result to draw: cubie plot RESULT.npy' : `one result at a time (got ${parsed.positional.join(', ')})`);
  const result = parsed.positional[0];
  const out = parsed.values.get('--out') ?? sidecarPathFor(result).replace(/\.json$/i, '.svg');
  if (path.extname(out).toLowerCase() !== '.svg') throw usageError('plot', `--out ${out}: the picture is an SVG file; name it *.svg`, '--out');
  const variables = parsed.values.get('--variables')?.split(',').map((v) => v.trim()).filter(Boolean);
  const data = await loadPicture(result, { variables, summary: parsed.values.get('--summary') }, parsed.switches.has('--ensemble'));
  if (parsed.switches.has('--spec')) {
    process.stdout.write(JSON.stringify(specOf(data), null, 2) + '\n');
    return 0;
  }
  await writePlot(data, out);
  process.stdout.write(`${displayPath(out)}\n`);
  return 0;
}
