/**
 * CellML import: XML (../xml.ts) → a flat model with imports resolved
 * (document.ts) → explicit equations (equations.ts, MathML through
 * ../mathml.ts) → connected variables as quantities with units
 * (equivalence.ts, units.ts) → a SystemDefinition (import.ts).
 */
import { createSystem, type OdeSystem } from '../../system';
import { importCellml, type ImportCellmlOptions } from './import';

export { importCellml } from './import';
export type { CellmlSymbol, ImportCellmlOptions, ImportedCellmlModel } from './import';
export type { CellmlFiles } from './document';

/** importCellml, then createSystem on its definition (states and parameters carry the file's values). */
export function createSystemFromCellml(xml: string, options: ImportCellmlOptions = {}): OdeSystem {
  return createSystem(importCellml(xml, options).definition);
}
