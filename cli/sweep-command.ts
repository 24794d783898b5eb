// `depotsim sweep` and `depotsim merge`: parameter studies over a grid × seeds, on worker
// threads, resumable, shardable across machines.
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  gridPoints,
  recommendation,
  summarisePoints,
  sweepCsv,
  sweepSummaryCsv,
  type GridAxis,
  type SweepRun,
} from '../reports/sweep-reports.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import type { CheckJob } from './check-job.ts';
import type { Scenario } from '../sim/harness/scenario/schema.ts';
import type { PoolFactory } from './check-command.ts';
import { processPool } from './process-pool.ts';
import { checkReportDir, outputError, readInput, sha256, writeDirAtomically, writeFileAtomically } from './files.ts';
import { countProgress } from './progress.ts';
import { MAX_SWEEP_RUNS, readRunsJsonl, readSweepSpec } from './read-back.ts';
import { describeParameters, EXIT } from './run-command.ts';

/** What defines a sweep's jobs: shards and resumed runs must agree on all of it. */
export interface SweepSpec {
  readonly scenario: string;
  readonly scenario_file: string;
  readonly scenario_sha256: string;
  readonly grid: readonly GridAxis[];
  readonly set: readonly string[];
  readonly seeds: number;
  readonly first_seed: number;
}

export function parseGrid(text: string): GridAxis {
  const eq = text.indexOf('=');
  const values = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (eq <= 0 || values.some((v) => v === '')) {
    throw new InputError('--grid', 1, 1, `expected path=v1,v2,…, got ${JSON.stringify(text)}`);
  }
  return { path: text.slice(0, eq), values };
}

export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count) throw new InputError('--shard', 1, 1, `expected I/N with 1 <= I <= N, got ${JSON.stringify(text)}`);
  return { index, count };
}

function pointSets(spec: SweepSpec, point: readonly string[]): string[] {
  return [...spec.set, ...spec.grid.map((axis, i) => `${axis.path}=${point[i] ?? ''}`)];
}

/** The final outputs; identical however the runs were produced (order, workers, shards). */
function outputs(spec: SweepSpec, runs: readonly SweepRun[]): Map<string, string> {
  const sorted = [...runs].sort((a, b) => a.job - b.job);
  const summaries = summarisePoints(spec.grid, spec.seeds, sorted);
  return new Map([
    ['sweep.csv', sweepCsv(spec.grid, spec.seeds, sorted)],
    ['sweep-summary.csv', sweepSummaryCsv(spec.grid, summaries)],
    ['recommendation.md', recommendation(spec.scenario, spec.grid, summaries)],
    ['runs.jsonl', sorted.map((r) => JSON.stringify(r)).join('\n') + '\n'],
  ]);
}

export interface SweepArgs {
  readonly scenario: string;
  readonly grid: readonly string[];
  readonly set: readonly string[];
  readonly seeds: number;
  readonly firstSeed: number;
  readonly workers: number;
  readonly shard?: string | undefined;
  readonly resume: boolean;
  readonly out?: string | undefined;
  readonly pool?: PoolFactory;
}

export async function sweepCommand(args: SweepArgs): Promise<number> {
  const text = readInput(args.scenario);
  const axes = args.grid.map(parseGrid);
  const base = loadScenario(args.scenario, text, args.set.map(parseOverride));
  const spec: SweepSpec = {
    scenario: base.name,
    scenario_file: args.scenario,
    scenario_sha256: sha256(text),
    grid: axes,
    set: args.set,
    seeds: args.seeds,
    first_seed: args.firstSeed,
  };
  const total = axes.reduce((n, axis) => n * axis.values.length, args.seeds);
  if (total > MAX_SWEEP_RUNS) throw new InputError('--grid', 1, 1, `expected a sweep of at most ${MAX_SWEEP_RUNS} runs (grid points × seeds), got ${total}`);
  const points = gridPoints(axes);
  // Every grid point must be a valid scenario before the first run; its runs are sent it as compiled here.
  const compiled = points.map((point) => {
    try {
      return loadScenario(args.scenario, text, pointSets(spec, point).map(parseOverride));
    } catch (err) {
      if (err instanceof InputError && err.file === '--set') throw new InputError('--grid', 1, 1, err.message);
      throw err;
    }
  });
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  const out = args.out ?? join('out', `${base.name}-sweep${shard === undefined ? '' : `-${shard.index}of${shard.count}`}`);
  checkReportDir(out);
  mkdirSync(out, { recursive: true });
  const specFile = join(out, 'sweep.json');
  const specText = JSON.stringify({ ...spec, ...(shard === undefined ? {} : { shard: `${shard.index}/${shard.count}` }) }, null, 2) + '\n';
  if (args.resume && existsSync(specFile) && readInput(specFile) !== specText) {
    throw new InputError(specFile, 1, 1, 'expected the same scenario, grid, overrides, seeds and shard as the sweep being resumed');
  }
  const done = args.resume ? readRunsJsonl(out, total, existsSync(join(out, 'runs.jsonl'))) : [];
  if (!args.resume) writeFileAtomically(join(out, 'runs.jsonl'), '');
  writeFileAtomically(specFile, specText);

  const mine = Array.from({ length: total }, (_, job) => job).filter((job) => shard === undefined || job % shard.count === shard.index - 1);
  const finished = new Set(done.map((r) => r.job));
  const todo = mine.filter((job) => !finished.has(job));
  process.stderr.write(
    `depotsim sweep: ${describeParameters(base, args.firstSeed)}\n  grid: ${axes.map((a) => `${a.path}=${a.values.join(',')}`).join(' ')}; ` +
      `${points.length} points × ${args.seeds} seeds (${args.firstSeed}..${args.firstSeed + args.seeds - 1}) = ${total} runs` +
      `${shard === undefined ? '' : `; shard ${shard.index}/${shard.count}: ${mine.length}`}${done.length > 0 ? `; ${done.length} already done` : ''}\n`,
  );

  const pool = (args.pool ?? processPool)(Math.max(1, Math.min(args.workers, todo.length)), todo.length);
  const progress = countProgress('sweep', todo.length);
  let failures = 0;
  const runs: SweepRun[] = [...done];
  let settled: PromiseSettledResult<void>[];
  try {
    settled = await Promise.allSettled(
      todo.map(async (job) => {
        const task: CheckJob = { scenario: compiled[Math.floor(job / args.seeds)] as Scenario, seed: args.firstSeed + (job % args.seeds) };
        const result = await pool.run(task);
        const run: SweepRun = { job, summary: result.summary };
        // Appended as it finishes, so that an interrupted sweep resumes where it stopped.
        try {
          appendFileSync(join(out, 'runs.jsonl'), JSON.stringify(run) + '\n');
        } catch (err) {
          throw outputError(join(out, 'runs.jsonl'), err);
        }
        runs.push(run);
        if (result.verdict !== 'pass') failures++;
        progress.update(failures);
      }),
    );
  } finally {
    progress.done();
    await pool.destroy();
  }
  // Every other run is in runs.jsonl already: --resume redoes only the one that failed.
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  if (shard !== undefined) {
    writeFileAtomically(join(out, 'runs.jsonl'), [...runs].sort((a, b) => a.job - b.job).map((r) => JSON.stringify(r)).join('\n') + '\n');
    process.stderr.write(`shard ${shard.index}/${shard.count} done: ${runs.length} runs in ${out}/; combine the shards with npx depotsim merge\n`);
    return EXIT.pass;
  }
  const files = outputs(spec, runs);
  for (const [name, contents] of files) writeFileAtomically(join(out, name), contents);
  process.stdout.write(files.get('recommendation.md') ?? '');
  process.stderr.write(`sweep.csv, sweep-summary.csv and recommendation.md in ${out}/\n`);
  return EXIT.pass;
}

/** Combines shard directories into the outputs of the unsharded sweep. */
export function mergeCommand(dirs: readonly string[], out: string): number {
  checkReportDir(out);
  let spec: SweepSpec | undefined;
  let specText: string | undefined;
  const runs = new Map<number, SweepRun>();
  for (const dir of dirs) {
    const raw = readSweepSpec(dir);
    const { shard: _shard, ...rest } = raw;
    const text = JSON.stringify(rest, null, 2) + '\n';
    if (specText !== undefined && text !== specText) throw new InputError(join(dir, 'sweep.json'), 1, 1, 'expected a shard of the same sweep as the other directories');
    spec = rest;
    specText = text;
  }
  const total = spec === undefined ? 0 : gridPoints(spec.grid).length * spec.seeds;
  for (const dir of dirs) for (const run of readRunsJsonl(dir, total, existsSync(join(dir, 'runs.jsonl')))) runs.set(run.job, run);
  if (spec === undefined || specText === undefined) throw new InputError('merge', 1, 1, 'expected at least one sweep directory');
  const missing = Array.from({ length: total }, (_, j) => j).filter((j) => !runs.has(j));
  if (missing.length > 0) throw new InputError(dirs[0] ?? 'merge', 1, 1, `expected all ${total} runs; ${missing.length} are missing (jobs ${missing.slice(0, 5).join(', ')}…): resume the unfinished shards`);
  const files = outputs(spec, [...runs.values()]);
  writeDirAtomically(out, new Map([['sweep.json', specText], ...files]));
  process.stdout.write(files.get('recommendation.md') ?? '');
  process.stderr.write(`merged ${dirs.length} shards: ${total} runs in ${out}/\n`);
  return EXIT.pass;
}
