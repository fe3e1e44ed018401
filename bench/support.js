'use strict';
// The small helpers the bench tables share: environment parsing, sampling,
// timing statistics, number formatting, the plain-text table and progress lines.

// Every table, run alone or through bench/run.js, uses the NVRTC the tests
// fetched (scripts/fetch-nvrtc.js) unless CUBIE_NVRTC_PATH names one.
if (!process.env.CUBIE_NVRTC_PATH) {
  const local = require('../scripts/fetch-nvrtc.js').localCopy();
  if (local) process.env.CUBIE_NVRTC_PATH = local;
}

/** An integer from the environment, or fallback when unset or blank; throws outside [min, max]. */
function intEnv(name, fallback, min, max = Infinity) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${name} must be an integer ${range} (got '${raw}')`);
  }
  return value;
}

/** Evenly spaced indices into 0..n-1, first and last included. */
function sampleIndices(n, count) {
  const k = Math.min(n, count);
  if (k === 1) return [0];
  return Array.from({ length: k }, (_, j) => Math.round((j * (n - 1)) / (k - 1)));
}

const nowS = () => Number(process.hrtime.bigint()) / 1e9;
const best = (xs) => Math.min(...xs);
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const fmtInt = (n) => n.toLocaleString('en-US');
function fmtUs(us) {
  if (!Number.isFinite(us)) return 'n/a';
  if (us >= 1000) return fmtInt(Math.round(us));
  if (us >= 100) return us.toFixed(0);
  if (us >= 10) return us.toFixed(1);
  return us.toFixed(2);
}
function fmtRatio(r) {
  if (!Number.isFinite(r)) return 'n/a';
  if (r >= 100) return `${fmtInt(Math.round(r))}x`;
  if (r >= 10) return `${r.toFixed(1)}x`;
  return `${r.toFixed(2)}x`;
}

/** Columns padded to width, two spaces apart, align[c] 'l' or 'r'; a dashed rule under the header. */
function table(header, rows, align) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) =>
    cells.map((cell, c) => (align[c] === 'l' ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A progress(message) that writes `  [tag] message` to stderr when it is a TTY or CUBIE_BENCH_VERBOSE is set. */
function progressFor(tag) {
  return (message) => {
    if (process.stderr.isTTY || process.env.CUBIE_BENCH_VERBOSE) process.stderr.write(`  [${tag}] ${message}\n`);
  };
}

/** `node bench/NAME.js` on its own: runs that table's `run()` and prints it (bench/run.js runs them all). */
function printTable(run) {
  run().then(
    ({ text }) => console.log(text),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

module.exports = { intEnv, sampleIndices, nowS, best, median, mean, fmtInt, fmtUs, fmtRatio, table, progressFor, printTable };
