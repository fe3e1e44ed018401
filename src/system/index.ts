/**
 * ODE systems from text: parsing (mathjs) behind an allow-list, validation,
 * symbolic derivatives and a canonical hash. C++ generation is codegen's
 * (../codegen/system-source).
 *
 * Decisions a user can see, and where they live:
 *   - which line is a derivative, which names are states: classify.ts
 *   - observables name auxiliaries or states: resolve.ts
 *   - names and reserved words (t, pi, e, C++ keywords, function names): names.ts
 *   - an unnamed system is called `system_<first 8 hex digits of its hash>`: create.ts
 *   - what the hash covers (math and interface; not the name or defaults): hash.ts
 *   - the allowed functions and their derivatives: functions.ts
 *   - events (when/every/at, then, terminal, direction) and their rules: events.ts
 *   - noise (diagonal or general, calculus) and its rules: noise.ts; its
 *     resolved form and structure: noise-model.ts; Milstein terms: noise-derivatives.ts
 */
export { createSystem, isCubieSystem } from './create';
export { systemFromObject } from './load';
export type { LoadOptions } from './load';
export type {
  Calculus, CubieSystem, EventDefinition, EventDirection, EventTrigger, NormalizedDefinition, NormalizedEvent, OdeSystem, Precision,
  NoiseEntry, NormalizedNoise, SourceOptions, SystemDefinition,
} from './types';
export type { ModelNoise, NoiseStructure, NoiseTerm } from './noise-model';
export { noiseDerivatives } from './noise-derivatives';
export type { NoiseDerivatives } from './noise-derivatives';
export type { EventAssignment, ModelEvent, SystemModel } from './model';
export { HASH_FORMAT } from './hash';
