// The data a report page draws, built from a run's or a sweep's files. Shared by the
// generator (Node) and the page (browser), so it holds plain JSON only.
import { csvParse } from 'd3-dsv';

export interface RunPageData {
  readonly kind: 'run';
  readonly title: string;
  readonly verdict: string;
  readonly parameters: readonly (readonly [string, string])[];
  readonly timeline: readonly { t: number; fraction: number; bytesInFlight: number; requestsInFlight: number; lost: number }[];
  readonly faults: readonly { start: number; end: number; kind: string; target: string }[];
  /**
   * Requests started, by kind, per bucket of `minutes` from `minute` on, as a rate per
   * minute; buckets widen with the run so that a chart has a few hundred of them.
   */
  readonly requests: readonly { minute: number; minutes: number; kind: string; perMinute: number }[];
  /** Whether the run directory holds trace.json (`run --trace`). */
  readonly trace: boolean;
  readonly local: readonly { t: number; nexus: string; repos: number; bytes: number }[];
  readonly repos: readonly { repo: string; phase: string; start: number; end: number }[];
  readonly violations: readonly { t: number; invariant: string; detail: string }[];
  readonly end: number;
}

export interface SweepPageData {
  readonly kind: 'sweep';
  readonly title: string;
  readonly axes: readonly string[];
  readonly points: readonly {
    values: readonly string[];
    runs: number;
    pass: number;
    safety: number;
    liveness: number;
    fullP50: number | null;
    fullP95: number | null;
    exposureP95: number | null;
    bytesP50: number | null;
    localP95: number | null;
    pareto: boolean;
  }[];
}

export type PageData = RunPageData | SweepPageData;

const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

const PHASES: readonly (readonly [string, string, string])[] = [
  ['uploading', 'uploaded_at_s', 'in_db_at_s'],
  ['exposed', 'in_db_at_s', 'min_replicated_at_s'],
  ['replicating', 'min_replicated_at_s', 'fully_replicated_at_s'],
  ['replicated', 'fully_replicated_at_s', 'deleted_at_s'],
  ['purging', 'deleted_at_s', 'purged_at_s'],
];

/** Request-rate buckets per chart: a rack day (1,440 minutes) gets 6-minute buckets. */
const REQUEST_BUCKETS = 240;
/** The order of the request kinds' small multiples. */
export const REQUEST_KINDS = ['list', 'config', 'put', 'copy', 'delete'] as const;

/** Builds a run report's data from the files `depotsim run` writes (`trace`: trace.json is there too). */
export function runPageData(files: ReadonlyMap<string, string>, trace = false): RunPageData {
  const record = JSON.parse(files.get('run.json') ?? '{}') as Record<string, unknown>;
  const read = (name: string): Record<string, string>[] => csvParse(files.get(name) ?? '') as unknown as Record<string, string>[];
  const timeline = read('timeline.csv').map((r) => ({
    t: Number(r.t_s),
    fraction: Number(r.replicated_fraction),
    bytesInFlight: Number(r.bytes_in_flight),
    requestsInFlight: Number(r.requests_in_flight),
    lost: Number(r.artifacts_lost),
  }));
  const end = timeline.at(-1)?.t ?? 0;
  const minutes = Math.max(1, Math.ceil(end / 60 / REQUEST_BUCKETS));
  const perBucket = new Map<string, number>();
  for (const r of read('requests.csv')) {
    const key = `${Math.floor(Number(r.t_start_s) / 60 / minutes) * minutes}\u0000${r.kind}`;
    perBucket.set(key, (perBucket.get(key) ?? 0) + 1);
  }
  const repos = read('repos.csv').flatMap((r) =>
    PHASES.flatMap(([phase, from, to]) => {
      const start = num(r[from]);
      if (start === null) return [];
      return [{ repo: r.repo ?? '', phase, start, end: num(r[to]) ?? end }];
    }),
  );
  const params = (record.parameters ?? {}) as Record<string, Record<string, unknown>>;
  const engine = params.engine ?? {};
  const parameters: [string, string][] = [
    ['scenario', String(record.scenario)],
    ['seed', String(record.seed)],
    ['verdict', String(record.verdict)],
    ['converged at (s)', String(record.converged_at_s ?? '')],
    ['generation', String(record.generation)],
    ['min_sled_replication', String(engine.min_sled_replication)],
    ['max_requests', String(engine.max_requests)],
    ['max_put_requests', String(engine.max_put_requests)],
    ['max_request_concurrency', String(engine.max_request_concurrency)],
    ['sleds', String(params.rack?.sleds)],
    ['Nexus instances', String(params.nexus?.count)],
    ['history hash', String(record.history_hash)],
    ['depotsim', String(record.depotsim_version)],
  ];
  return {
    kind: 'run',
    title: `${String(record.scenario)}, seed ${String(record.seed)}`,
    verdict: String(record.verdict),
    parameters,
    timeline,
    faults: read('faults.csv').map((r) => ({ start: Number(r.start_s), end: num(r.end_s) ?? end, kind: r.kind ?? '', target: r.target ?? '' })),
    requests: [...perBucket].map(([key, count]) => {
      const [minute, kind] = key.split('\u0000') as [string, string];
      return { minute: Number(minute), minutes, kind, perMinute: count / minutes };
    }),
    trace,
    local: read('local.csv').map((r) => ({ t: Number(r.t_s), nexus: r.nexus ?? '', repos: Number(r.local_repos), bytes: Number(r.local_bytes) })),
    repos,
    violations: read('violations.csv').map((r) => ({ t: Number(r.t_s), invariant: r.invariant ?? '', detail: r.detail ?? '' })),
    end,
  };
}

/** Builds a sweep report's data from `sweep.json`, `sweep-summary.csv` and `recommendation.md`. */
export function sweepPageData(files: ReadonlyMap<string, string>): SweepPageData {
  const spec = JSON.parse(files.get('sweep.json') ?? '{}') as { scenario: string; grid: { path: string }[]; seeds: number };
  const axes = spec.grid.map((a) => a.path);
  const recommendation = files.get('recommendation.md') ?? '';
  const front = new Set(
    recommendation
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
      .slice(1)
      .map((line) => line.split(' | ').slice(0, axes.length).map((c) => c.replace(/^\| /, '')).join('\u0000')),
  );
  const rows = csvParse(files.get('sweep-summary.csv') ?? '') as unknown as Record<string, string>[];
  return {
    kind: 'sweep',
    title: `${spec.scenario}: ${axes.join(' × ')}, ${spec.seeds} seeds per point`,
    axes,
    points: rows.map((r) => {
      const values = axes.map((a) => r[a] ?? '');
      const bytes = (num(r.bytes_from_nexus_p50) ?? 0) + (num(r.bytes_between_sleds_p50) ?? 0);
      return {
        values,
        runs: Number(r.runs),
        pass: Number(r.pass),
        safety: Number(r.safety),
        liveness: Number(r.liveness),
        fullP50: num(r.full_replication_max_s_p50),
        fullP95: num(r.full_replication_max_s_p95),
        exposureP95: num(r.min_replication_max_s_p95),
        bytesP50: bytes,
        localP95: num(r.peak_local_bytes_p95),
        pareto: front.has(values.join('\u0000')),
      };
    }),
  };
}
