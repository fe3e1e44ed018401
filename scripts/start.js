#!/usr/bin/env node
'use strict';
// `npm start`: the Lorenz example (a sweep of rho) solved with the command line
// on the default backend, its arrays and picture written to ./cubie-demo/.
//
//   node scripts/start.js [FOLDER]
//
// What it runs is printed first, so that it can be copied and changed.

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const bin = path.join(root, 'bin', 'cubie.js');
const model = path.join(root, 'examples', 'lorenz.yaml');
const folder = path.resolve(process.argv[2] || 'cubie-demo');

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('cubie is not built yet: run `npm run build:ts` (or `npm install`) first.');
  process.exit(1);
}

// Paths as one would type them: relative inside the working folder, absolute outside it.
const relative = (p) => {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
};
const args = ['run', relative(model), '--out', relative(path.join(folder, 'lorenz.npy')), '--plot', relative(path.join(folder, 'lorenz.svg'))];
console.log(`$ cubie ${args.join(' ')}\n`);
const run = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status === null ? 1 : run.status);

console.log(`
The results are in ${folder}:
  lorenz.npy            x, y, z of every run over time, shape [nTimes, 3, nRuns]:
                        python3 -c "import numpy; print(numpy.load('${relative(path.join(folder, 'lorenz.npy'))}').shape)"
  lorenz.summaries.npy  max and mean of z per 10-time-unit window, [nWindows, 2, nRuns]
  lorenz.status.npy     0 for every run that finished
  lorenz.json           legends, save times, the rho of every run, the settings
  lorenz.svg            the picture: trajectories for five values of rho, and z.max against rho
Draw it again, or another result, with: cubie plot ${relative(path.join(folder, 'lorenz.npy'))}`);
