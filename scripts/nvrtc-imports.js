#!/usr/bin/env node
/**
 * Compiles the kernel of every imported model with NVRTC to PTX (no GPU
 * needed): the GPU half of "the same source builds on both backends", for the
 * models the import tests otherwise only solve on the CPU.
 *
 *   node scripts/nvrtc-imports.js --sbml ../shared/sbml-test-suite/semantic
 *   node scripts/nvrtc-imports.js --cellml test/fixtures/cellml/chaste
 *     [--methods rodas4,tsit5] [--arch 80]
 *
 * SBML: every case folder's newest SBML file that imports (refused ones are
 * counted, not compiled); CellML: every .cellml file. Prints each failure
 * with NVRTC's first error lines and the totals; exit status 1 when any
 * kernel fails to compile. Needs `npm run build:ts` and NVRTC (CUBIE_NVRTC_PATH,
 * else the copy `npm run fetch-nvrtc` keeps in .nvrtc/).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { localCopy } = require('./fetch-nvrtc.js');

// The NVRTC `npm run fetch-nvrtc` put in .nvrtc/, unless one is named (as the tests do).
if (!process.env.CUBIE_NVRTC_PATH && localCopy()) process.env.CUBIE_NVRTC_PATH = localCopy();
const cubie = require('../dist');
const { generateKernel } = require('../dist/codegen/generate');
const { compileImage } = require('../dist/backends/cuda/build');

function parseArgs(argv) {
  const args = { methods: ['rodas4', 'tsit5'], arch: 80 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sbml' || a === '--cellml') args[a.slice(2)] = argv[++i];
    else if (a === '--methods') args.methods = argv[++i].split(',');
    else if (a === '--arch') args.arch = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.sbml && !args.cellml) throw new Error('usage: node scripts/nvrtc-imports.js --sbml CASES_DIR | --cellml DIR [--methods a,b] [--arch 80]');
  return args;
}

/** [name, () => system definition] for each model; a refused import throws when called. */
function models(args) {
  if (args.sbml) {
    return fs.readdirSync(args.sbml).filter((d) => /^\d{5}$/.test(d)).sort().map((d) => [d, () => {
      const xml = fs.readdirSync(path.join(args.sbml, d)).filter((f) => f.endsWith('.xml')).sort().pop();
      return cubie.importSbml(fs.readFileSync(path.join(args.sbml, d, xml), 'utf8')).system;
    }]);
  }
  return fs.readdirSync(args.cellml).filter((f) => f.endsWith('.cellml')).sort().map((f) => [f, () => cubie.importCellml(fs.readFileSync(path.join(args.cellml, f), 'utf8')).system]);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let compiled = 0;
  let failed = 0;
  let refused = 0;
  for (const [name, definition] of models(args)) {
    let system;
    try {
      system = cubie.createSystem(definition());
    } catch (e) {
      if (!cubie.isCubieError(e)) throw e;
      refused++;
      continue;
    }
    for (const method of args.methods) {
      try {
        const { source } = generateKernel(system, { method });
        await compileImage(source, system.name, { kind: 'ptx', arch: args.arch });
        compiled++;
      } catch (e) {
        failed++;
        const lines = String(e.message).split('\n').filter((l) => /error/.test(l)).slice(0, 3);
        console.log(`FAIL ${name} ${method}: ${e.code ?? ''} ${lines.join(' | ')}`);
      }
    }
  }
  console.log(`${compiled} kernels compiled to PTX (sm_${args.arch}), ${failed} failed; ${refused} models not imported`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
