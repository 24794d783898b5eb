// `npm run fingerprint`: records reports/baselines/fingerprints.csv, the sha256 of every
// report of every bundled scenario × generation × seeds 1-5 (with history and trace).
// `npm run fingerprint -- --check` recomputes them all and names each run and file that
// differs (exit 1). `--only NAME` (repeatable) limits either to those scenarios;
// `--workers N` spreads the runs over N child processes (each takes every N-th run).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ENGINE_GENERATIONS } from '../core/types.ts';
import { csvParseRows } from 'd3-dsv';
import type { Scenario } from '../sim/harness/scenario/schema.ts';
import { FINGERPRINT_COLUMNS, FINGERPRINT_SEEDS, fingerprintRow, fingerprintsCsv, scenarioAtGeneration } from '../reports/fingerprint.ts';

const SCENARIOS = new URL('../scenarios/', import.meta.url);
const FILE = new URL('../reports/baselines/fingerprints.csv', import.meta.url);
const args = process.argv.slice(2);
const valueOf = (name: string): string | undefined => args[args.indexOf(name) + 1];
const check = args.includes('--check');
const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? [a] : []));
const workers = args.includes('--workers') ? Number(valueOf('--workers')) : 1;
/** `--part i/N`: a child's share, its rows printed as JSON lines for the parent. */
const part = args.includes('--part') ? (valueOf('--part') ?? '').split('/').map(Number) : undefined;

interface Job {
  readonly file: string;
  readonly text: string;
  readonly scenario: Scenario;
  readonly seed: number;
}

/** Rows by generation (in ENGINE_GENERATIONS order), then seed. */
const order = (r: readonly string[]): number => ENGINE_GENERATIONS.indexOf(r[1] as (typeof ENGINE_GENERATIONS)[number]) * 1000 + Number(r[2]);
const started = performance.now();
const jobs: Job[] = [];
for (const file of readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort()) {
  if (only.length > 0 && !only.includes(file.replace(/\.yaml$/, ''))) continue;
  const text = readFileSync(new URL(file, SCENARIOS), 'utf8');
  for (const generation of ENGINE_GENERATIONS) {
    const loaded = scenarioAtGeneration(`scenarios/${file}`, text, generation);
    if ('refused' in loaded) {
      if (part === undefined) process.stderr.write(`skipped ${file} at ${generation}: ${loaded.refused}\n`);
      continue;
    }
    for (const seed of FINGERPRINT_SEEDS) jobs.push({ file: `scenarios/${file}`, text, scenario: loaded.scenario, seed });
  }
}

async function runJobs(share: readonly Job[]): Promise<string[][]> {
  const rows: string[][] = [];
  for (const job of share) {
    const t0 = performance.now();
    rows.push(await fingerprintRow(job.file, job.text, job.scenario, job.seed));
    process.stderr.write(`${job.file} ${job.scenario.engine.generation} seed ${job.seed}: ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  }
  return rows;
}

/** Runs the jobs in `workers` children of this script, each taking every N-th job. */
async function runInChildren(): Promise<string[][]> {
  const children = Array.from({ length: workers }, (_, i) =>
    new Promise<string[][]>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, ...args.filter((a, k) => a !== '--workers' && args[k - 1] !== '--workers'), '--part', `${i}/${workers}`], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // 'close', not 'exit': a child's last rows may still be in the pipe when it exits.
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[])) : reject(new Error(`part ${i}/${workers} exited ${code}`))));
    }),
  );
  return (await Promise.all(children)).flat();
}

if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers takes a whole number ≥ 1');
if (part !== undefined) {
  // A child prints its rows and ends by itself: process.exit could cut a pipe's pending writes.
  const [index, of] = part as [number, number];
  const share = await runJobs(jobs.filter((_, k) => k % of === index));
  process.stdout.write(share.map((row) => `${JSON.stringify(row)}\n`).join(''));
} else {
  report(workers === 1 ? await runJobs(jobs) : await runInChildren());
}

function report(rows: readonly string[][]): void {
  if (!check) {
    // With --only, the other scenarios' recorded rows stay as they are.
    const kept = only.length === 0 ? [] : csvParseRows(readFileSync(FILE, 'utf8')).slice(1).filter((r) => !only.includes(r[0] ?? ''));
    const byName = (a: readonly string[], b: readonly string[]): number => ((a[0] ?? '') < (b[0] ?? '') ? -1 : (a[0] ?? '') > (b[0] ?? '') ? 1 : 0);
    const all = [...kept, ...rows].sort((a, b) => byName(a, b) || order(a) - order(b));
    writeFileSync(FILE, fingerprintsCsv(all));
    process.stdout.write(`wrote reports/baselines/fingerprints.csv: ${rows.length} runs in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  } else {
    const [header, ...recorded] = csvParseRows(readFileSync(FILE, 'utf8'));
    const key = (r: readonly string[]): string => r.slice(0, 3).join(' ');
    const byKey = new Map(recorded.map((r) => [key(r), r]));
    let differ = 0;
    for (const row of rows) {
      const was = byKey.get(key(row));
      if (was === undefined) {
        differ++;
        process.stdout.write(`${key(row)}: not in fingerprints.csv\n`);
        continue;
      }
      const moved = FINGERPRINT_COLUMNS.flatMap((column, i) => (row[i] === was[i] ? [] : [column]));
      if (moved.length > 0) {
        differ++;
        process.stdout.write(`${key(row)}: differs in ${moved.join(', ')}\n`);
      }
    }
    const missing = only.length === 0 ? recorded.filter((r) => !rows.some((row) => key(row) === key(r))).length : 0;
    if (header?.join(',') !== FINGERPRINT_COLUMNS.join(',')) process.stdout.write('fingerprints.csv has other columns\n');
    process.stdout.write(`${rows.length} runs checked, ${differ} differ, ${missing} recorded runs not run\n`);
    process.exitCode = differ === 0 && missing === 0 ? 0 : 1;
  }
}
