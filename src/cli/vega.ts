/**
 * SVG from a Vega-Lite specification with vega and vega-lite, rendered
 * headless (no canvas, no browser).
 */
import { CubieError } from '../shared/errors';

/**
 * vega 6 and vega-lite 6 are ES modules with top-level await, which
 * `require()` cannot load. TypeScript compiling to CommonJS rewrites
 * `import()` into `require()`, so the import is built at run time where the
 * compiler cannot see it, and stays a real dynamic import.
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  let vega, vegaLite;
  try {
    [vega, vegaLite] = await Promise.all([importEsm('vega'), importEsm('vega-lite')]);
  } catch (e) {
    throw new CubieError('INTERNAL', `plotting needs the vega and vega-lite packages, which could not be loaded: ${(e as Error).message}`, { where: 'plot' });
  }
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
