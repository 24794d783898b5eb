import { engineParams, type EngineParams, type LocalArtifact } from '../../../core/index.ts';
import type { RepoSpec, WorldConfig } from '../world.ts';

export const MS = 1_000;
export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** `count` artifacts of `size` bytes, named after the repo so repos share nothing. */
export function repo(name: string, count: number, size = 64 * MiB, prefix = name): RepoSpec {
  const artifacts: LocalArtifact[] = Array.from({ length: count }, (_, i) => ({ hash: `${prefix}-${String(i).padStart(4, '0')}`, size }));
  return { name, artifacts };
}

/**
 * A healthy production-like rack (SPEC defaults) with the given changes. Each Nexus boots
 * in its own phase (`bootSpread` = the period, the scenario default): Nexus in lockstep
 * activate in the same microsecond and race for the same sleds, which a test asks for by
 * `bootSpread: 0`.
 */
export function worldConfig(overrides: Partial<Omit<WorldConfig, 'engine'>> & { engine?: Partial<EngineParams> } = {}): WorldConfig {
  const { engine, ...rest } = overrides;
  return {
    seed: 1,
    sleds: 32,
    m2PerSled: 2,
    artifactQuota: 20 * GiB,
    network: { latency: { median: 1 * MS, p99: 20 * MS }, bandwidth: 1 * GiB, timeout: 60 * SECOND, loss: 0 },
    datastoreLatency: { median: 2 * MS, p99: 30 * MS },
    nexus: { count: 3, period: 300 * SECOND, bootSpread: 300 * SECOND, unpack: 30 * SECOND, uploadOrder: engine?.generation === undefined || engine.generation === 'review' ? 'channel_first' : 'db_first' },
    engine: engineParams(engine),
    reconcileDelay: 1 * MS,
    repos: [],
    tieBreak: false,
    ...rest,
  };
}
