/** The roles a name can have in a system, and how messages say them. */
export type Role = 'state' | 'parameter' | 'constant' | 'driver' | 'auxiliary';

/** Roles declared in the definition's lists (states are handled apart: they may be inferred). */
export type DeclaredRole = 'parameter' | 'constant' | 'driver';

export const ROLE_WORDS: Readonly<Record<Role, string>> = {
  state: 'a state', parameter: 'a parameter', constant: 'a constant', driver: 'a driver', auxiliary: 'an auxiliary',
};
