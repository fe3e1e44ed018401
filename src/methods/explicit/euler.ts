import { defineTableau } from '../tableau';

// Euler, Institutiones calculi integralis (1768); Hairer, Norsett & Wanner I, II.1.
export const euler = defineTableau({
  name: 'euler',
  aliases: ['forward-euler', 'explicit-euler'],
  title: 'Forward Euler',
  source: 'Hairer, Norsett & Wanner, Solving ODEs I, II.1',
  order: 1,
  a: [],
  b: ['1'],
  c: ['0'],
  fsal: false,
});
