/**
 * NVRTC only compiles device functions that something calls: one small
 * kernel per generated namespace calls all five functions, writing to
 * global memory so nothing is optimized away.
 */
import type { Precision } from '../../../src/system';

export function probeKernels(namespaces: readonly string[], precision: Precision): string {
  const real = precision === 'float32' ? 'float' : 'double';
  return namespaces
    .map((ns) => [
      `extern "C" __global__ void probe_${ns}(${real}* mem) {`,
      `  const ${real}* y = mem; const ${real}* p = mem + 256; const ${real}* d = mem + 512; const ${real}* v = mem + 768;`,
      `  ${real} t = mem[1024];`,
      `  ${real}* out = mem + 2048;`,
      `  ${ns}::dxdt(y, p, d, t, out);`,
      `  ${ns}::observables(y, p, d, t, out + 256);`,
      `  ${ns}::jacobian(y, p, d, t, out + 512);`,
      `  ${ns}::jvp(y, p, d, t, v, out + 8192);`,
      `  ${ns}::dfdt(y, p, d, v, t, out + 8448);`,
      '}',
    ].join('\n'))
    .join('\n');
}
