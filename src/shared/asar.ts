/**
 * Electron packs an app's files into an archive, `resources/app.asar`.
 * Electron's own `fs` and `require` read inside it, but a host compiler
 * (`-I`) and `dlopen` cannot, so packagers copy the files those need
 * (electron-builder's `asarUnpack`) to `app.asar.unpacked`, next to the
 * archive, at the same relative path. cubie reads its addon and its kernel
 * headers from there.
 */
import * as fs from 'fs';

/** A path segment naming an archive: `…/app.asar/…` (not `app.asar.unpacked`). */
const ARCHIVE = /([\\/][^\\/]+\.asar)(?=[\\/]|$)/;

/** Whether a path lies inside an asar archive. */
export function insideAsar(p: string): boolean {
  return ARCHIVE.test(p);
}

/**
 * The path with its archive `x.asar` replaced by `x.asar.unpacked`, when
 * that exists; otherwise the path unchanged (also outside any archive).
 */
export function unpackedPath(p: string, exists: (p: string) => boolean = fs.existsSync): string {
  if (!ARCHIVE.test(p)) return p;
  const unpacked = p.replace(ARCHIVE, '$1.unpacked');
  return exists(unpacked) ? unpacked : p;
}
