// `npx tsx bench/compare.ts BEFORE [--rounds N] [--check-seeds N] [--only rack-day|check|ceiling|instructions]...`:
// this tree against another checkout of depotsim (BEFORE, e.g. `git archive COMMIT | tar -x
// -C DIR` with a node_modules link), interleaved in one run so that the noisy machine's
// drift hits both sides alike: rack-day per generation (5 seeds a child, before and after
// alternating and swapping who goes first each round, ratio per round), a `check` of
// rack-day on 2 workers (wall time with start-up), and the machine's own two-core ceiling:
// what two independent processes of the same runs gain over one. Asked for by name
// (`--only instructions`, it takes minutes and needs valgrind): both sides' instructions
// under callgrind, which no drift moves (`--instr-seeds N`, `--instr-generation G`...),
// and with `--functions N` the N functions whose generated code changed its count most
// (named from V8's `--perf-basic-prof` map; code at an address that held two functions'
// code over the run is told apart by nothing, goes to the first, and its share is printed).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ENGINE_GENERATIONS } from '../core/index.ts';
import type { ChildResult } from './run-child.ts';
import { moduleOfLine } from './bundle-modules.ts';
import { byCategory, CATEGORIES, codeNamer, functionLabel, jitByFunction, selfCosts, type Category, type JitByFunction } from './callgrind.ts';
import { fmt, median, scenarioPath, sum, thousands, twoCoreCeiling } from './measure.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const beforeRoot = args[0];
if (beforeRoot === undefined || beforeRoot.startsWith('--')) throw new Error('usage: compare BEFORE [--rounds N] [--check-seeds N] [--only rack-day|check|ceiling|instructions]... [--functions N]');
const ROUNDS = option('--rounds', 5);
const valuesOf = (name: string): string[] => args.flatMap((a, i) => (args[i - 1] === name ? [a] : []));
const only = valuesOf('--only');
const runs = (section: string): boolean => (only.length === 0 && section !== 'instructions') || only.includes(section);
const INSTR_SEEDS = option('--instr-seeds', 3);
const FUNCTIONS = option('--functions', 0);
const INSTR_GENERATIONS = valuesOf('--instr-generation').length > 0 ? valuesOf('--instr-generation') : ['review', 'merged'];
const CHECK_SEEDS = option('--check-seeds', 40);
const SEEDS = 5;
const afterRoot = resolve(new URL('..', import.meta.url).pathname);

interface Side {
  readonly name: string;
  readonly child: string;
  readonly bin: string;
}

async function side(name: string, root: string): Promise<Side> {
  const { bundled } = (await import(join(resolve(root), 'bin/load.js'))) as { bundled: (entry: string) => Promise<string> };
  return { name, child: await bundled('bench/run-child.ts'), bin: join(resolve(root), 'bin/depotsim.js') };
}

function child(s: Side, extra: readonly string[]): ChildResult {
  const result = spawnSync(process.execPath, [s.child, scenarioPath('rack-day'), String(SEEDS), ...extra], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`${s.name} run-child exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}

/** Exit 1 and 3 are findings of rack-day seeds (safety, liveness), not a failed benchmark. */
function checkWall(s: Side): number {
  const start = performance.now();
  const argv = [s.bin, 'check', scenarioPath('rack-day'), '--seeds', String(CHECK_SEEDS), '--workers', '2'];
  const result = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (![0, 1, 3].includes(result.status ?? -1)) throw new Error(`${s.name} check exited ${result.status}: ${result.stderr}`);
  return (performance.now() - start) / 1000;
}

interface Counted {
  readonly total: number;
  readonly categories: Record<Category, number>;
  /** Generated code's instructions by function (with `--functions`). */
  readonly byFunction: JitByFunction;
}

/**
 * `s`'s instructions for one untimed and INSTR_SEEDS timed rack-day seeds of `generation`,
 * under callgrind. `--predictable` compiles on the main thread, where callgrind sees it.
 * The collector's row does not repeat, even under `--predictable-gc-schedule`: two counts
 * of one bundle from one path differed by 4–5 % in it, and by 22 % with `--hash-seed=1`
 * added (twentieth session), where the other rows agreed within 1 %. So the line to read
 * is the total outside the collector.
 */
async function counted(s: Side, generation: string): Promise<Counted> {
  const dir = mkdtempSync(join(tmpdir(), 'depotsim-callgrind-'));
  const out = join(dir, 'callgrind.out');
  // V8 writes its map of code objects to /tmp/perf-PID.map (valgrind runs node in its own
  // process: PID is valgrind's), and, with it, a log of its own, sent to the directory
  // removed below.
  const perf = FUNCTIONS > 0 ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${join(dir, 'v8.log')}`] : [];
  const node = [process.execPath, '--predictable', '--predictable-gc-schedule', ...perf, s.child, scenarioPath('rack-day'), String(INSTR_SEEDS), '--set', `engine.generation=${generation}`];
  const valgrind = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, ...node], { stdio: 'ignore' });
  const status = await new Promise<number | null>((done) => valgrind.on('exit', done));
  const map = `/tmp/perf-${valgrind.pid}.map`;
  try {
    if (status !== 0) throw new Error(`${s.name} under callgrind exited ${status}`);
    const { total, functions } = selfCosts(readFileSync(out, 'utf8'));
    let byFunction: JitByFunction = { sums: new Map(), reused: 0 };
    if (FUNCTIONS > 0) {
      const module = moduleOfLine(readFileSync(s.child, 'utf8'));
      const url = pathToFileURL(s.child).href;
      byFunction = jitByFunction(functions, codeNamer(readFileSync(map, 'utf8')), (name) => functionLabel(name, url, module));
    }
    return { total, categories: byCategory(functions), byFunction };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (FUNCTIONS > 0) rmSync(map, { force: true });
  }
}

const before = await side('before', beforeRoot);
const after = await side('after', afterRoot);
console.log(`before ${resolve(beforeRoot)}, after ${afterRoot}${['rack-day', 'check'].some(runs) ? `; ${ROUNDS} interleaved rounds` : ''}`);

for (const generation of runs('rack-day') ? ENGINE_GENERATIONS : []) {
  const set = ['--set', `engine.generation=${generation}`];
  const ratios: number[] = [];
  const walls = { before: [] as number[], after: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [before, after] : [after, before];
    const got = new Map(order.map((s) => [s.name, child(s, set).walls]));
    const b = got.get('before') as number[];
    const a = got.get('after') as number[];
    walls.before.push(...b);
    walls.after.push(...a);
    ratios.push(sum(b) / sum(a));
  }
  console.log(
    `rack-day ${generation.padEnd(10)} before ${fmt(median(walls.before), 3)} s/seed, after ${fmt(median(walls.after), 3)} s/seed, ` +
      `speed-up ${fmt(median(ratios))}x (rounds ${ratios.map((r) => fmt(r)).join(', ')})`,
  );
}

const checks = { before: [] as number[], after: [] as number[] };
for (let round = 0; round < (runs('check') ? ROUNDS : 0); round++) {
  for (const s of round % 2 === 0 ? [before, after] : [after, before]) checks[s.name as 'before' | 'after'].push(checkWall(s));
}
if (runs('check')) console.log(
  `check ${CHECK_SEEDS} seeds of rack-day, 2 workers, wall with start-up: before ${fmt(median(checks.before), 1)} s, after ${fmt(median(checks.after), 1)} s, ` +
    `speed-up ${fmt(median(checks.before) / median(checks.after))}x`,
);

if (runs('ceiling')) {
  const ceiling = await twoCoreCeiling([after.child, scenarioPath('rack-day'), '6']);
  console.log(`two-core ceiling: 2 independent processes of 6 rack-day runs each do ${fmt(ceiling)}x the work of one`);
}

const hasValgrind = (): boolean => spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
if (runs('instructions') && !hasValgrind()) console.log('instructions: skipped, valgrind is not installed (apt-get install valgrind)');
else if (runs('instructions')) {
  const millions = (n: number): string => `${thousands(n / 1e6)} M`.padStart(10);
  for (const generation of INSTR_GENERATIONS) {
    // The two sides at once: a count does not depend on what else runs.
    const [b, a] = await Promise.all([counted(before, generation), counted(after, generation)]);
    console.log(`instructions, rack-day ${generation}, 1 untimed + ${INSTR_SEEDS} timed seeds (callgrind): before → after, after/before`);
    const rows = [
      ['total', b.total, a.total] as const,
      ['outside gc', b.total - b.categories.gc, a.total - a.categories.gc] as const,
      ...CATEGORIES.map((c) => [`  ${c}`, b.categories[c], a.categories[c]] as const),
    ];
    for (const [name, x, y] of rows) {
      console.log(`${name.padEnd(10)} ${millions(x)} → ${millions(y)}  ${x === 0 ? '-' : fmt(y / x, 3)}`);
    }
    if (FUNCTIONS > 0) printFunctions(b.byFunction, a.byFunction, { before: b.categories.jit, after: a.categories.jit });
  }
}

/** The FUNCTIONS functions whose generated code's count moved most, before → after. */
function printFunctions(b: JitByFunction, a: JitByFunction, jit: { before: number; after: number }): void {
  const [before, after] = [b.sums, a.sums];
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const moved = (name: string): number => Math.abs((after.get(name) ?? 0) - (before.get(name) ?? 0));
  const shown = names.sort((x, y) => moved(y) - moved(x)).slice(0, FUNCTIONS);
  const width = Math.max(...shown.map((n) => n.length));
  const share = (n: number, of: number): string => `${fmt((100 * n) / of, 0)} %`;
  console.log(`generated code, the ${shown.length} functions that moved most (M instructions): before → after, after/before`);
  console.log(
    `  (code at an address that held more than one function's code is counted to the first: ${share(b.reused, jit.before)} of generated code before, ${share(a.reused, jit.after)} after)`,
  );
  for (const name of shown) {
    const x = before.get(name) ?? 0;
    const y = after.get(name) ?? 0;
    console.log(`  ${name.padEnd(width)} ${fmt(x / 1e6, 1).padStart(8)} → ${fmt(y / 1e6, 1).padStart(8)}  ${x === 0 ? '-' : fmt(y / x, 3)}`);
  }
}
