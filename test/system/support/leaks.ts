/**
 * Checks that generated C++ carries no user text: outside `//` comments only
 * the generator's own identifiers; comments only identifier-like text.
 */
import { cFunctionNames } from '../../../src/system/functions';

const GENERATED_IDENTIFIERS = new Set([
  'namespace', 'typedef', 'double', 'float', 'real', 'constexpr', 'int', 'void', 'const', 'bool', 'for',
  'CUBIE_FN', '__restrict__', 'n_states', 'n_parameters', 'n_drivers', 'n_observables', 'n_jacobian_nonzeros',
  'dxdt', 'observables', 'jacobian', 'jvp', 'dfdt', 'y', 'p', 'd', 't', 'v', 'ddot', 'dy', 'obs', 'J', 'Jv', 'ft', 'k',
  // The kernel library's names for the arithmetic type (platform.h): a scalar, or SIMD lanes on the CPU.
  'cubie', 'lanes_of', 'mask_of', 'CUBIE_SELECT',
  // A system whose Jacobian may overflow says so (src/codegen/jacobian-overflow.ts).
  'jacobian_may_overflow', 'true',
  ...cFunctionNames(),
]);
const COMMENT_TEXT = /^[A-Za-z0-9_ [\],:.'()=;+\-*/]*$/;

/** Problems with the generated text, if any. `namespace` is the namespace the caller asked for. */
export function leaks(source: string, namespace = 'cubie_sys'): string[] {
  const problems: string[] = [];
  for (const line of source.split('\n')) {
    const at = line.indexOf('//');
    const code = at < 0 ? line : line.slice(0, at);
    const comment = at < 0 ? '' : line.slice(at + 2);
    if (!COMMENT_TEXT.test(comment) || comment.includes('*/') || comment.includes('/*')) problems.push(`comment: ${line}`);
    const withoutNumbers = code.replace(/(?<![A-Za-z0-9_])\d[\d.]*(e[+-]?\d+)?f?/g, ' ');
    for (const identifier of withoutNumbers.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
      if (identifier !== namespace && !GENERATED_IDENTIFIERS.has(identifier) && !/^[ac]\d+$/.test(identifier)) {
        problems.push(`identifier '${identifier}': ${line}`);
      }
    }
    if (/[^\x20-\x7e]/.test(line)) problems.push(`non-ASCII: ${line}`);
  }
  return problems;
}
