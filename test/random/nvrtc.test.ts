/**
 * kernel/cubie/random.h and brownian.h compile with NVRTC as device code in
 * both precisions (a probe kernel calls every entry point, the kept descent
 * (brownian_stack) too, so nothing is left uninstantiated), and float32 code
 * does no double arithmetic.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileCuda } from '../../src/native/nvrtc';
import { itNvrtc } from '../support/nvrtc';
import { KERNEL_INCLUDE } from '../system/support/gxx';

const HEADERS = ['cubie/platform.h', 'cubie/plain_math.h', 'cubie/random.h', 'cubie/brownian.h'];

const probe = (real: 'float' | 'double'): string => `#include "cubie/brownian.h"
extern "C" __global__ void probe_${real}(${real}* out, unsigned int* words, unsigned long long seed) {
  const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
  cubie::philox4x32_words counter = {{i, 0u, 0u, 0u}};
  const cubie::philox4x32_words w = cubie::philox4x32(counter, cubie::philox_key_from_seed(seed));
  for (int k = 0; k < 4; ++k) words[4 * i + k] = w.v[k];
  ${real} z[cubie::philox_normals<${real}>::count];
  cubie::philox_normals<${real}>::from(w, z);
  const cubie::brownian_tree<${real}> tree = cubie::brownian_tree<${real}>::make(seed, i, ${real}(0), ${real}(1), ${real}(1e-4));
  ${real} dW[3];
  tree.increment<3>(${real}(0.25), ${real}(0.5), dW);
  cubie::brownian_stack<${real}, cubie::brownian_stack_decades> stack;
  const ${real} kept = tree.at(${real}(0.25), 0u, stack) + tree.at(${real}(0.75), 0u, stack);
  out[i] = z[0] + dW[0] + dW[1] + dW[2] + kept + cubie::uniform_open_float(w.v[0]);
}
`;

describe('NVRTC', () => {
  const headers = Object.fromEntries(HEADERS.map((name) => [name, fs.readFileSync(path.join(KERNEL_INCLUDE, name), 'utf8')]));
  const compile = (real: 'float' | 'double', extra: string[] = []) =>
    compileCuda({ source: probe(real), name: `random_${real}.cu`, headers, options: ['--std=c++17', '-arch=compute_80', ...extra], target: 'ptx' });

  itNvrtc.each(['float', 'double'] as const)('compiles the generator and the tree (%s)', async (real) => {
    expect((await compile(real)).ptx).toContain(`.entry probe_${real}(`);
  });

  itNvrtc('float code does no double-precision arithmetic; double code does (so the check can fail)', async () => {
    // --use_fast_math replaces CUDA's own sinf/cosf slow paths (which use doubles), so any .f64 left would be ours.
    expect((await compile('float', ['--use_fast_math'])).ptx).not.toMatch(/\.f64\b/);
    expect((await compile('double', ['--use_fast_math'])).ptx).toMatch(/\.f64\b/);
  });
});
