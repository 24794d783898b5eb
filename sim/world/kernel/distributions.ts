import type { Micros } from './event-queue.ts';
import type { RandomStream } from './random-streams.ts';

/** z of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

/** A delay: fixed, or lognormal fitted to a median and a 99th percentile. */
export type DelaySpec = { readonly fixed: Micros } | { readonly median: Micros; readonly p99: Micros };

export type DelaySampler = (rng: RandomStream) => Micros;

/** A sampler of whole microseconds; lognormal draws use two uniforms (Box–Muller). */
export function delaySampler(spec: DelaySpec): DelaySampler {
  if ('fixed' in spec) {
    const fixed = spec.fixed;
    return () => fixed;
  }
  if (spec.median <= 0) return () => 0;
  const mu = Math.log(spec.median);
  const sigma = spec.p99 > spec.median ? (Math.log(spec.p99) - mu) / Z99 : 0;
  if (sigma === 0) {
    const median = spec.median;
    return () => median;
  }
  return (rng) => {
    const u1 = 1 - rng.nextFloat();
    const u2 = rng.nextFloat();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.round(Math.exp(mu + sigma * z));
  };
}

/** A uniform integer in [min, max]. */
export function uniformInt(rng: RandomStream, min: number, max: number): number {
  return min + rng.nextInt(max - min + 1);
}

/** An exponentially distributed whole-microsecond gap with the given mean (a Poisson process). */
export function exponentialGap(rng: RandomStream, mean: Micros): Micros {
  return Math.max(1, Math.round(-Math.log(1 - rng.nextFloat()) * mean));
}
