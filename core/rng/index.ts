import type { EngineGeneration } from '../types.ts';
import type { RandSamplers, RandVersion } from './draws.ts';
import { rand085 } from './rand-0.8.5.ts';
import { rand092 } from './rand-0.9.2.ts';

export { ChaChaRng, stdRngFromSeed } from './chacha.ts';
export { RAND_VERSIONS, type RandSamplers, type RandVersion } from './draws.ts';

/**
 * Which `rand` each generation's commit builds with: 0.8.5 up to c31dc2f3 (Cargo.lock),
 * 0.9.2 from 8516b405 (omicron#8828), so `current` (b848b6df) too. `review` predates
 * the merge, whose lock file already had 0.8.5.
 */
export function randVersionOf(generation: EngineGeneration): RandVersion {
  return generation === 'current' ? '0.9.2' : '0.8.5';
}

export function randSamplers(version: RandVersion): RandSamplers {
  return version === '0.9.2' ? rand092 : rand085;
}

