import type { Micros } from './event-queue.ts';
import type { RandomStream } from './random-streams.ts';

/** z of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

/** A delay: fixed, or lognormal fitted to a median and a 99th percentile. */
export type DelaySpec = { readonly fixed: Micros } | { readonly median: Micros; readonly p99: Micros };

/**
 * A delay drawn afresh for each message or query, in whole microseconds. An object with a
 * method, not a closure: a closure is made anew for every world (every seed), and V8's
 * code for a caller that inlined it checks that very closure, so the network's `send` and
 * rpc's answer were thrown away and compiled again each seed; a method is found by the
 * object's shape.
 */
export interface Delay {
  draw(rng: RandomStream): Micros;
}

class FixedDelay implements Delay {
  constructor(private readonly micros: Micros) {}

  draw(): Micros {
    return this.micros;
  }
}

/** Lognormal: two uniforms (Box–Muller), rounded to whole microseconds. */
class LognormalDelay implements Delay {
  constructor(
    private readonly mu: number,
    private readonly sigma: number,
  ) {}

  draw(rng: RandomStream): Micros {
    const u1 = 1 - rng.nextFloat();
    const u2 = rng.nextFloat();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.round(Math.exp(this.mu + this.sigma * z));
  }
}

/** The delay `spec` describes. */
export function delayOf(spec: DelaySpec): Delay {
  if ('fixed' in spec) return new FixedDelay(spec.fixed);
  if (spec.median <= 0) return new FixedDelay(0);
  const mu = Math.log(spec.median);
  const sigma = spec.p99 > spec.median ? (Math.log(spec.p99) - mu) / Z99 : 0;
  return sigma === 0 ? new FixedDelay(spec.median) : new LognormalDelay(mu, sigma);
}

/** A uniform integer in [min, max]. */
export function uniformInt(rng: RandomStream, min: number, max: number): number {
  return min + rng.nextInt(max - min + 1);
}

/** An exponentially distributed whole-microsecond gap with the given mean (a Poisson process). */
export function exponentialGap(rng: RandomStream, mean: Micros): Micros {
  return Math.max(1, Math.round(-Math.log(1 - rng.nextFloat()) * mean));
}
