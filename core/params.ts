import { ENGINE_GENERATIONS, PLANTED_BUGS, type EngineGeneration, type PlantedBug } from './types.ts';

export interface EngineParams {
  readonly generation: EngineGeneration;
  /** Sleds that must hold every artifact of a local repo before the Nexus drops it. */
  readonly minSledReplication: number;
  /** `review`: requests sent per activation; the rest are deferred. */
  readonly maxRequests: number;
  /** `review`: PUTs sent per activation (ENGINE.md: assumed 8). */
  readonly maxPutRequests: number;
  /** `merged`, `generation`: requests in flight at once. */
  readonly maxRequestConcurrency: number;
  /** Copies a sled should hold, one per M.2. */
  readonly expectedCount: number;
  readonly bugs: ReadonlySet<PlantedBug>;
}

export const DEFAULT_ENGINE_PARAMS: EngineParams = {
  generation: 'review',
  minSledReplication: 3,
  maxRequests: 32,
  maxPutRequests: 8,
  maxRequestConcurrency: 8,
  expectedCount: 2,
  bugs: new Set(),
};

export function engineParams(overrides: Partial<EngineParams> = {}): EngineParams {
  const params = { ...DEFAULT_ENGINE_PARAMS, ...overrides };
  const problems = engineParamProblems(params);
  if (problems.length > 0) throw new RangeError(`invalid engine parameters: ${problems.join('; ')}`);
  return params;
}

/** Every way `params` is unusable, worded for a user; empty when it is fine. */
export function engineParamProblems(params: EngineParams): string[] {
  const problems: string[] = [];
  if (!ENGINE_GENERATIONS.includes(params.generation)) {
    problems.push(`generation must be one of ${ENGINE_GENERATIONS.join(', ')}`);
  }
  const counts: [string, number, number][] = [
    ['min_sled_replication', params.minSledReplication, 1],
    ['max_requests', params.maxRequests, 0],
    ['max_put_requests', params.maxPutRequests, 0],
    ['max_request_concurrency', params.maxRequestConcurrency, 1],
    ['expected_count', params.expectedCount, 1],
  ];
  for (const [name, value, least] of counts) {
    if (!Number.isSafeInteger(value) || value < least) {
      problems.push(`${name} must be an integer >= ${least}, got ${value}`);
    }
  }
  for (const bug of params.bugs) {
    if (!PLANTED_BUGS.includes(bug)) problems.push(`unknown bug ${bug}`);
  }
  return problems;
}
