/**
 * `cubie emit MODEL --target cuda|cpp|ptx`: what runs, for users who want to
 * read it. cuda and cpp print the same single source (cubie generates one
 * text that both NVRTC and the host compiler build); ptx compiles it with
 * NVRTC for a virtual architecture.
 */
import * as fs from 'fs';
import { parseArgs, usageError } from './args';

export const EMIT_USAGE = `usage: cubie emit MODEL [--target cuda|cpp|ptx] [--arch sm_XX] [--out FILE]

Prints the code cubie generates for a model file's system and compile-time options.
  --target cuda   the kernel source NVRTC compiles for the GPU (default)
  --target cpp    the same source, which the CPU backend builds with the host C++ compiler
  --target ptx    the source compiled to PTX with NVRTC (needs NVRTC, not a GPU)
  --arch sm_XX    PTX for the virtual architecture compute_XX (default sm_80)
  --out FILE      write to FILE instead of stdout
`;

const FLAGS = { '--target': 'value', '--arch': 'value', '--out': 'value', '--help': 'switch' } as const;
const TARGETS = ['cuda', 'cpp', 'ptx'] as const;
type Target = (typeof TARGETS)[number];

/** `sm_80` or `compute_80` -> 80. */
function archNumber(text: string): number {
  const match = /^(?:sm_|compute_)?(\d{2,3})[a-z]?$/.exec(text.trim());
  if (match === null) throw usageError('emit', `--arch must look like sm_80 or sm_90, got '${text}'`, '--arch');
  return Number(match[1]);
}

export async function emit(args: string[]): Promise<number> {
  const parsed = parseArgs('emit', args, FLAGS);
  if (parsed.switches.has('--help')) {
    process.stdout.write(EMIT_USAGE);
    return 0;
  }
  if (parsed.positional.length !== 1) throw usageError('emit', parsed.positional.length === 0 ? 'give the model file: cubie emit MODEL --target cuda' : `one model file at a time (got ${parsed.positional.join(', ')})`);
  const target = (parsed.values.get('--target') ?? 'cuda') as Target;
  if (!TARGETS.includes(target)) throw usageError('emit', `--target must be cuda, cpp or ptx, got '${target}'`, '--target');
  const archText = parsed.values.get('--arch');
  if (archText !== undefined && target !== 'ptx') throw usageError('emit', `--arch applies to --target ptx (the ${target} source is the same for every architecture)`, '--arch');
  const arch = archNumber(archText ?? 'sm_80');

  // Loaded once the command line is known to be right: the equation parser takes most of a second.
  const [{ kernelIncludeDir }, { hostFlags }, { loadModel }, { compileImage, NVRTC_FLAGS }, { generateKernel }] = await Promise.all([
    import('../codegen/kernel-source'),
    import('../backends/cpu/build'),
    import('../files/model-file'),
    import('../backends/cuda/build'),
    import('../codegen/generate'),
  ]);
  const model = loadModel(parsed.positional[0]);
  const { plan, source } = generateKernel(model.system, model.options);
  const describe = `system '${model.system.name}' (hash ${model.system.hash.slice(0, 12)}) from ${model.file}; method ${plan.method}, ${plan.precision}, controller ${plan.controller}`;
  let text: string;
  if (target === 'ptx') {
    const { bytes, log } = await compileImage(source, model.system.name, { kind: 'ptx', arch });
    text = `// cubie emit --target ptx: ${describe}\n// NVRTC, ${[...NVRTC_FLAGS, `-arch=compute_${arch}`].join(' ')}${log.trim() ? `\n// NVRTC log:\n${log.trim().split('\n').map((l) => `//   ${l}`).join('\n')}` : ''}\n${bytes.toString('utf8')}`;
  } else {
    const header = [
      `// cubie emit --target ${target}: ${describe}`,
      '// This one source is what cubie compiles for both backends: NVRTC builds it for the GPU (--target cuda)',
      '// and the host C++ compiler builds it for the CPU backend (--target cpp prints the same text).',
      `// The cubie/*.h headers it includes are in ${kernelIncludeDir()}.`,
      ...(target === 'cpp' ? [`// Build as the CPU backend does: c++ ${hostFlags(model.options.cpuTarget ?? 'native').join(' ')} -I ${kernelIncludeDir()} kernel.cpp -o kernel.so`] : []),
    ];
    text = `${header.join('\n')}\n${source}`;
  }
  const out = parsed.values.get('--out');
  if (out !== undefined) fs.writeFileSync(out, text);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
