import seedrandom from 'seedrandom';
import { stdRngFromSeed, type ChaChaRng } from './rng/chacha.ts';

/**
 * A `StdRng` keyed by 32 bytes that Alea draws from a string seed: the engine's rng for
 * tests, benchmarks and `depotsim plan` snapshots that name a seed rather than a key.
 */
export function seededRng(seed: string): ChaChaRng {
  const alea = seedrandom.alea(seed);
  return stdRngFromSeed(Uint8Array.from({ length: 32 }, () => Math.floor(alea.double() * 256)));
}
