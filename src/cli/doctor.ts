import { cudaUnavailableReason } from '../backends/cuda/devices';
import { probe, Probe } from '../backends/probe';

function line(ok: boolean, label: string, text: string): string {
  return `${ok ? 'ok  ' : '--  '}${label.padEnd(14)}${text}`;
}

/**
 * The probe as lines of text. `cudaReason`: why the CUDA backend cannot run
 * here although a driver, a GPU and NVRTC are present (driver too old for the
 * NVRTC, a GPU the NVRTC cannot build for), as the solver would decide.
 */
export function formatProbe(p: Probe, cudaReason?: string): string {
  const out: string[] = [];
  out.push(
    line(p.nvrtc.available, 'NVRTC', p.nvrtc.available ? `${p.nvrtc.version} at ${p.nvrtc.path}` : `unavailable: ${p.nvrtc.error ?? ''}`),
  );
  if (!p.nvrtc.available) out.push(`    searched:\n${p.nvrtc.searched.map((s) => `      ${s}`).join('\n')}`);
  out.push(
    line(p.driver.available, 'CUDA driver', p.driver.available ? `${p.driver.version} at ${p.driver.path}` :
      `unavailable${p.driver.version ? ` (driver ${p.driver.version})` : ''}: ${p.driver.error ?? ''}`),
  );
  if (p.devices.length === 0) out.push(line(false, 'GPUs', 'none'));
  for (const d of p.devices) {
    out.push(line(true, `GPU ${d.index}`, `${d.name}, compute ${d.computeCapability}, ${(d.memoryBytes / 2 ** 30).toFixed(1)} GiB`));
  }
  out.push(
    line(p.hostCompiler.available, 'C++ compiler', p.hostCompiler.available ? `${p.hostCompiler.version} (${p.hostCompiler.path})` :
      `unavailable: ${p.hostCompiler.error ?? ''}`),
  );
  const present = p.nvrtc.available && p.driver.available && p.devices.length > 0;
  const cuda = present && cudaReason === undefined;
  if (present && cudaReason !== undefined) out.push(line(false, 'CUDA backend', cudaReason));
  out.push('');
  out.push(`backend 'auto' will use: ${cuda ? 'cuda' : p.hostCompiler.available ? 'cpu' : 'nothing (install a C++ compiler or CUDA)'}`);
  return out.join('\n');
}

/** `cubie doctor [--json]`: what this machine offers cubie. Exit 0 when some backend works. */
export async function doctor(args: string[]): Promise<number> {
  const p = await probe();
  const present = p.nvrtc.available && p.driver.available && p.devices.length > 0;
  const cudaReason = present ? await cudaUnavailableReason() : undefined;
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify({ ...p, cudaBackend: { usable: present && cudaReason === undefined, reason: cudaReason } }, null, 2) + '\n');
  } else {
    process.stdout.write(formatProbe(p, cudaReason) + '\n');
  }
  const usable = (present && cudaReason === undefined) || p.hostCompiler.available;
  return usable ? 0 : 1;
}
