import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Precision } from '../options/solve-options';
import { insideAsar, unpackedPath } from '../shared/asar';
import { CubieError } from '../shared/errors';

/**
 * The kernel library: every header a generated source can include, by
 * include name, in the order the source digest covers them. Both backends'
 * cache keys hash exactly this set (a test checks it is the whole kernel
 * folder), read once per process. Inside an Electron app.asar they are read
 * from app.asar.unpacked, where the host compiler can reach them too.
 */
const KERNEL_DIR = unpackedPath(path.resolve(__dirname, '..', '..', 'kernel'));
export const HEADER_NAMES: readonly string[] = ['cubie/platform.h', 'cubie/args.h', 'cubie/controllers.h', 'cubie/delays.h', 'cubie/drivers.h', 'cubie/norm.h', 'cubie/engine.h', 'cubie/events.h', 'cubie/linalg.h', 'cubie/krylov.h', 'cubie/sparse.h', 'cubie/newton.h', 'cubie/run_time.h', 'cubie/plain_math.h', 'cubie/random.h', 'cubie/brownian.h', 'cubie/sde.h', 'cubie/lanes.h', 'cubie/lane_plain_math.h', 'cubie/lane_engine.h', 'cubie/lane_linalg.h', 'cubie/lane_krylov.h', 'cubie/lane_sparse.h', 'cubie/lane_newton.h', 'cubie/lane_sde.h'];
let headers: Record<string, string> | undefined;

export function kernelHeaders(): Record<string, string> {
  if (headers === undefined) {
    headers = {};
    for (const name of HEADER_NAMES) headers[name] = fs.readFileSync(path.join(KERNEL_DIR, name), 'utf8');
  }
  return headers;
}

/** The folder the host compiler gets with -I: on disk, never inside an asar archive. */
export function kernelIncludeDir(): string {
  if (insideAsar(KERNEL_DIR)) {
    throw new CubieError(
      'HOST_COMPILE_FAILED',
      `cubie's kernel headers are inside an asar archive (${KERNEL_DIR}), where the host compiler cannot read them: ` +
        'unpack them with the app (electron-builder: asarUnpack "**/node_modules/cubie/kernel/**")',
      { where: KERNEL_DIR },
    );
  }
  return KERNEL_DIR;
}

/** Where a saved or summarised value comes from; 'wiener' (saved only): Wiener process `index` of the run's path. */
export type ValueSource = { kind: 'state' | 'observable' | 'wiener'; index: number };

export interface KernelLayout {
  precision: Precision;
  controller: 'fixed' | 'i' | 'pi' | 'pid' | 'gustafsson';
  saved: ValueSource[];
  summarised: ValueSource[];
  /** The stepper keeps a Memory between steps and takes it in step() (the implicit ones). */
  stepperMemory: boolean;
  /** saveMode 'interpolate': saves inside steps from their continuous extension instead of landing steps on them. */
  interpolateSaves: boolean;
  /** Interpolating with the method's own continuous extension (else a cubic Hermite one from the step's ends). */
  methodInterpolates: boolean;
}

const CONTROLLER_ENUM: Record<KernelLayout['controller'], string> = {
  fixed: 'cubie::CONTROLLER_FIXED',
  i: 'cubie::CONTROLLER_I',
  pi: 'cubie::CONTROLLER_PI',
  pid: 'cubie::CONTROLLER_PID',
  gustafsson: 'cubie::CONTROLLER_GUSTAFSSON',
};

function gather(name: string, sources: ValueSource[]): string {
  // Wiener values are not a function of (y, obs): gather_wiener writes them.
  const body = sources
    .flatMap((s, j) => (s.kind === 'wiener' ? [] : [`  out[${j}] = ${s.kind === 'state' ? 'y' : 'obs'}[${s.index}];`]))
    .join('\n');
  return (
    `CUBIE_FN void ${name}(const real* __restrict__ y, const real* __restrict__ obs, real* __restrict__ out) {\n` +
    `  (void)y; (void)obs; (void)out;\n${body}${body ? '\n' : ''}}\n`
  );
}

/** The engine's one call of the stepper, with or without the memory it keeps between steps. */
function stepAdapter(memory: boolean): string[] {
  return [
    memory ? 'typedef cubie_method::Memory StepperMemory;' : 'struct StepperMemory {};  // an explicit stepper keeps nothing between steps',
    'template <class Ctx>',
    'CUBIE_FN real step(const Ctx& ctx, StepperMemory& memory, cubie::wide_of<real> t, real dt, const real* __restrict__ y,',
    '                   const real* __restrict__ f0, real* __restrict__ y_new, real* __restrict__ f1) {',
    ...(memory ? ['  return cubie_method::step(ctx, memory, t, dt, y, f0, y_new, f1);'] : ['  (void)memory;', '  return cubie_method::step(ctx, t, dt, y, f0, y_new, f1);']),
    '}',
  ];
}

/**
 * The method's continuous extension for saves and crossings inside a step, where it has one (the
 * engine's fallback is cubic Hermite). Without one, no prepare_extension is emitted: engine.h
 * declares a do-nothing one, so a kernel that is not dense keeps its text.
 */
function interpolateAdapter(method: boolean): string[] {
  return method
    ? [
        'constexpr bool method_interpolates = true;',
        '// Once per accepted step, before its first interpolate(): the extension\'s extra stages, if any.',
        'template <class Ctx>',
        'CUBIE_FN void prepare_extension(const Ctx& ctx, StepperMemory& memory, cubie::wide_of<real> t, real h, const real* __restrict__ y_old,',
        '                                const real* __restrict__ y_new, const real* __restrict__ f_new) {',
        '  cubie_method::prepare_extension(ctx, memory, t, h, y_old, y_new, f_new);',
        '}',
        'CUBIE_FN void interpolate(const StepperMemory& memory, const real* __restrict__ y0, real h, real theta, real* __restrict__ out) {',
        '  cubie_method::interpolate(memory, y0, h, theta, out);',
        '}',
      ]
    : ['constexpr bool method_interpolates = false;', 'CUBIE_FN void interpolate(const StepperMemory&, const real*, real, real, real*) {}'];
}

/**
 * 'wiener' outputs: W of the run's path at the save time, into their columns
 * of the saved values. The engine calls it where CUBIE_SAVES_WIENER is
 * defined, so kernels without it keep their text.
 */
function wienerGather(saved: ValueSource[]): string[] {
  const columns = saved.flatMap((s, j) => (s.kind === 'wiener' ? [`  out[${j}] = tree.at(static_cast<cubie::scalar_of<real>>(t), ${s.index}u);`] : []));
  if (columns.length === 0) return [];
  return [
    '#define CUBIE_SAVES_WIENER 1',
    'template <class Ctx>',
    'CUBIE_FN void gather_wiener(const Ctx& ctx, double t, real* __restrict__ out) {',
    '  // One run\'s tree here; in CPU lanes, the W lanes\' tree at their shared time.',
    '  const auto tree = ctx.brownian();',
    ...columns,
    '}',
  ];
}

/** What the engine needs to know about outputs and control, as C++. */
export function generateLayoutSource(layout: KernelLayout): string {
  const usesObservables = [...layout.saved, ...layout.summarised].some((s) => s.kind === 'observable');
  const zero = layout.precision === 'float32' ? '0.0f' : '0.0';
  return [
    'namespace cubie_layout {',
    'typedef cubie_sys::real real;',
    `constexpr int controller = ${CONTROLLER_ENUM[layout.controller]};`,
    `constexpr bool needs_observables = ${usesObservables};`,
    `constexpr int n_saved = ${layout.saved.length};`,
    `constexpr bool interpolate_saves = ${layout.interpolateSaves};`,
    `CUBIE_FN real infinity() { return real(1) / real(${zero}); }`,
    ...stepAdapter(layout.stepperMemory),
    ...interpolateAdapter(layout.methodInterpolates),
    gather('gather_saved', layout.saved),
    gather('gather_summarised', layout.summarised),
    ...wienerGather(layout.saved),
    '}  // namespace cubie_layout',
    '',
  ].join('\n');
}

/** The summary namespace for a kernel that computes no summaries. */
export function noSummarySource(precision: Precision): string {
  const real = precision === 'float32' ? 'float' : 'double';
  return [
    'namespace cubie_summary {',
    `typedef ${real} real;`,
    'constexpr int n_summarised = 0;',
    'constexpr int n_columns = 0;',
    'struct State {};',
    'CUBIE_FN void init(State&) {}',
    'CUBIE_FN void begin_window(State&) {}',
    'CUBIE_FN void sample(State&, const real*, double) {}',
    'CUBIE_FN void write_window(const State&, real*, long long) {}',
    '}  // namespace cubie_summary',
    '',
  ].join('\n');
}

export interface KernelParts {
  system: string;
  /** The system's events; '' for a system without any, whose kernel text is then as it was before events. */
  events: string;
  /** The system's noise (noise-source.ts); '' without noise, whose kernel text is then as it was before noise. */
  noise?: string;
  stepper: string;
  summary: string;
  layout: string;
}

/**
 * The whole kernel, one text for both compilers: NVRTC gets the headers by
 * name, the host compiler finds them with -I on the kernel folder.
 */
export function assembleKernelSource(parts: KernelParts): string {
  const text = [
    '// Generated by cubie. Compiles with NVRTC (CUDA) and with a host C++17 compiler.',
    '#include "cubie/platform.h"',
    '#include "cubie/args.h"',
    '#include "cubie/controllers.h"',
    '#include "cubie/norm.h"',
    '',
    parts.system,
    ...(parts.events ? [parts.events] : []),
    ...(parts.noise ? [parts.noise] : []),
    parts.stepper,
    parts.summary,
    parts.layout,
    '#include "cubie/engine.h"',
    '',
  ].join('\n');
  // Names the source, with the kernel library it includes, inside the compiled
  // image (PTX, CUBIN), where a test double of the driver finds it.
  const digest = createHash('sha256').update(text);
  for (const [name, header] of Object.entries(kernelHeaders())) digest.update(`\0${name}\0${header}`);
  return `${text}extern "C" CUBIE_MARKER const char cubie_source_digest[] = "cubie-source:${digest.digest('hex')}";\n`;
}
