/**
 * SBML comp (hierarchical models), flattened before the core import: small
 * documents, each checked against the core model written by hand that the
 * comp specification (and libSBML's flattening) makes of it, by solving
 * both; and the refusals. SBML Test Suite comp cases run with the other
 * fixtures in sbml.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { createSystem, importSbml, outputExpression, solveIvp, type ImportSbmlOptions } from '../../src';
import { thrown } from '../support/thrown';

const COMP_NS = 'http://www.sbml.org/sbml/level3/version1/comp/version1';
const MATHML = 'xmlns="http://www.w3.org/1998/Math/MathML"';

const compDoc = (model: string, definitions: string, more = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" xmlns:comp="${COMP_NS}" level="3" version="2" comp:required="true">
  <model id="top">${model}</model>
  <comp:listOfModelDefinitions>${definitions}</comp:listOfModelDefinitions>${more}
</sbml>`;

const coreDoc = (model: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model id="top">${model}</model></sbml>`;

const definition = (id: string, body: string): string => `<comp:modelDefinition id="${id}">${body}</comp:modelDefinition>`;
const submodels = (...items: string[]): string => `<comp:listOfSubmodels>${items.join('')}</comp:listOfSubmodels>`;
const param = (id: string, value: number | undefined, constant: boolean, inner = ''): string =>
  `<parameter id="${id}"${value === undefined ? '' : ` value="${value}"`} constant="${constant}">${inner}</parameter>`;
const math = (body: string): string => `<math ${MATHML}>${body}</math>`;
const ci = (id: string): string => `<ci> ${id} </ci>`;
const cn = (v: number): string => `<cn> ${v} </cn>`;
const apply = (op: string, ...args: string[]): string => `<apply><${op}/>${args.join('')}</apply>`;
const TIME = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time"> time </csymbol>';
const rateRule = (variable: string, body: string, metaid?: string): string =>
  `<rateRule${metaid ? ` metaid="${metaid}"` : ''} variable="${variable}">${math(body)}</rateRule>`;
const assignmentRule = (variable: string, body: string, metaid?: string): string =>
  `<assignmentRule${metaid ? ` metaid="${metaid}"` : ''} variable="${variable}">${math(body)}</assignmentRule>`;
const replaced = (attrs: string, inner = ''): string =>
  `<comp:listOfReplacedElements><comp:replacedElement ${attrs}>${inner}</comp:replacedElement></comp:listOfReplacedElements>`;

const TIMES = [0, 0.5, 1, 2];

/** The values of the ids at TIMES, solved as the SBML Test Suite runner does. */
async function trajectories(xml: string, ids: readonly string[], options: ImportSbmlOptions = {}): Promise<Record<string, number[]>> {
  const model = importSbml(xml, options);
  const lines = ids.map((id, k) => `zout${k} = ${outputExpression(model, id) ?? 'undefined_id'}`);
  const observables = ids.map((_, k) => `zout${k}`);
  const system = createSystem({ ...model.definition, equations: [...(model.definition.equations as string[]), ...lines], observables });
  const result = await solveIvp(system, {}, {}, {
    method: 'rodas4', backend: 'cpu', outputTypes: ['state', 'observables'], t0: 0, duration: TIMES[TIMES.length - 1],
    saveAt: TIMES, rtol: 1e-10, atol: 1e-14, maxSteps: 1e6, threads: 1,
  });
  expect(result.status[0]).toBe(0);
  return Object.fromEntries(ids.map((id, k) => [id, Array.from(result.trajectory(`zout${k}`, 0))]));
}

/** The comp document and its flattening by hand give the same model: the same ids, solved to the same values. */
async function expectFlattensTo(comp: string, flat: string, options: ImportSbmlOptions = {}): Promise<void> {
  const ids = [...importSbml(flat).symbols.keys()].filter((id) => !id.includes('/')).sort();
  expect([...importSbml(comp, options).symbols.keys()].filter((id) => !id.includes('/')).sort()).toEqual(ids);
  const [got, want] = await Promise.all([trajectories(comp, ids, options), trajectories(flat, ids)]);
  for (const id of ids) {
    got[id].forEach((v, i) => expect(v).toBeCloseTo(want[id][i], 9));
  }
}

/** A decay S -> with rate k * S (an amount), a function f(x) = 2 x and a parameter read through it. */
const DECAY_BODY = `
  <listOfFunctionDefinitions><functionDefinition id="f">${math(`<lambda><bvar>${ci('x')}</bvar>${apply('times', cn(2), ci('x'))}</lambda>`)}</functionDefinition></listOfFunctionDefinitions>
  <listOfCompartments><compartment id="c" size="2" constant="true"/></listOfCompartments>
  <listOfSpecies><species id="S" compartment="c" initialAmount="4" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
  <listOfParameters>${param('k', 0.5, true)}${param('g', undefined, false)}</listOfParameters>
  <listOfRules>${assignmentRule('g', `<apply><ci> f </ci>${ci('k')}</apply>`)}</listOfRules>
  <listOfReactions><reaction id="R" reversible="false">
    <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
    <kineticLaw>${math(apply('times', ci('k'), ci('S')))}</kineticLaw>
  </reaction></listOfReactions>`;
const DECAY = definition('decay', DECAY_BODY);

/** DECAY flattened under the prefix: what each instance adds to the core model. */
const decayFlat = (p: string): { compartments: string; species: string; parameters: string; rules: string; reactions: string } => ({
  compartments: `<compartment id="${p}c" size="2" constant="true"/>`,
  species: `<species id="${p}S" compartment="${p}c" initialAmount="4" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>`,
  parameters: `${param(`${p}k`, 0.5, true)}${param(`${p}g`, undefined, false)}`,
  rules: assignmentRule(`${p}g`, apply('times', cn(2), ci(`${p}k`))),
  reactions: `<reaction id="${p}R" reversible="false"><listOfReactants><speciesReference species="${p}S" stoichiometry="1" constant="true"/></listOfReactants>
    <kineticLaw>${math(apply('times', ci(`${p}k`), ci(`${p}S`)))}</kineticLaw></reaction>`,
});

const flatModel = (parts: ReturnType<typeof decayFlat>[], extra: { parameters?: string; rules?: string } = {}): string => coreDoc(`
  <listOfCompartments>${parts.map((p) => p.compartments).join('')}</listOfCompartments>
  <listOfSpecies>${parts.map((p) => p.species).join('')}</listOfSpecies>
  <listOfParameters>${extra.parameters ?? ''}${parts.map((p) => p.parameters).join('')}</listOfParameters>
  <listOfRules>${extra.rules ?? ''}${parts.map((p) => p.rules).join('')}</listOfRules>
  <listOfReactions>${parts.map((p) => p.reactions).join('')}</listOfReactions>`);

describe('comp flattening', () => {
  it('prefixes every id of a submodel instance with its submodel path, and every reference with it', async () => {
    const outer = definition('outer', `<listOfParameters>${param('k', 3, true)}${param('q', 1, false)}</listOfParameters>
      <listOfRules>${rateRule('q', ci('k'))}</listOfRules>${submodels('<comp:submodel comp:id="B" comp:modelRef="decay"/>')}`);
    const comp = compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="outer"/>', '<comp:submodel comp:id="C" comp:modelRef="decay"/>'), DECAY + outer);
    const flat = flatModel([decayFlat('A__B__'), decayFlat('C__')], { parameters: `${param('A__k', 3, true)}${param('A__q', 1, false)}`, rules: rateRule('A__q', ci('A__k')) });
    await expectFlattensTo(comp, flat);
    expect(importSbml(comp).warnings.join('\n')).not.toMatch(/comp/);
  });

  it('gives a submodel another prefix when an id of the model already starts with it (as libSBML)', () => {
    const comp = compDoc(`<listOfParameters>${param('A__k', 1, true)}</listOfParameters>${submodels('<comp:submodel comp:id="A" comp:modelRef="decay"/>')}`, DECAY);
    const ids = [...importSbml(comp).symbols.keys()];
    expect(ids).toContain('A__k');
    expect(ids).toContain('A1__k');
    expect(ids).toContain('A1__S');
  });

  it('replaces an element: its uses name the replacing element, over the conversion factor, and what set it is scaled', async () => {
    const sub = definition('sub', `<listOfParameters>${param('x', 3, false)}${param('y', undefined, false)}</listOfParameters>
      <listOfRules>${rateRule('x', cn(0.2))}${assignmentRule('y', apply('minus', ci('x'), cn(3)))}</listOfRules>`);
    const comp = compDoc(`<listOfParameters>${param('cf', 100, true)}${param('X', 15, false, replaced('comp:idRef="x" comp:submodelRef="A" comp:conversionFactor="cf"'))}</listOfParameters>
      ${submodels('<comp:submodel comp:id="A" comp:modelRef="sub"/>')}`, sub);
    const flat = coreDoc(`<listOfParameters>${param('cf', 100, true)}${param('X', 15, false)}${param('A__y', undefined, false)}</listOfParameters>
      <listOfRules>${rateRule('X', apply('times', cn(0.2), ci('cf')))}${assignmentRule('A__y', apply('minus', apply('divide', ci('X'), ci('cf')), cn(3)))}</listOfRules>`);
    await expectFlattensTo(comp, flat);
  });

  it('resolves ports (idRef and metaIdRef) and deletes elements (a rule by metaid)', async () => {
    const sub = definition('sub', `<listOfParameters>${param('x', 3, false)}${param('z', 1, false)}${param('y', undefined, false)}</listOfParameters>
      <listOfRules>${rateRule('x', cn(0.2))}${rateRule('z', cn(1), 'zRate')}${assignmentRule('y', apply('times', cn(2), ci('x')), 'yRule')}</listOfRules>
      <comp:listOfPorts><comp:port comp:id="px" comp:idRef="x"/><comp:port comp:id="py" comp:metaIdRef="yRule"/></comp:listOfPorts>`);
    const comp = compDoc(`<listOfParameters>${param('X', 7, false, replaced('comp:portRef="px" comp:submodelRef="A"'))}${param('Y', undefined, false)}</listOfParameters>
      <listOfRules><assignmentRule variable="Y">${math(ci('X'))}${replaced('comp:portRef="py" comp:submodelRef="A"')}</assignmentRule></listOfRules>
      ${submodels('<comp:submodel comp:id="A" comp:modelRef="sub"><comp:listOfDeletions><comp:deletion comp:metaIdRef="zRate"/></comp:listOfDeletions></comp:submodel>')}`, sub);
    // Y's own rule replaces the submodel's rule for y: A__y keeps no rule and its (missing) value is refused, so y is given one.
    const withY = comp.replace(param('y', undefined, false), param('y', 5, false));
    const flat = coreDoc(`<listOfParameters>${param('X', 7, false)}${param('Y', undefined, false)}${param('A__z', 1, false)}${param('A__y', 5, false)}</listOfParameters>
      <listOfRules>${assignmentRule('Y', ci('X'))}${rateRule('X', cn(0.2))}</listOfRules>`);
    await expectFlattensTo(withY, flat);
  });

  it('follows sBaseRef chains into nested submodels and gives a replacedBy element the replaced id', async () => {
    const inner = definition('inner', `<listOfParameters>${param('x', 2, false)}${param('w', 9, false)}</listOfParameters>
      <listOfRules>${rateRule('x', cn(1))}${rateRule('w', cn(-1))}</listOfRules>`);
    const outer = definition('outer', submodels('<comp:submodel comp:id="B" comp:modelRef="inner"/>'));
    const comp = compDoc(`<listOfParameters>
        ${param('P', 0, false, replaced('comp:idRef="B" comp:submodelRef="A"', '<comp:sBaseRef comp:idRef="x"/>'))}
        <parameter id="W" value="1" constant="false"><comp:replacedBy comp:idRef="B" comp:submodelRef="A"><comp:sBaseRef comp:idRef="w"/></comp:replacedBy></parameter>
        ${param('Q', undefined, false)}
      </listOfParameters>
      <listOfRules>${assignmentRule('Q', apply('plus', ci('P'), ci('W')))}</listOfRules>
      ${submodels('<comp:submodel comp:id="A" comp:modelRef="outer"/>')}`, inner + outer);
    const flat = coreDoc(`<listOfParameters>${param('P', 0, false)}${param('Q', undefined, false)}${param('W', 9, false)}</listOfParameters>
      <listOfRules>${assignmentRule('Q', apply('plus', ci('P'), ci('W')))}${rateRule('P', cn(1))}${rateRule('W', cn(-1))}</listOfRules>`);
    await expectFlattensTo(comp, flat);
  });

  it('applies time and extent conversion factors: kinetic laws times extent / time, rate rules and time divided by time', async () => {
    const sub = definition('sub', `<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="S" compartment="c" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
      <listOfParameters>${param('k', 1, true)}${param('r', 0, false)}${param('t1', undefined, false)}${param('v', undefined, false)}</listOfParameters>
      <listOfRules>${rateRule('r', cn(2))}${assignmentRule('t1', TIME)}${assignmentRule('v', ci('R'))}</listOfRules>
      <listOfReactions><reaction id="R" reversible="false"><listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw>${math(apply('times', ci('k'), ci('S')))}</kineticLaw></reaction></listOfReactions>`);
    const comp = compDoc(`<listOfParameters>${param('tc', 4, true)}${param('xc', 10, true)}</listOfParameters>
      ${submodels('<comp:submodel comp:id="A" comp:modelRef="sub" comp:timeConversionFactor="tc" comp:extentConversionFactor="xc"/>')}`, sub);
    const klmod = apply('divide', ci('xc'), ci('tc'));
    const flat = coreDoc(`<listOfCompartments><compartment id="A__c" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="A__S" compartment="A__c" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
      <listOfParameters>${param('tc', 4, true)}${param('xc', 10, true)}${param('A__k', 1, true)}${param('A__r', 0, false)}${param('A__t1', undefined, false)}${param('A__v', undefined, false)}</listOfParameters>
      <listOfRules>${rateRule('A__r', apply('divide', cn(2), ci('tc')))}${assignmentRule('A__t1', apply('divide', TIME, ci('tc')))}${assignmentRule('A__v', apply('divide', ci('A__R'), klmod))}</listOfRules>
      <listOfReactions><reaction id="A__R" reversible="false"><listOfReactants><speciesReference species="A__S" stoichiometry="1" constant="true"/></listOfReactants>
        <kineticLaw>${math(apply('times', klmod, apply('times', ci('A__k'), ci('A__S'))))}</kineticLaw></reaction></listOfReactions>`);
    await expectFlattensTo(comp, flat);
  });

  it('multiplies the time conversion factors of nested submodels into a new parameter', async () => {
    const inner = definition('inner', `<listOfParameters>${param('r', 0, false)}</listOfParameters><listOfRules>${rateRule('r', cn(1))}</listOfRules>`);
    const outer = definition('outer', `<listOfParameters>${param('t2', 2, true)}</listOfParameters>${submodels('<comp:submodel comp:id="B" comp:modelRef="inner" comp:timeConversionFactor="t2"/>')}`);
    const comp = compDoc(`<listOfParameters>${param('t1', 3, true)}</listOfParameters>${submodels('<comp:submodel comp:id="A" comp:modelRef="outer" comp:timeConversionFactor="t1"/>')}`, inner + outer);
    const m = importSbml(comp);
    expect(m.parameters[m.symbols.get('A__t2_times_t1')!.name]).toBe(6);
    const got = await trajectories(comp, ['A__B__r']);
    expect(got.A__B__r[TIMES.length - 1]).toBeCloseTo(TIMES[TIMES.length - 1] / 6, 9);
  });

  it('deletes a local parameter before renaming, so that the kinetic law reads the global one (Test Suite 01159)', async () => {
    const sub = definition('sub', `<listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="S" compartment="c" initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
      <listOfParameters>${param('p', 0.1, true)}</listOfParameters>
      <listOfReactions><reaction id="R" reversible="false"><listOfProducts><speciesReference species="S" stoichiometry="1" constant="true"/></listOfProducts>
        <kineticLaw>${math(apply('times', ci('p'), ci('S')))}<listOfLocalParameters><localParameter metaid="lp" id="p" value="100"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>`);
    const deleted = compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="sub"><comp:listOfDeletions><comp:deletion comp:metaIdRef="lp"/></comp:listOfDeletions></comp:submodel>'), sub);
    const got = await trajectories(deleted, ['A__S']);
    expect(got.A__S[TIMES.length - 1]).toBeCloseTo(Math.exp(0.1 * TIMES[TIMES.length - 1]), 8);
    const kept = await trajectories(deleted.replace(/<comp:listOfDeletions>.*<\/comp:listOfDeletions>/, ''), ['A__S']);
    expect(kept.A__S[1]).toBeGreaterThan(1e20); // exp(100 * 0.5): the local parameter

  });
});

/** `<listOfExternalModelDefinitions>` of the items, each `[id, source, modelRef, md5?]`, under the prefix. */
const externals = (items: readonly (readonly string[])[], prefix = 'comp'): string =>
  `<${prefix}:listOfExternalModelDefinitions>${items.map(([id, source, modelRef, md5]) => `<${prefix}:externalModelDefinition ${prefix}:id="${id}" ${prefix}:source="${source}" ${prefix}:modelRef="${modelRef}"${md5 === undefined ? '' : ` ${prefix}:md5="${md5}"`}/>`).join('')}</${prefix}:listOfExternalModelDefinitions>`;

/** Another SBML Level 3 comp document: its <model> (when `id` is given), model definitions and more, comp under `prefix`. */
const otherDoc = (id: string | undefined, model: string, definitions: string, more = '', prefix = 'comp'): string => `<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" xmlns:${prefix}="${COMP_NS}" level="3" version="1" ${prefix}:required="true">
  ${id === undefined ? '' : `<model id="${id}">${model}</model>`}
  <${prefix}:listOfModelDefinitions>${definitions}</${prefix}:listOfModelDefinitions>${more}
</sbml>`;

describe('comp external model definitions (other files, from options.files)', () => {
  it('instantiates the <model> and a model definition of another document as the same definitions written inside the model', async () => {
    const main = (a: string, b: string): string => `<listOfParameters>${param('kA', 0.25, true, replaced('comp:idRef="k" comp:submodelRef="A"'))}</listOfParameters>
      ${submodels(`<comp:submodel comp:id="A" comp:modelRef="${a}"/>`, `<comp:submodel comp:id="B" comp:modelRef="${b}"/>`)}`;
    // the other document writes comp under another prefix and binds 'comp' to another namespace, whose elements are not comp's
    const ddBody = (p: string): string => `<listOfParameters>${param('z', 2, true)}</listOfParameters>
      <${p}:listOfSubmodels><${p}:submodel ${p}:id="in" ${p}:modelRef="decay"/></${p}:listOfSubmodels>`;
    const lib = otherDoc('decay', DECAY_BODY, `<c:modelDefinition id="dd">${ddBody('c')}
      <comp:listOfSubmodels><comp:submodel comp:id="x" comp:modelRef="nothing"/></comp:listOfSubmodels></c:modelDefinition>`, '', 'c')
      .replace('<sbml ', '<sbml xmlns:comp="http://example.org/not-comp" ');
    const external = compDoc(main('E', 'F'), '', externals([['E', 'lib.xml', 'decay'], ['F', 'lib.xml', 'dd']]));
    const internal = compDoc(main('decay', 'dd'), DECAY + definition('dd', ddBody('comp')));
    await expectFlattensTo(external, internal, { files: { 'lib.xml': lib } });
    const imported = importSbml(external, { files: { 'lib.xml': lib } });
    const ids = [...imported.symbols.keys()];
    expect(ids).toEqual(expect.arrayContaining(['kA', 'A__S', 'B__z', 'B__in__S', 'B__in__k']));
    expect(ids).not.toContain('A__k');
    expect(imported.warnings.join('\n')).toMatch(/comp:listOfSubmodels> of submodel 'B' is not part of SBML core/);
  });

  it('resolves a nested external definition against the source of the document that names it (a file in a subfolder)', async () => {
    // models/mid.xml: a model with a rate rule and a submodel of lib/inner.xml's <model>, a core document without comp
    const midBody = `<listOfParameters>${param('q', 1, false)}</listOfParameters><listOfRules>${rateRule('q', cn(2))}</listOfRules>
      ${submodels('<comp:submodel comp:id="D" comp:modelRef="Inner"/>')}`;
    const mid = otherDoc('mid', midBody, '', externals([['Inner', 'lib/inner.xml', 'decay']]));
    const inner = coreDoc(DECAY_BODY).replace('<model id="top">', '<model id="decay">');
    const asked: string[] = [];
    const files = (href: string): string | undefined => {
      asked.push(href);
      return ({ 'models/mid.xml': mid, 'models/lib/inner.xml': inner } as Record<string, string>)[href];
    };
    const external = compDoc(submodels('<comp:submodel comp:id="M" comp:modelRef="Mid"/>'), '', externals([['Mid', 'models/mid.xml', 'mid']]));
    const internal = compDoc(submodels('<comp:submodel comp:id="M" comp:modelRef="mid"/>'), DECAY + definition('mid', midBody.replace('comp:modelRef="Inner"', 'comp:modelRef="decay"')));
    await expectFlattensTo(external, internal, { files });
    expect([...new Set(asked)]).toEqual(['models/mid.xml', 'models/lib/inner.xml']);
    expect([...importSbml(external, { files }).symbols.keys()]).toEqual(expect.arrayContaining(['M__q', 'M__D__S']));
  });

  it('checks comp:md5 against the MD5 of the file\'s text', () => {
    const lib = otherDoc(undefined, '', DECAY);
    const md5 = createHash('md5').update(lib).digest('hex');
    const doc = (sum: string): string => compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="E"/>'), '', externals([['E', 'lib.xml', 'decay', sum]]));
    expect([...importSbml(doc(md5.toUpperCase()), { files: { 'lib.xml': lib } }).symbols.keys()]).toContain('A__S');
    const e = thrown(() => importSbml(doc('0123456789abcdef0123456789abcdef'), { files: { 'lib.xml': lib } }));
    expect([e.code, e.details.sbmlId, e.details.element]).toEqual(['INVALID_SBML', 'E', 'comp:externalModelDefinition']);
    expect(e.message).toContain(md5);
  });
});

describe('comp flattening: refusals', () => {
  const top = (body: string): string => `<listOfParameters>${body}</listOfParameters>${submodels('<comp:submodel comp:id="A" comp:modelRef="decay"/>')}`;

  it('refuses an external model definition whose file is not given with UNSUPPORTED_SBML naming the file, and warns of an unused one', () => {
    const ext = externals([['E', 'other.xml', 'm']]);
    const doc = compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="E"/>'), DECAY, ext);
    for (const options of [{}, { files: { 'else.xml': coreDoc('') } }, { files: () => undefined }]) {
      const e = thrown(() => importSbml(doc, options));
      expect([e.code, e.details.sbmlId, e.details.element, e.details.source]).toEqual(['UNSUPPORTED_SBML', 'E', 'comp:externalModelDefinition', 'other.xml']);
      expect(e.message).toContain("the file 'other.xml', which was not given");
      expect(e.message).toContain('option files');
    }
    // nested: the file named as resolved against the document that names it
    const mid = otherDoc('mid', submodels('<comp:submodel comp:id="D" comp:modelRef="Inner"/>'), '', externals([['Inner', '../lib/inner.xml', 'decay']]));
    const nested = thrown(() => importSbml(compDoc(submodels('<comp:submodel comp:id="M" comp:modelRef="Mid"/>'), '', externals([['Mid', 'models/mid.xml', 'mid']])), { files: { 'models/mid.xml': mid } }));
    expect([nested.code, nested.details.source]).toEqual(['UNSUPPORTED_SBML', 'lib/inner.xml']);
    expect(nested.message).toContain("The external model definition 'Inner' in 'models/mid.xml' is read from the file 'lib/inner.xml'");
    expect(importSbml(compDoc(top(''), DECAY, ext)).warnings.join('\n')).toContain("external model definition 'E'");
  });

  it('reports a modelRef that the other file does not define, and a cycle of files, as INVALID_SBML', () => {
    const doc = (ref: string): string => compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="E"/>'), '', externals([['E', 'a.xml', ref]]));
    const lib = otherDoc('main', '', DECAY);
    const unknown = thrown(() => importSbml(doc('nope'), { files: { 'a.xml': lib } }));
    expect([unknown.code, unknown.details.sbmlId, unknown.details.source]).toEqual(['INVALID_SBML', 'E', 'a.xml']);
    expect(unknown.message).toContain("names the model 'nope', which 'a.xml' does not define");
    // a.xml's model ma has a submodel of b.xml's mb, which has one of a.xml's ma
    const a = otherDoc('ma', submodels('<comp:submodel comp:id="toB" comp:modelRef="B"/>'), '', externals([['B', 'b.xml', 'mb']]));
    const b = otherDoc('mb', submodels('<comp:submodel comp:id="toA" comp:modelRef="A"/>'), '', externals([['A', 'a.xml', 'ma']]));
    const cycle = thrown(() => importSbml(doc('ma'), { files: { 'a.xml': a, 'b.xml': b } }));
    expect([cycle.code, cycle.details.sbmlId, cycle.details.element]).toEqual(['INVALID_SBML', 'toA', 'comp:submodel']);
    expect(cycle.message).toContain('a.xml#ma → b.xml#mb → a.xml#ma');
    // external definitions that name each other in a loop
    const loop = otherDoc(undefined, '', '', externals([['X', 'a.xml', 'X']]));
    const chain = thrown(() => importSbml(compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="E"/>'), '', externals([['E', 'a.xml', 'X']])), { files: { 'a.xml': loop } }));
    expect([chain.code, chain.details.element]).toEqual(['INVALID_SBML', 'comp:externalModelDefinition']);
    expect(chain.message).toContain('form a cycle');
  });

  it('reads the other file as the main one: SBML Level 3, other required packages refused', () => {
    const doc = compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="E"/>'), '', externals([['E', 'lib.xml', 'decay']]));
    const distrib = otherDoc(undefined, '', DECAY).replace('<sbml ', '<sbml xmlns:distrib="http://www.sbml.org/sbml/level3/version1/distrib/version1" distrib:required="true" ');
    const pkg = thrown(() => importSbml(doc, { files: { 'lib.xml': distrib } }));
    expect([pkg.code, pkg.details.package, pkg.details.source]).toEqual(['UNSUPPORTED_SBML', 'distrib', 'lib.xml']);
    const level2 = thrown(() => importSbml(doc, { files: { 'lib.xml': '<sbml xmlns="http://www.sbml.org/sbml/level2/version4" level="2" version="4"><model id="decay"/></sbml>' } }));
    expect([level2.code, level2.details.source]).toEqual(['INVALID_SBML', 'lib.xml']);
    const broken = thrown(() => importSbml(doc, { files: { 'lib.xml': '<sbml level="3"><model>' } }));
    expect(broken.code).toBe('INVALID_SBML');
    expect(broken.message).toContain("'lib.xml'");
  });

  it('reports references that point to nothing as INVALID_SBML', () => {
    const missing = thrown(() => importSbml(compDoc(top(param('X', 1, true, replaced('comp:idRef="nothere" comp:submodelRef="A"'))), DECAY)));
    expect([missing.code, missing.details.sbmlId]).toEqual(['INVALID_SBML', 'nothere']);
    const noSubmodel = thrown(() => importSbml(compDoc(top(param('X', 1, true, replaced('comp:idRef="k" comp:submodelRef="Z"'))), DECAY)));
    expect([noSubmodel.code, noSubmodel.details.sbmlId]).toEqual(['INVALID_SBML', 'Z']);
    const noPort = thrown(() => importSbml(compDoc(top(param('X', 1, true, replaced('comp:portRef="pk" comp:submodelRef="A"'))), DECAY)));
    expect([noPort.code, noPort.details.sbmlId]).toEqual(['INVALID_SBML', 'pk']);
    const noModel = thrown(() => importSbml(compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="nope"/>'), DECAY)));
    expect([noModel.code, noModel.details.sbmlId]).toEqual(['INVALID_SBML', 'A']);
    const notSubmodel = thrown(() => importSbml(compDoc(top(param('X', 1, true, replaced('comp:idRef="k" comp:submodelRef="A"', '<comp:sBaseRef comp:idRef="x"/>'))), DECAY)));
    expect([notSubmodel.code, notSubmodel.details.sbmlId]).toEqual(['INVALID_SBML', 'k']);
  });

  it('reports a model that contains itself as INVALID_SBML', () => {
    const loop = definition('loop', submodels('<comp:submodel comp:id="again" comp:modelRef="loop"/>'));
    const e = thrown(() => importSbml(compDoc(submodels('<comp:submodel comp:id="A" comp:modelRef="loop"/>'), loop)));
    expect([e.code, e.details.sbmlId]).toEqual(['INVALID_SBML', 'again']);
  });

  it('refuses what the flattening cannot carry faithfully with UNSUPPORTED_SBML naming the element', () => {
    const kinds = thrown(() => importSbml(compDoc(`<listOfCompartments><compartment id="C" size="1" constant="true">${replaced('comp:idRef="k" comp:submodelRef="A"')}</compartment></listOfCompartments>${top('')}`, DECAY)));
    expect([kinds.code, kinds.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'A__k']);
    const species = `<listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="T" compartment="C" initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false">${replaced('comp:idRef="S" comp:submodelRef="A" comp:conversionFactor="cf"')}</species></listOfSpecies>`;
    const scaled = thrown(() => importSbml(compDoc(`${species}${top(param('cf', 2, true))}`, DECAY)));
    expect([scaled.code, scaled.details.sbmlId]).toEqual(['UNSUPPORTED_SBML', 'T']);
    expect(scaled.message).toContain('reactions of the submodel change');
  });

  it('still refuses other required packages', () => {
    const fbc = compDoc(top(''), DECAY).replace('comp:required="true"', 'comp:required="true" xmlns:distrib="http://www.sbml.org/sbml/level3/version1/distrib/version1" distrib:required="true"');
    const e = thrown(() => importSbml(fbc));
    expect([e.code, e.details.package]).toEqual(['UNSUPPORTED_SBML', 'distrib']);
  });
});

it('has SBML Test Suite comp cases among the fixtures (sbml.test.ts solves them against their expected results)', () => {
  const fixtures = path.join(__dirname, '..', 'fixtures', 'sbml-test-suite');
  const comp = fs.readdirSync(fixtures).filter((d) => /^\d{5}$/.test(d)).filter((d) => {
    const xml = fs.readdirSync(path.join(fixtures, d)).find((f) => f.endsWith('.xml'));
    return xml !== undefined && fs.readFileSync(path.join(fixtures, d, xml), 'utf8').includes('comp:required="true"');
  });
  expect(comp.length).toBeGreaterThanOrEqual(6);
});
