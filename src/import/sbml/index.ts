/**
 * SBML import: XML (fast-xml-parser) → element tree (xml.ts) → MathML
 * expression trees (mathml.ts) → a SystemDefinition (import.ts), with SBML
 * ids mapped to cubie names (names.ts).
 */
import { createSystem, type OdeSystem } from '../../system';
import { importSbml, type ImportSbmlOptions } from './import';

export { importSbml, outputExpression } from './import';
export type { ImportedModel, ImportSbmlOptions, SbmlElementType, SbmlSymbol } from './import';

/** importSbml, then createSystem on its definition (states and parameters carry the file's values). */
export function createSystemFromSbml(xml: string, options: ImportSbmlOptions = {}): OdeSystem {
  return createSystem(importSbml(xml, options).definition);
}
