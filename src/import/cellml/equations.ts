/**
 * A component's math as explicit equations: `x = expr` (algebraic) and
 * `d(x)/d(t) = expr` (an ODE in x with t as the free variable). Anything
 * else at the top level of <math> (an implicit equation, a derivative on
 * the right, a second derivative, a derivative of an expression) is refused
 * naming the component and the variables involved.
 */
import { CubieError } from '../../shared/errors';
import { ratesOf, readMath, symbolsOf, type MathContext, type MathNode } from '../mathml';
import type { XmlElement } from '../xml';
import type { CellmlComponent } from './document';

export interface CellmlEquation {
  readonly component: string;
  readonly kind: 'ode' | 'algebraic';
  /** The variable defined, by its name in the component. */
  readonly target: string;
  /** ODEs: the bound variable (time) by its name in the component. */
  readonly time?: string;
  readonly rhs: MathNode;
  readonly ctx: MathContext;
}

function unsupported(component: string, variables: readonly string[], what: string): never {
  const vars = variables.length === 0 ? '' : ` (variables ${variables.slice(0, 6).map((v) => `'${v}'`).join(', ')})`;
  throw new CubieError('UNSUPPORTED_CELLML', `${what} in component '${component}'${vars} is not supported by cubie's CellML import`, {
    where: `component '${component}'`, component, variables: variables.slice(0, 6),
  });
}

/** Plain identifiers read anywhere under `el` (for messages about equations that are refused before they are read). */
function namesIn(el: XmlElement, out: string[] = []): string[] {
  if (el.local === 'ci' && el.text.length > 0 && !out.includes(el.text)) out.push(el.text.slice(0, 64));
  for (const c of el.children) namesIn(c, out);
  return out;
}

const ciName = (el: XmlElement): string | undefined => (el.local === 'ci' && el.children.length === 0 && el.text.length > 0 ? el.text : undefined);

/** For `<apply><diff/><bvar><ci>t</ci></bvar><ci>x</ci></apply>`: [x, t]; undefined when `el` is not a derivative. */
function derivative(el: XmlElement, component: string): [string, string] | undefined {
  if (el.local !== 'apply' || el.children[0]?.local !== 'diff') return undefined;
  const rest = el.children.slice(1);
  const bvar = rest.find((c) => c.local === 'bvar');
  const operands = rest.filter((c) => c.local !== 'bvar');
  const names = namesIn(el);
  if (bvar === undefined) unsupported(component, names, 'A derivative without <bvar>');
  const degree = bvar.children.find((c) => c.local === 'degree');
  if (degree !== undefined) {
    const d = degree.children[0];
    if (!(d?.local === 'cn' && Number(d.text) === 1)) unsupported(component, names, 'A second (or higher) derivative');
  }
  const t = bvar.children.map(ciName).find((x) => x !== undefined);
  if (t === undefined) unsupported(component, names, 'A derivative with respect to something other than a variable');
  if (operands.length !== 1 || ciName(operands[0]) === undefined) unsupported(component, names, 'A derivative of something other than a variable');
  return [ciName(operands[0])!, t];
}

export function readEquations(component: CellmlComponent): CellmlEquation[] {
  const out: CellmlEquation[] = [];
  const c = component.key;
  for (const math of component.maths) {
    for (const top of math.children) {
      if (top.local === 'annotation' || top.local === 'annotation-xml') continue;
      if (top.local !== 'apply' || top.children[0]?.local !== 'eq' || top.children.length !== 3) {
        unsupported(c, namesIn(top), `A top-level <${top.local}> that is not an equation of two sides`);
      }
      let [, lhs, rhs] = top.children;
      // `expr = x` is accepted as `x = expr`
      if (ciName(lhs) === undefined && derivative(lhs, c) === undefined && (ciName(rhs) !== undefined || derivative(rhs, c) !== undefined)) [lhs, rhs] = [rhs, lhs];
      const d = derivative(lhs, c);
      const target = d?.[0] ?? ciName(lhs);
      if (target === undefined) unsupported(c, namesIn(top), 'An implicit equation (neither side is a variable or its time derivative)');
      const ctx: MathContext = { where: `the equation for '${target}' in component '${c}'`, elementId: `${c}.${target}`, format: 'CellML' };
      const tree = readMath(rhs, ctx);
      const eq: CellmlEquation = d === undefined
        ? { component: c, kind: 'algebraic', target, rhs: tree, ctx }
        : { component: c, kind: 'ode', target, time: d[1], rhs: tree, ctx };
      for (const v of [target, ...(d ? [d[1]] : []), ...symbolsOf(tree), ...ratesOf(tree).flatMap((r) => [r.id, r.wrt ?? r.id])]) {
        if (!component.variables.has(v)) {
          throw new CubieError('INVALID_CELLML', `${ctx.where} uses '${v.slice(0, 64)}', which is not a variable of component '${c}'`, { where: `component '${c}'`, component: c, variable: v.slice(0, 64) });
        }
      }
      out.push(eq);
    }
  }
  return out;
}
