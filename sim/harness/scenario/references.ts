import { MAX_ARTIFACTS, MAX_SAMPLES, MAX_SLED_ACTIVATIONS, MAX_SLED_ARTIFACT_PAIRS, MAX_SLEDS } from './limits.ts';
import { formatDuration } from './units.ts';
import type { Scenario, ScenarioEvent } from './schema.ts';

export interface ReferenceProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What the schema cannot see: names that must refer to a repo, sled or Nexus of the
 * scenario, and times that must fall within its duration. Returns the first problem.
 */
export function checkReferences(s: Scenario): ReferenceProblem | undefined {
  const repos = new Set<string>();
  for (const [i, repo] of s.repos.entries()) {
    if (repos.has(repo.name)) return { path: ['repos', i, 'name'], message: `repo "${repo.name}" is defined twice` };
    if (repo.shares !== undefined && !repos.has(repo.shares.repo)) {
      return { path: ['repos', i, 'shares', 'repo'], message: `expected the name of a repo defined above this one, got "${repo.shares.repo}"` };
    }
    if (typeof repo.size !== 'number' && repo.size.min > repo.size.max) {
      return { path: ['repos', i, 'size'], message: 'expected min <= max' };
    }
    repos.add(repo.name);
  }
  const artifacts = s.repos.reduce((n, r) => n + r.artifacts, 0);
  if (artifacts > MAX_ARTIFACTS) return { path: ['repos'], message: `expected at most ${MAX_ARTIFACTS} artifacts over all repos, got ${artifacts}` };
  const repoList = [...repos].join(', ') || 'none defined';
  for (const [i, name] of s.initial.repos.entries()) {
    if (!repos.has(name)) return { path: ['initial', 'repos', i], message: `expected a repo of this scenario (${repoList}), got "${name}"` };
  }
  if (s.initial.on !== 'all') {
    for (const [i, sled] of s.initial.on.entries()) {
      if (index(sled) >= s.rack.sleds) return { path: ['initial', 'on', i], message: `expected a sled of the initial rack (sled-0 … sled-${s.rack.sleds - 1}), got "${sled}"` };
    }
  }
  if (s.faults?.until !== undefined && s.faults.until > s.duration) {
    return { path: ['faults', 'until'], message: `expected a time within the duration (${formatDuration(s.duration)})` };
  }
  const samples = Math.floor((s.duration + s.expect.converge_within) / s.sample_every);
  if (samples > MAX_SAMPLES) {
    return { path: ['sample_every'], message: `expected at most ${MAX_SAMPLES} timeline samples over duration and converge_within, got ${samples}; sample less often` };
  }
  const faultRange = rangeProblem(s);
  if (faultRange !== undefined) return faultRange;

  // Sleds added by `add_sleds` exist from their event on; same-time events keep file order.
  const order = s.events.map((event, i) => ({ event, i })).sort((a, b) => a.event.at - b.event.at || a.i - b.i);
  let sleds = s.rack.sleds;
  for (const { event, i } of order) {
    if (event.at > s.duration) return { path: ['events', i, 'at'], message: `expected a time within the duration (${formatDuration(s.duration)})` };
    const problem = eventProblem(event, sleds, s, repos, repoList);
    if (problem !== undefined) return { path: ['events', i, ...problem.path], message: problem.message };
    if ('add_sleds' in event) {
      sleds += event.add_sleds;
      if (sleds > MAX_SLEDS) return { path: ['events', i, 'add_sleds'], message: `expected at most ${MAX_SLEDS} sleds in the rack, got ${sleds}` };
    }
  }
  const activations = Math.ceil((s.duration + s.expect.converge_within) / s.nexus.period) * s.nexus.count;
  if (activations * sleds > MAX_SLED_ACTIVATIONS) {
    return {
      path: ['nexus', 'period'],
      message: `expected at most ${MAX_SLED_ACTIVATIONS} sled-activations (duration and converge_within over the period, times the Nexus count, times ${sleds} sleds), got ${activations * sleds}; use a longer period or a shorter run`,
    };
  }
  if (sleds * artifacts > MAX_SLED_ARTIFACT_PAIRS) {
    return { path: ['repos'], message: `expected at most ${MAX_SLED_ARTIFACT_PAIRS} sled-artifact pairs (sleds × artifacts of all repos), got ${sleds} × ${artifacts}` };
  }
  return undefined;
}

/** A `{ min, max }` of the random fault families must not be upside down. */
function rangeProblem(s: Scenario): ReferenceProblem | undefined {
  for (const [family, spec] of Object.entries(s.faults ?? {})) {
    if (typeof spec !== 'object') continue;
    for (const [key, value] of Object.entries(spec)) {
      if (typeof value === 'object' && value.min > value.max) return { path: ['faults', family, key], message: `expected min <= max, got ${formatDuration(value.min)} > ${formatDuration(value.max)}` };
    }
  }
  return undefined;
}

function index(node: string): number {
  return Number(node.slice(node.lastIndexOf('-') + 1));
}

function eventProblem(event: ScenarioEvent, sleds: number, s: Scenario, repos: ReadonlySet<string>, repoList: string): ReferenceProblem | undefined {
  const node = (name: string, path: (string | number)[]): ReferenceProblem | undefined => {
    if (name.startsWith('sled-') && index(name) >= sleds) {
      return { path, message: `expected a sled that exists at this time (sled-0 … sled-${sleds - 1}), got "${name}"` };
    }
    if (name.startsWith('nexus-') && index(name) >= s.nexus.count) {
      return { path, message: `expected a Nexus of this scenario (nexus-0 … nexus-${s.nexus.count - 1}), got "${name}"` };
    }
    return undefined;
  };
  const repo = (name: string, path: (string | number)[]): ReferenceProblem | undefined =>
    repos.has(name) ? undefined : { path, message: `expected a repo of this scenario (${repoList}), got "${name}"` };

  if ('upload' in event) return repo(event.upload, ['upload']) ?? node(event.via, ['via']);
  if ('delete' in event) return repo(event.delete, ['delete']);
  if ('target_release' in event) return repo(event.target_release, ['target_release']);
  if ('crash' in event) return node(event.crash, ['crash']);
  if ('restart' in event) return node(event.restart, ['restart']);
  if ('expunge' in event) return node(event.expunge, ['expunge']);
  if ('activate' in event) return node(event.activate, ['activate']);
  if ('m2_fail' in event) {
    if (event.m2_fail.m2 >= s.rack.m2_per_sled) {
      return { path: ['m2_fail', 'm2'], message: `expected an M.2 index below ${s.rack.m2_per_sled}, got ${event.m2_fail.m2}` };
    }
    return node(event.m2_fail.sled, ['m2_fail', 'sled']);
  }
  if ('partition' in event) {
    const sides = [...event.partition.between.map((n, i) => [n, 'between', i] as const), ...event.partition.and.map((n, i) => [n, 'and', i] as const)];
    for (const [name, side, i] of sides) {
      const problem = node(name, ['partition', side, i]);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if ('slow' in event) return node(event.slow.node, ['slow', 'node']);
  return undefined;
}
