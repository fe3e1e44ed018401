/**
 * The seed of a batch's noise: the one given, or one drawn per solve and
 * reported (result.seed), so any run can be repeated. The kernel gets it as
 * two 32-bit halves, each exact in a double slot (kernel/cubie/args.h).
 */
import { randomInt } from 'crypto';

/** Drawn seeds are below 2^48, randomInt's range; given ones may reach 2^53 - 1 (the table's check). */
const DRAWN_SEED_LIMIT = 2 ** 48 - 1;

export function batchSeed(given: number | undefined): number {
  return given ?? randomInt(0, DRAWN_SEED_LIMIT);
}

export function seedHalves(seed: number): { high: number; low: number } {
  return { high: Math.floor(seed / 2 ** 32), low: seed % 2 ** 32 };
}
