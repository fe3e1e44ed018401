#!/usr/bin/env node
'use strict';
// Draws an ensemble result of `cubie run` (replicates + ensembleOutputs with
// mean and std, npy output) as one panel per variable: the mean over time
// and a mean ± std band, one colour per input combination. `cubie plot`
// draws per-run series and refuses these results, so the band lives here,
// on the same vega-lite renderer (dist/cli/vega.js; run npm run build:ts).
//
//   node scripts/plot-ensemble.js RESULT.json OUT.svg

const fs = require('fs');
const path = require('path');
const { readNpy } = require('../dist/files/npy');
const { readSidecar, resolveFromSidecar } = require('../dist/files/sidecar');
const { renderSvg } = require('../dist/cli/vega');
const { RunInputs } = require('../dist/files/run-inputs');

async function main([result, out]) {
  if (!result || !out) throw new Error('usage: node scripts/plot-ensemble.js RESULT.json OUT.svg');
  const sidecar = readSidecar(result);
  const ensemble = sidecar.ensemble;
  if (!ensemble || sidecar.output.format !== 'npy') throw new Error(`${result}: not an npy ensemble result (cubie run with ensembleOutputs and --out NAME.npy)`);
  const { data, header } = readNpy(resolveFromSidecar(result, ensemble.file));
  const [nTimes, nLegend, nComb] = header.shape;
  const variables = [...new Set(ensemble.legend.map((l) => l.slice(0, l.lastIndexOf('.'))))];
  const column = (name) => ensemble.legend.indexOf(name);
  for (const v of variables) {
    if (column(`${v}.mean`) < 0 || column(`${v}.std`) < 0) throw new Error(`${result}: the band needs ensembleOutputs mean and std (legend: ${ensemble.legend.join(', ')})`);
  }
  // The combinations' labels from the swept inputs of the sidecar (e.g. "k_m = 2").
  const inputs = RunInputs.fromJSON(sidecar.inputs);
  const label = (c) => inputs.swept.map((col) => `${col.name} = ${inputs.value(c, col)}`).join(', ') || `combination ${c}`;
  const rows = [];
  for (let k = 0; k < nTimes; k++) {
    for (const v of variables) {
      for (let c = 0; c < nComb; c++) {
        const mean = data[(k * nLegend + column(`${v}.mean`)) * nComb + c];
        const std = data[(k * nLegend + column(`${v}.std`)) * nComb + c];
        rows.push({ time: sidecar.time[k], variable: v, combination: label(c), mean, lo: mean - std, hi: mean + std });
      }
    }
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `${sidecar.system.name}: mean ± std over ${ensemble.replicates} replicates`, subtitle: sidecar.model.file },
    data: { values: rows },
    facet: { column: { field: 'variable', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 320,
      height: 220,
      layer: [
        { mark: { type: 'area', opacity: 0.25 }, encoding: { x: { field: 'time', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative', title: 'value' }, y2: { field: 'hi' }, color: { field: 'combination', type: 'nominal' } } },
        { mark: 'line', encoding: { x: { field: 'time', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' }, color: { field: 'combination', type: 'nominal' } } },
      ],
    },
  };
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  // Written under a partial name and renamed: an interrupted render leaves no SVG.
  const partial = `${out}.partial-${process.pid}`;
  fs.writeFileSync(partial, await renderSvg(spec));
  fs.renameSync(partial, out);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`plot-ensemble: ${e.message}`);
  process.exitCode = 1;
});
