#!/usr/bin/env node
// Compiles kernels to CUBIN with one named NVRTC library, in a process of its
// own: cubie loads one NVRTC per process, and the sm_70 checks need NVRTC 12
// beside the NVRTC 13 the rest of the suite uses. Reads JSON on stdin,
//   { "nvrtc": "/path/libnvrtc.so.12",
//     "jobs": [{ "name": "k.cu", "source": "...", "headers": {"cubie/x.h": "..."},
//                "options": ["--std=c++17"], "arch": 70 }] }
// and writes JSON on stdout: the NVRTC version and, per job, ptxas's
// registers, spill stores and loads, and stack frame, or the error and log.
// Used by test/cuda/sm70.test.ts and bench/cuda-registers.js.
'use strict';
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');

function ptxasReport(log) {
  const registers = /Used (\d+) registers/.exec(log);
  const spills = /(\d+) bytes spill stores, (\d+) bytes spill loads/.exec(log);
  const stack = /(\d+) bytes stack frame/.exec(log);
  if (!registers || !spills) return undefined;
  return { registers: Number(registers[1]), spillStores: Number(spills[1]), spillLoads: Number(spills[2]), stack: stack ? Number(stack[1]) : 0 };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const { nvrtc, jobs } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const addon = require('node-gyp-build')(root);
  const state = addon.nvrtcLoad([nvrtc]);
  if (!state.available) {
    const why = state.attempts.map((a) => `${a.path}: ${a.error}`).join('; ');
    process.stdout.write(JSON.stringify({ available: false, error: `NVRTC did not load: ${why}` }));
    return;
  }
  const results = new Array(jobs.length);
  let next = 0;
  // NVRTC compiles on the addon's worker threads; a few at a time keeps every core busy.
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      const headers = job.headers || {};
      try {
        const { cubin, log } = await addon.nvrtcCompile({
          source: job.source,
          name: job.name,
          headerNames: Object.keys(headers),
          headerSources: Object.values(headers),
          options: [...(job.options || []), `-arch=sm_${job.arch}`, '--ptxas-options=-v'],
          target: 'cubin',
        });
        const elf = cubin && cubin.length > 4 && cubin.readUInt32BE(0) === 0x7f454c46;
        results[i] = { name: job.name, ok: Boolean(elf), ...ptxasReport(log), log: elf ? undefined : log };
      } catch (e) {
        results[i] = { name: job.name, ok: false, error: e.message, log: e.log };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  process.stdout.write(JSON.stringify({ available: true, version: state.version, path: state.path, archs: state.archs, results }));
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exitCode = 1;
});
