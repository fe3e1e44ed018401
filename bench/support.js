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

/** A comma-separated list from the environment variable `name`, else `fallback`. */
function listEnv(name, fallback) {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.split(',').map((s) => s.trim());
}

/**
 * The IVP Test Set's BRUSS (a Brusselator reaction-diffusion chain) with
 * `cells` grid points, 2 cells states; c = alpha (cells+1)^2 is the swept
 * parameter. Products are written out (u*u, not u^2): no math function, so
 * SIMD lanes and the scalar engine agree bit for bit.
 */
function brusselator(cells) {
  const equations = [];
  const states = {};
  const u = (i) => (i < 0 || i >= cells ? '1' : `u${i}`);
  const v = (i) => (i < 0 || i >= cells ? '3' : `v${i}`);
  for (let i = 0; i < cells; i++) {
    equations.push(`du${i} = 1 + u${i}*u${i}*v${i} - 4*u${i} + c*(${u(i - 1)} - 2*u${i} + ${u(i + 1)})`);
    equations.push(`dv${i} = 3*u${i} - u${i}*u${i}*v${i} + c*(${v(i - 1)} - 2*v${i} + ${v(i + 1)})`);
    states[`u${i}`] = 1 + Math.sin((2 * Math.PI * (i + 1)) / (cells + 1));
    states[`v${i}`] = 3;
  }
  return { name: `bruss${2 * cells}`, equations: equations.join('\n'), states, parameters: { c: (cells + 1) ** 2 / 50 } };
}

/** Whether two SolveResults have the same saved values, counters and statuses, bit for bit. */
function identical(a, b) {
  if (a.timeDomain.length !== b.timeDomain.length) return false;
  for (let i = 0; i < a.timeDomain.length; i++) if (!Object.is(a.timeDomain[i], b.timeDomain[i])) return false;
  for (const name of Object.keys(a.iterationCounters ?? {})) {
    const x = a.iterationCounters[name], y = b.iterationCounters[name];
    for (let r = 0; r < x.length; r++) if (x[r] !== y[r]) return false;
  }
  return Array.from(a.status).every((s, r) => s === b.status[r]);
}

module.exports = { identical, listEnv, brusselator, intEnv, sampleIndices, nowS, best, median, mean, fmtInt, fmtUs, fmtRatio, table, progressFor, printTable };
