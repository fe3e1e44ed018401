/** Ages and sizes as users write them: 7d, 12h, 30m; 500M, 2G. */

const AGE_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const BYTE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Milliseconds from a number (already ms) or a string such as '7d', '12h', '30m', '45s', '1500ms' or '1500'. */
export function parseAgeMs(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * AGE_UNITS[(m[2] ?? 'ms').toLowerCase()];
  return ms > 0 ? ms : undefined;
}

/** Bytes from a number or a string such as '1048576', '500M', '2G', '1.5GiB', '64kb' (units are binary). */
export function parseBytes(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * BYTE_UNITS[m[2].toLowerCase()]);
  return bytes > 0 ? bytes : undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
