/**
 * cubie's warnings go through process.emitWarning so that users can route
 * or silence them the Node way (`--no-warnings`, process.on('warning')).
 * `once` keys stop a repeated condition (a bad cache dir, say) from flooding.
 */
const seen = new Set<string>();

export function warn(message: string, code: string, onceKey?: string): void {
  if (onceKey !== undefined) {
    if (seen.has(onceKey)) return;
    seen.add(onceKey);
  }
  process.emitWarning(message, { type: 'CubieWarning', code });
}
