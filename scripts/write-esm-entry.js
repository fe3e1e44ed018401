// Writes dist/index.mjs: an ES module facade over the CommonJS build, so that
// `import { solveIvp } from 'cubie'` and `require('cubie')` share one instance.
'use strict';
const fs = require('fs');
const path = require('path');

const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== 'default' && n !== '__esModule');
const text =
  "import cubie from './index.js';\n" +
  names.map((n) => `export const ${n} = cubie.${n};`).join('\n') +
  '\nexport default cubie;\n';
fs.writeFileSync(path.join(dist, 'index.mjs'), text);
