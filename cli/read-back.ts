// The files depotsim reads back (run.json, sweep.json, runs.jsonl): each validated, and a
// corrupt or foreign one is one line naming the file, exit 2 — never a crash further on.
import { join } from 'node:path';
import * as z from 'zod';
import type { SweepRun } from '../reports/sweep-reports.ts';
import { InputError } from '../sim/harness/scenario/input-error.ts';
import { readInput } from './files.ts';

/** The most runs one sweep may have (grid points × seeds); also the bound of `--seeds`. */
export const MAX_SWEEP_RUNS = 1_000_000;
/** runs.jsonl holds a summary line of about 400 bytes per run. */
const MAX_RUNS_JSONL_BYTES = 1 << 30;

const sha = z.string().regex(/^[0-9a-f]{64}$/);
const seed = z.int().min(0);

const runRecord = z.looseObject({
  scenario_file: z.string(),
  scenario_sha256: sha,
  overrides: z.array(z.string()),
  seed,
});
export type RunRecord = z.output<typeof runRecord>;

const gridAxis = z.strictObject({ path: z.string().min(1), values: z.array(z.string()).min(1) });
const sweepSpec = z.strictObject({
  scenario: z.string(),
  scenario_file: z.string(),
  scenario_sha256: sha,
  grid: z.array(gridAxis).min(1),
  set: z.array(z.string()),
  seeds: z.int().min(1),
  first_seed: seed,
  shard: z.string().regex(/^\d+\/\d+$/).optional(),
});
export type SweepSpecFile = z.output<typeof sweepSpec>;

function parseJson<T>(file: string, text: string, schema: z.ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, 1, 1, `expected ${what}, got invalid JSON (${(err as Error).message})`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InputError(file, 1, 1, `expected ${what}, got ${issue === undefined ? 'something else' : `${issue.path.join('.') || 'the top level'}: ${issue.message}`}`);
}

export function readRunRecord(dir: string): RunRecord {
  const file = join(dir, 'run.json');
  return parseJson(file, readInput(file), runRecord, 'the run.json that depotsim run writes');
}

export function readSweepSpec(dir: string): SweepSpecFile {
  const file = join(dir, 'sweep.json');
  const spec = parseJson(file, readInput(file), sweepSpec, 'the sweep.json that depotsim sweep writes');
  const runs = spec.grid.reduce((n, axis) => n * axis.values.length, spec.seeds);
  if (runs > MAX_SWEEP_RUNS) throw new InputError(file, 1, 1, `expected a sweep of at most ${MAX_SWEEP_RUNS} runs, got ${runs}`);
  return spec;
}

const sweepRun = z.strictObject({ job: z.int().min(0), summary: z.string() });

/**
 * The runs of `dir/runs.jsonl` (none if it does not exist), each job below `total`. A
 * sweep killed mid-write can leave a torn last line: that run is simply redone. Any other
 * bad line is an error naming its line.
 */
export function readRunsJsonl(dir: string, total: number, exists: boolean): SweepRun[] {
  if (!exists) return [];
  const file = join(dir, 'runs.jsonl');
  const lines = readInput(file, MAX_RUNS_JSONL_BYTES).split('\n');
  const runs = new Map<number, SweepRun>();
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    let parsed: z.ZodSafeParseResult<SweepRun>;
    try {
      parsed = sweepRun.safeParse(JSON.parse(line));
    } catch {
      if (i === lines.length - 1) continue;
      throw new InputError(file, i + 1, 1, 'expected one run as JSON per line, got invalid JSON');
    }
    if (!parsed.success || parsed.data.job >= total) throw new InputError(file, i + 1, 1, `expected { "job": 0…${total - 1}, "summary": "…" }, got ${line.slice(0, 80)}`);
    runs.set(parsed.data.job, parsed.data);
  }
  return [...runs.values()];
}
