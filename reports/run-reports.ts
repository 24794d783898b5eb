// A run's reports (SPEC §3) as pure functions of its outcome: file name → contents.
import type { RunOutcome } from '../sim/harness/runner.ts';
import type { RequestKind } from '../sim/world/world-events.ts';
import { csv, percentile, ratio, seconds } from './format.ts';

export const SUMMARY_COLUMNS = [
  'scenario', 'seed', 'generation', 'sleds', 'nexus_count', 'min_sled_replication', 'max_requests', 'max_put_requests',
  'max_request_concurrency', 'verdict', 'converged', 'converged_at_s', 'violations', 'artifacts_lost', 'activations',
  'requests_total', 'requests_put', 'requests_copy', 'requests_delete', 'requests_list', 'requests_failed',
  'requests_deferred', 'duplicate_requests', 'bytes_from_nexus', 'bytes_between_sleds', 'peak_local_bytes',
  'peak_sled_bytes', 'min_replication_p50_s', 'min_replication_max_s', 'full_replication_p50_s', 'full_replication_max_s',
  'nexus_panics',
] as const;

export const TIMELINE_COLUMNS = [
  't_s', 'sleds_up', 'nexus_up', 'repos_in_db', 'artifacts_wanted', 'pairs_wanted', 'pairs_present', 'replicated_fraction',
  'artifacts_fully_replicated', 'artifacts_below_min', 'artifacts_without_sled_copy', 'artifacts_lost', 'unwanted_pairs',
  'local_repos', 'local_bytes', 'requests_in_flight', 'bytes_in_flight',
] as const;

export const REPOS_COLUMNS = [
  'repo', 'artifacts', 'bytes', 'via', 'uploaded_at_s', 'in_db_at_s', 'min_replicated_at_s', 'fully_replicated_at_s',
  'local_released_at_s', 'deleted_at_s', 'purged_at_s', 'lost',
] as const;

export const REQUESTS_COLUMNS = [
  't_start_s', 't_end_s', 'nexus', 'activation', 'kind', 'target', 'source', 'artifact', 'bytes', 'outcome', 'error',
] as const;

export const LOCAL_COLUMNS = ['t_s', 'nexus', 'local_repos', 'local_bytes'] as const;

export const FAULTS_COLUMNS = ['start_s', 'end_s', 'kind', 'target'] as const;
export const VIOLATIONS_COLUMNS = ['t_s', 'invariant', 'nexus', 'sled', 'repo', 'artifact', 'detail'] as const;

/** One `summary.csv` row, as cells in SUMMARY_COLUMNS order (also a `sweep.csv` row). */
export function summaryRow(run: RunOutcome): (string | number)[] {
  const { scenario: s, metrics } = run;
  const kind = (k: RequestKind): number => metrics.requestsSent.get(k) ?? 0;
  const okBytes = (k: RequestKind): number => metrics.bytesMoved.get(k) ?? 0;
  const uploaded = [...metrics.repos.values()].filter((r) => r.uploadedAt !== null && r.inDbAt !== null);
  const delays = (at: (r: (typeof uploaded)[number]) => number | null): number[] =>
    uploaded.flatMap((r) => {
      const t = at(r);
      return t === null || r.inDbAt === null ? [] : [t - r.inDbAt];
    });
  const minDelays = delays((r) => r.minReplicatedAt);
  const fullDelays = delays((r) => r.fullyReplicatedAt);
  return [
    s.name,
    run.seed,
    s.engine.generation,
    s.rack.sleds,
    s.nexus.count,
    s.engine.min_sled_replication,
    s.engine.max_requests,
    s.engine.max_put_requests,
    s.engine.max_request_concurrency,
    run.verdict,
    run.convergedAt === null ? 'false' : 'true',
    seconds(run.convergedAt),
    run.violations.length,
    metrics.lostArtifacts.size,
    metrics.activations,
    [...metrics.requestsSent.values()].reduce((a, b) => a + b, 0),
    kind('put'),
    kind('copy'),
    kind('delete'),
    kind('list'),
    metrics.requestsFailed,
    metrics.requestsDeferred,
    metrics.duplicateRequests,
    okBytes('put'),
    okBytes('copy'),
    metrics.peakLocalBytes,
    metrics.peakDatasetBytes,
    seconds(percentile(minDelays, 0.5)),
    seconds(percentile(minDelays, 1)),
    seconds(percentile(fullDelays, 0.5)),
    seconds(percentile(fullDelays, 1)),
    metrics.faults.filter((f) => f.kind === 'nexus_panic').length,
  ];
}

export function summaryCsv(run: RunOutcome): string {
  return csv(SUMMARY_COLUMNS, [summaryRow(run)]);
}

export function timelineCsv(run: RunOutcome): string {
  return csv(
    TIMELINE_COLUMNS,
    run.timeline.map((r) => [
      seconds(r.t),
      r.sledsUp,
      r.nexusUp,
      r.reposInDb,
      r.artifactsWanted,
      r.pairsWanted,
      r.pairsPresent,
      ratio(r.pairsWanted === 0 ? 1 : r.pairsPresent / r.pairsWanted),
      r.artifactsFullyReplicated,
      r.artifactsBelowMin,
      r.artifactsWithoutSledCopy,
      r.artifactsLost,
      r.unwantedPairs,
      r.localRepos,
      r.localBytes,
      r.requestsInFlight,
      r.bytesInFlight,
    ]),
  );
}

export function reposCsv(run: RunOutcome): string {
  return csv(
    REPOS_COLUMNS,
    run.scenario.repos.map((spec) => {
      const r = run.metrics.repos.get(spec.name);
      const artifacts = run.world.repos.get(spec.name)?.artifacts ?? [];
      return [
        spec.name,
        artifacts.length,
        artifacts.reduce((sum, a) => sum + a.size, 0),
        r?.via ?? null,
        seconds(r?.uploadedAt ?? null),
        seconds(r?.inDbAt ?? null),
        seconds(r?.minReplicatedAt ?? null),
        seconds(r?.fullyReplicatedAt ?? null),
        seconds(r?.localReleasedAt ?? null),
        seconds(r?.deletedAt ?? null),
        seconds(r?.purgedAt ?? null),
        r?.lost ?? 0,
      ];
    }),
  );
}

export function requestsCsv(run: RunOutcome): string {
  return csv(
    REQUESTS_COLUMNS,
    run.metrics.requests.map((r) => [
      seconds(r.start),
      seconds(r.end),
      r.nexus,
      r.activation,
      r.kind,
      r.target,
      r.source,
      r.artifact,
      r.bytes,
      r.outcome,
      r.error,
    ]),
  );
}

/** Extension of SPEC §3: local storage per Nexus at every timeline sample. */
export function localCsv(run: RunOutcome): string {
  return csv(LOCAL_COLUMNS, run.timeline.flatMap((r) => r.local.map((l) => [seconds(r.t), l.nexus, l.repos, l.bytes])));
}

export function faultsCsv(run: RunOutcome): string {
  return csv(FAULTS_COLUMNS, run.metrics.faults.map((f) => [seconds(f.start), seconds(f.end), f.kind, f.target]));
}

export function violationsCsv(run: Pick<RunOutcome, 'violations'>): string {
  return csv(
    VIOLATIONS_COLUMNS,
    run.violations.map((v) => [seconds(v.t), v.invariant, v.nexus, v.sled, v.repo, v.artifact, v.detail]),
  );
}

export interface RunJsonContext {
  /** sha256 of the scenario file's bytes. */
  readonly scenarioSha256: string;
  readonly scenarioFile: string;
  readonly overrides: readonly string[];
  readonly version: string;
}

/** `run.json`: what `replay` needs to re-run this exact run, and what it produced. */
export function runJson(run: RunOutcome, context: RunJsonContext): string {
  return (
    JSON.stringify(
      {
        scenario: run.scenario.name,
        scenario_file: context.scenarioFile,
        scenario_sha256: context.scenarioSha256,
        overrides: context.overrides,
        seed: run.seed,
        generation: run.scenario.engine.generation,
        depotsim_version: context.version,
        history_hash: run.historyHash,
        verdict: run.verdict,
        converged_at_s: seconds(run.convergedAt),
        ended_at_s: seconds(run.endedAt),
        parameters: run.scenario,
        sled_uuids: Object.fromEntries(run.world.sledUuids),
      },
      null,
      2,
    ) + '\n'
  );
}

/** Every CSV report of a run, by file name. */
export function runReports(run: RunOutcome): Map<string, string> {
  return new Map([
    ['summary.csv', summaryCsv(run)],
    ['timeline.csv', timelineCsv(run)],
    ['repos.csv', reposCsv(run)],
    ['requests.csv', requestsCsv(run)],
    ['faults.csv', faultsCsv(run)],
    ['local.csv', localCsv(run)],
    ['violations.csv', violationsCsv(run)],
  ]);
}
