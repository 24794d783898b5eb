// Sweep outputs (SPEC: sweep.csv, sweep-summary.csv) and the recommendation, as pure
// functions of the finished runs, whatever order they finished in.
import { csvParseRows } from 'd3-dsv';
import { csv, csvLine, percentile } from './format.ts';
import { SUMMARY_COLUMNS } from './run-reports.ts';

/** One grid parameter: a dotted scenario path and its values, as written on the command line. */
export interface GridAxis {
  readonly path: string;
  readonly values: readonly string[];
}

/** A finished run of a sweep: its job index and its `summary.csv` data row. */
export interface SweepRun {
  readonly job: number;
  readonly summary: string;
}

/** Every grid point in order, the first axis varying slowest. */
export function gridPoints(axes: readonly GridAxis[]): string[][] {
  let points: string[][] = [[]];
  for (const axis of axes) points = points.flatMap((point) => axis.values.map((value) => [...point, value]));
  return points;
}

export function sweepCsv(axes: readonly GridAxis[], seeds: number, runs: readonly SweepRun[]): string {
  const points = gridPoints(axes);
  const sorted = [...runs].sort((a, b) => a.job - b.job);
  const header = csv([...SUMMARY_COLUMNS, ...axes.map((a) => a.path)], []);
  return header + sorted.map((r) => `${r.summary},${csvLine(points[Math.floor(r.job / seeds)] ?? [])}\n`).join('');
}

/** Columns summarised per grid point, with whether smaller is better. */
const MEASURES = [
  'converged_at_s',
  'min_replication_max_s',
  'full_replication_max_s',
  'requests_total',
  'requests_failed',
  'duplicate_requests',
  'bytes_from_nexus',
  'bytes_between_sleds',
  'peak_local_bytes',
  'peak_sled_bytes',
  'artifacts_lost',
] as const;

export interface PointSummary {
  readonly point: readonly string[];
  readonly runs: number;
  readonly verdicts: { readonly pass: number; readonly safety: number; readonly liveness: number };
  /** measure → [p50, p95, max]; `null` when no run had a value. */
  readonly stats: ReadonlyMap<string, readonly [number | null, number | null, number | null]>;
}

export function summarisePoints(axes: readonly GridAxis[], seeds: number, runs: readonly SweepRun[]): PointSummary[] {
  const points = gridPoints(axes);
  const index = new Map(SUMMARY_COLUMNS.map((c, i) => [c, i]));
  const rows = runs.map((r) => ({ job: r.job, cells: csvParseRows(r.summary)[0] ?? [] }));
  return points.map((point, p) => {
    const mine = rows.filter((r) => Math.floor(r.job / seeds) === p);
    const verdict = (v: string): number => mine.filter((r) => r.cells[index.get('verdict') ?? -1] === v).length;
    const stats = new Map<string, [number | null, number | null, number | null]>();
    for (const measure of MEASURES) {
      const values = mine.map((r) => r.cells[index.get(measure) ?? -1] ?? '').filter((c) => c !== '').map(Number);
      stats.set(measure, [percentile(values, 0.5), percentile(values, 0.95), percentile(values, 1)]);
    }
    return { point, runs: mine.length, verdicts: { pass: verdict('pass'), safety: verdict('safety'), liveness: verdict('liveness') }, stats };
  });
}

export function sweepSummaryCsv(axes: readonly GridAxis[], summaries: readonly PointSummary[]): string {
  const columns = [
    ...axes.map((a) => a.path),
    'runs',
    'pass',
    'safety',
    'liveness',
    ...MEASURES.flatMap((m) => [`${m}_p50`, `${m}_p95`, `${m}_max`]),
  ];
  return csv(
    columns,
    summaries.map((s) => [
      ...s.point,
      s.runs,
      s.verdicts.pass,
      s.verdicts.safety,
      s.verdicts.liveness,
      // SPEC §3: at most 3 decimals (a p50 of two seconds values can have more).
      ...MEASURES.flatMap((m) => (s.stats.get(m) ?? [null, null, null]).map((v) => (v === null ? null : String(Math.round(v * 1000) / 1000)))),
    ]),
  );
}

/** What the recommendation trades off; all four are better when smaller. */
export const OBJECTIVES = [
  ['min_replication_max_s', 1, 'exposure p95 (s)'],
  ['full_replication_max_s', 1, 'full replication p95 (s)'],
  ['bytes_moved', 0, 'bytes moved p50'],
  ['peak_local_bytes', 1, 'peak local bytes p95'],
] as const;

function objectives(s: PointSummary): number[] {
  const get = (m: string, i: number): number => s.stats.get(m)?.[i] ?? Infinity;
  return OBJECTIVES.map(([m, i]) => (m === 'bytes_moved' ? get('bytes_from_nexus', 0) + get('bytes_between_sleds', 0) : get(m, i)));
}

/**
 * The points a recommendation may choose from: no safety failure, and every run converged
 * (a point that never finishes the work would win on bytes moved). If no point converged
 * in every run, the points without a safety failure.
 */
function candidates(summaries: readonly PointSummary[]): { readonly points: PointSummary[]; readonly live: boolean } {
  const safe = summaries.filter((s) => s.runs > 0 && s.verdicts.safety === 0);
  const live = safe.filter((s) => s.verdicts.liveness === 0);
  return live.length > 0 ? { points: live, live: true } : { points: safe, live: false };
}

/** The candidates that no other candidate beats on every objective. */
export function paretoFront(summaries: readonly PointSummary[]): PointSummary[] {
  return nonDominated(candidates(summaries).points);
}

function nonDominated(points: readonly PointSummary[]): PointSummary[] {
  const scored = points.map((s) => ({ s, o: objectives(s) }));
  const dominated = (a: number[], b: number[]): boolean => b.every((v, i) => v <= (a[i] as number)) && b.some((v, i) => v < (a[i] as number));
  return scored.filter(({ o }) => !scored.some((other) => other.o !== o && dominated(o, other.o))).map(({ s }) => s);
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 1e9) return `${(v / 2 ** 30).toFixed(1)} GiB`;
  if (v >= 1e6) return `${(v / 2 ** 20).toFixed(1)} MiB`;
  return String(Math.round(v * 10) / 10);
}

/** The recommendation as a Markdown table (also printed on the terminal). */
export function recommendation(scenario: string, axes: readonly GridAxis[], summaries: readonly PointSummary[]): string {
  const { points, live } = candidates(summaries);
  const front = nonDominated(points);
  const unsafe = summaries.filter((s) => s.verdicts.safety > 0).length;
  const stalled = summaries.filter((s) => s.verdicts.safety === 0 && s.verdicts.liveness > 0).length;
  const header = [...axes.map((a) => a.path), 'runs', 'liveness fails', ...OBJECTIVES.map(([, , label]) => label)];
  const rows = front.map((s) => [...s.point, String(s.runs), String(s.verdicts.liveness), ...objectives(s).map(formatNumber)]);
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const excluded = live
    ? `${unsafe} had at least one safety failure and ${stalled} more had a run that did not converge; both are excluded.`
    : `${unsafe} had at least one safety failure and are excluded; every other point had a run that did not converge, so those are kept.`;
  return (
    `# Recommendation for ${scenario}\n\n` +
    `${summaries.length} grid points; ${excluded} ` +
    `These ${front.length} points are on the Pareto front of the four objectives (smaller is better; none of the other candidates is at least as good on all four and better on one):\n\n` +
    `${table}\n`
  );
}
