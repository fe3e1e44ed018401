/**
 * The layers of src/, bottom to top, and what each folder may import: the
 * one statement of the architecture (docs/architecture.md draws it). Each
 * folder may import itself and the folders listed; nothing else, type-only
 * imports included. `npm test` runs these rules (test/architecture).
 */
const LAYERS = {
  shared: [],
  native: ['shared'],
  system: ['shared'],
  methods: ['shared'],
  summaries: ['shared'],
  cache: ['shared', 'native'],
  options: ['shared', 'cache'],
  import: ['shared', 'system'],
  codegen: ['shared', 'system', 'methods', 'summaries', 'options'],
  backends: ['shared', 'native', 'cache', 'options', 'codegen'],
  solver: ['shared', 'system', 'methods', 'summaries', 'options', 'codegen', 'backends'],
  files: ['shared', 'system', 'import', 'summaries', 'options', 'codegen', 'backends', 'solver'],
  cli: ['shared', 'native', 'system', 'import', 'methods', 'summaries', 'cache', 'options', 'codegen', 'backends', 'solver', 'files'],
};

const folderRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  name: `layer-${folder}`,
  comment: `src/${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'itself'}`,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: '^src/', pathNot: `^src/(${[folder, ...allowed].join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...folderRules,
    {
      name: 'entry-on-top',
      comment: 'src/index.ts is the public entry: nothing inside src/ imports it, and it is the only module outside a folder',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default'] },
    exclude: { path: '^(dist|node_modules)/' },
  },
};

// Not part of dependency-cruiser's schema: read by test/architecture and docs.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
