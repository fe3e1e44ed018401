/** Loading the native addon; ./surface declares what it exports. */
import * as path from 'path';
import { insideAsar, unpackedPath } from '../shared/asar';
import { CubieError } from '../shared/errors';
import type { NativeAddon, NativeError } from './surface';

/**
 * Where node-gyp-build looks for the addon (build/ or prebuilds/): cubie's
 * own folder, or, inside an Electron app.asar, the same folder under
 * app.asar.unpacked when the addon was unpacked there (dlopen cannot read an
 * archive).
 */
export const packageRoot = addonRoot(path.resolve(__dirname, '..', '..'));

function addonRoot(root: string): string {
  for (const folder of ['build', 'prebuilds']) {
    const unpacked = unpackedPath(path.join(root, folder));
    if (unpacked !== path.join(root, folder)) return path.dirname(unpacked);
  }
  return root;
}

let addon: NativeAddon | undefined;
let loadError: Error | undefined;

/**
 * The addon is loaded on first use, never at require time, so that
 * `require('cubie')` works even where no build of the addon fits.
 */
export function nativeAddon(): NativeAddon {
  if (addon !== undefined) return addon;
  if (loadError === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const load = require('node-gyp-build') as (dir: string) => NativeAddon;
      addon = load(packageRoot);
      return addon;
    } catch (e) {
      loadError = e as Error;
    }
  }
  throw new CubieError(
    'NATIVE_ADDON_MISSING',
    `cubie's native addon could not be loaded from ${packageRoot} (no prebuild fits and no local build was found): ` +
      `${loadError?.message}. Rebuild it with \`npm rebuild cubie\` (needs a C++ compiler and Python for node-gyp).` +
      (insideAsar(packageRoot) ? ' In an Electron app, unpack it from app.asar (electron-builder: asarUnpack "**/node_modules/cubie/build/**").' : ''),
  );
}

/** Turns an error rejected by the addon (an Error with `code`/`log`) into a CubieError. */
export function fromNativeError(e: unknown, context: string): CubieError {
  if (e instanceof CubieError) return e;
  const err = (e ?? {}) as NativeError;
  const code = (err.code ?? 'INTERNAL') as ConstructorParameters<typeof CubieError>[0];
  return new CubieError(code, `${context}: ${err.message ?? String(e)}`, err.log ? { log: err.log } : {});
}
