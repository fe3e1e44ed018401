/** `cubie merge SHARD_FILE... --out FILE`: shard results joined into the unsharded result. */
import * as fs from 'fs';
import { mergeShards } from '../files/merge';
import { describeStatus, describeTerminated, terminatedRuns } from '../files/status';
import { parseArgs, usageError } from './args';
import { createReporter, displayPath, formatBytes } from './report';

export const MERGE_USAGE = `usage: cubie merge SHARD_FILE... --out FILE [--json]

Joins the results of 'cubie run --shard I/N --out ...' (name each shard by any of its files,
e.g. out/sweep.shard-*.npy) into the files one unsharded run writes. The shards must come
from the same model and settings (the model hash in their sidecars) and cover every run once.
`;

const FLAGS = { '--out': 'value', '--json': 'switch', '--quiet': 'switch', '--help': 'switch' } as const;

export async function merge(args: string[]): Promise<number> {
  const parsed = parseArgs('merge', args, FLAGS);
  if (parsed.switches.has('--help')) {
    process.stdout.write(MERGE_USAGE);
    return 0;
  }
  const out = parsed.values.get('--out');
  if (out === undefined) throw usageError('merge', 'say where the merged result goes: --out FILE.npy (or .csv)', '--out');
  if (parsed.positional.length === 0) throw usageError('merge', 'name the shard files to merge, e.g. cubie merge out/sweep.shard-*.npy --out sweep.npy');
  const reporter = createReporter(parsed.switches.has('--json') ? 'json' : parsed.switches.has('--quiet') ? 'quiet' : 'human');
  const report = mergeShards(parsed.positional, out);
  reporter.line('merged', `${report.shards} shard${report.shards === 1 ? '' : 's'}, ${report.nRuns} runs`);
  reporter.line('failed', describeStatus(report.sidecar.status, report.nRuns));
  const terminal = describeTerminated(report.sidecar.status, report.nRuns);
  if (terminal) reporter.line('terminal', terminal);
  report.files.forEach((file, i) => reporter.line(i === 0 ? 'wrote' : '', `${displayPath(file)} (${formatBytes(fs.statSync(file).size)})`));
  reporter.event({ event: 'done', shards: report.shards, nRuns: report.nRuns, status: report.sidecar.status, terminatedRuns: terminatedRuns(report.sidecar.status), outputs: report.files });
  return 0;
}
