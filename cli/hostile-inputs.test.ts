// The hostile-input fuzz harness (issue 18): generated scenarios, overrides, grids,
// snapshots, output paths and corrupted report files, each run through the CLI in this
// process. For every case: an exit code of SPEC §2 other than 5 (a defect), no stack
// trace, at most one error line, nothing outside the output path touched and nothing left
// behind. `npm test` tries a few cases per class; `npm run fuzz` (FUZZ_RUNS) many more.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { depotsimInProcess, STACK_FRAME, TINY, type CliResult } from './testing/in-process.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SNAPSHOT = new URL('../snapshots/simple-replicate.yaml', import.meta.url).pathname;
const crashes = mkdtempSync(join(tmpdir(), 'depotsim-fuzz-crashes-'));
const fixtures = mkdtempSync(join(tmpdir(), 'depotsim-fuzz-fixtures-'));
const fixtureScenario = join(fixtures, 'tiny.yaml');
const SWEEP = ['--grid', 'engine.min_sled_replication=1,2', '--seeds', '1'];

/** What each class found (exit codes), printed by `npm run fuzz`. */
const tally = new Map<string, Map<number, number>>();

/**
 * Every file under `dir` but those of `except`, with its time and contents' hash, and
 * every directory but `except`'s ancestors (which a command may create): what a case must
 * not change.
 */
function fingerprint(dir: string, except: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (path === except || path.startsWith(`${except}/`) || (entry.isDirectory() && except.startsWith(`${path}/`))) continue;
    const hash = entry.isFile() ? `${statSync(path).mtimeMs}:${createHash('sha1').update(readFileSync(path)).digest('hex')}` : 'dir';
    out.set(relative(dir, path), hash);
  }
  return out;
}

interface Case {
  /** A label for the tally. */
  readonly kind: string;
  /** The command line, given the sandbox directory. */
  readonly argv: (sandbox: string) => string[];
  /** The one path (relative to the sandbox) the command may write. */
  readonly out: string;
  /** Prepares hostile files in the sandbox. */
  readonly prepare?: (sandbox: string) => void;
}

/** Runs one case in a fresh sandbox and checks the contract of SPEC §2. */
async function check(c: Case): Promise<void> {
  const sandbox = mkdtempSync(join(tmpdir(), 'depotsim-fuzz-'));
  try {
    writeFileSync(join(sandbox, 'tiny.yaml'), TINY);
    cpSync(join(fixtures, 'r'), join(sandbox, 'r'), { recursive: true });
    cpSync(join(fixtures, 's'), join(sandbox, 's'), { recursive: true });
    mkdirSync(join(sandbox, 'mine'));
    writeFileSync(join(sandbox, 'mine', 'notes.txt'), 'mine\n');
    writeFileSync(join(sandbox, 'file.txt'), 'precious\n');
    c.prepare?.(sandbox);
    const allowed = join(sandbox, c.out);
    const before = fingerprint(sandbox, allowed);
    const argv = c.argv(sandbox);
    const r: CliResult = await depotsimInProcess(argv, crashes);
    const shown = `depotsim ${argv.join(' ')}\n${r.stderr}`;
    const counts = tally.get(c.kind) ?? new Map<number, number>();
    counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    tally.set(c.kind, counts);

    expect([0, 1, 2, 3, 4], shown).toContain(r.status);
    expect(r.stderr, shown).not.toMatch(STACK_FRAME);
    expect(r.stdout, shown).not.toMatch(STACK_FRAME);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('depotsim: '));
    expect(errors.length, shown).toBe(r.status === 2 ? 1 : 0);
    expect(fingerprint(sandbox, allowed), shown).toEqual(before);
    const leftovers = readdirSync(sandbox, { recursive: true }).map(String).filter((p) => /\.depotsim-\d+-/.test(p));
    expect(leftovers, shown).toEqual([]);
    expect(readdirSync(crashes), shown).toEqual([]);
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

const property = <T>(arb: fc.Arbitrary<T>, toCase: (value: T) => Case, numRuns = RUNS) =>
  fc.assert(
    fc.asyncProperty(arb, (value) => check(toCase(value))),
    { numRuns },
  );

/** Values that have broken or could break a scenario: zeros, signs, huge, malformed, wrong shapes, near the limits. */
const HOSTILE = [
  '0', '-1', '1.5', '1e9', '1e400', '-0', 'NaN', '.inf', 'null', '~', '""', "''", '[]', '{}', '[1, [2]]', '{a: 1}',
  'sled-01', 'nexus-00', 'sled-1023', 'sled-99999999999999999999', 'nexus-16', 'sled-', '-sled-1',
  '0s', '1us', '999ms', '59s', '1m', '30d', '30d1us', '1h30m', '5 minutes', '1e3s', '0.0000001s', '9007199254740993',
  '0B', '1B/s', '1TiB', '20GiB', '1e30B', '1GiB/s', '-1GiB/s',
  '1024', '1025', '16', '17', '4096', '4097', '8', '9',
  '*x', '&a 1', '!!binary aGk=', '!!js/function f', '"\\u0000"', '| \n  text', '?', ': x', '- - -',
];
const value = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
/** Paths into a scenario, including some through values, past list ends and nowhere. */
const PATHS = [
  'name', 'seed', 'duration', 'sample_every', 'description', 'scheduler.tie_break',
  'rack.sleds', 'rack.m2_per_sled', 'rack.artifact_quota', 'rack.reconcile_delay',
  'network.latency', 'network.latency.median', 'network.latency.p99', 'network.bandwidth', 'network.timeout', 'network.loss',
  'datastore.latency', 'datastore.write_latency', 'nexus.count', 'nexus.unpack', 'nexus.period', 'nexus.upload_order',
  'engine.generation', 'engine.min_sled_replication', 'engine.max_requests', 'engine.max_put_requests',
  'engine.max_request_concurrency', 'engine.expected_count', 'engine.bugs', 'engine.bugs.0',
  'repos', 'repos.0', 'repos.0.name', 'repos.0.artifacts', 'repos.0.size', 'repos.0.size.min', 'repos.1', 'repos.2.name', 'repos.0.shares',
  'initial.repos', 'initial.on', 'initial.on.0', 'events', 'events.0', 'events.0.at', 'events.0.upload', 'events.0.via', 'events.1',
  'events.1.crash', 'events.5', 'faults', 'faults.until', 'faults.sled_crash', 'faults.sled_crash.every', 'faults.partition.for',
  'expect', 'expect.verdict', 'expect.invariant', 'expect.converge_within', 'expect.tolerate',
  'name.x', 'rack.sleds.x', 'repos.x', 'repos.-1', '__proto__.polluted', 'constructor.prototype.x', '.', 'a..b', 'rack.', '',
];
/** Whole events, some of them hostile, for paths like events.1. */
const EVENTS = [
  '{at: 2m, crash: sled-01}', '{at: 2m, crash: nexus-00}', '{at: 2m, restart: sled-3}', '{at: 2m, expunge: sled-0}',
  '{at: 2m, add_sleds: 1021}', '{at: 2m, add_sleds: 3}', '{at: 2m, m2_fail: {sled: sled-0, m2: 9}}',
  '{at: 2m, partition: {between: [nexus-0], and: [sled-01, sled-2], for: 1m}}', '{at: 2m, partition: {between: [], and: [sled-1], for: 1m}}',
  '{at: 2m, slow: {node: sled-1, extra: 1h, for: 0}}', '{at: 2m, datastore_outage: 0}', '{at: 2m, activate: nexus-0}',
  '{at: 25m, delete: v1}', '{at: 2m, upload: v1, via: nexus-5}', '{at: 2m, crash: sled-1, restart: sled-1}',
  '{sled_crash: {every: 0, down: 1m}}', '{sled_crash: {every: 1m, down: {min: 10m, max: 1m}}, until: 10m}',
  '{partition: {every: 1m, for: 30d}}', '{slow: {every: 1m, extra: 1us, for: 1us}}',
];
const override = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...PATHS), fc.oneof(value, fc.constantFrom(...EVENTS))).map(([p, v]) => `${p}=${v}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

/** Pieces that break a YAML file in interesting ways, inserted into a valid scenario. */
const SNIPPETS = [
  '\n&a [*a]\n', '\nx: *undefined\n', '\n\t', '\uFEFF', '\u0000', '\nname: again\n', '\n---\nname: second\n', '{', '[', '"', "'", '\n- ',
  '\nrepos: &r [{name: v1, artifacts: 2}]\nx: *r\n', ':', '#', '\n<<: {name: merged}\n', '!!str ', '%YAML 1.1\n', '\r\n', 'sled-01',
];
const bomb = (depth: number) => {
  let text = 'name: bomb\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n';
  for (let i = 1; i < depth; i++) text += `x${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
  return text;
};
const textMutation = fc.record({
  at: fc.nat({ max: TINY.length }),
  cut: fc.nat({ max: 24 }),
  insert: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 16 }), fc.integer({ min: 2, max: 9 }).map(bomb)),
  command: fc.constantFrom('validate', 'run'),
});

/** Output paths: the user's things, odd spellings, unwritable places and depotsim's own reports. */
const OUT_PATHS = ['mine', 'file.txt', 'file.txt/sub', 'r', 's', 'new/deep/dir', 'empty', '', ' ', '.', '..', 'mine/', 'x'.repeat(300), 'tiny.yaml', 'out\nline', '-'];
const outCase = fc.record({
  command: fc.constantFrom('run', 'check', 'sweep', 'merge', 'shrink', 'report'),
  out: fc.constantFrom(...OUT_PATHS),
});

type Corruption = { readonly dir: string; readonly file: string; readonly how: string; readonly at: number; readonly insert: string; readonly key: string; readonly json: unknown };

/** Corruptions of a report directory's files. */
const corruption = fc.record({
  dir: fc.constantFrom('r', 's'),
  file: fc.constantFrom('run.json', 'scenario.yaml', 'timeline.csv', 'summary.csv', 'sweep.json', 'runs.jsonl', 'sweep-summary.csv'),
  how: fc.constantFrom('delete', 'truncate', 'insert', 'json', 'directory', 'huge'),
  at: fc.nat({ max: 400 }),
  insert: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 })),
  key: fc.constantFrom('seed', 'overrides', 'scenario_file', 'scenario_sha256', 'grid', 'seeds', 'first_seed', 'set', 'shard', 'job', 'summary'),
  json: fc.jsonValue({ maxDepth: 2 }),
  command: fc.constantFrom('replay', 'shrink', 'report', 'merge', 'resume'),
});

function corrupt(sandbox: string, c: Corruption): void {
  const path = join(sandbox, c.dir, c.file);
  const text = (() => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  })();
  rmSync(path, { recursive: true, force: true });
  if (c.how === 'delete') return;
  if (c.how === 'directory') return mkdirSync(path);
  if (c.how === 'huge') return writeFileSync(path, '{"a":'.repeat(200_000));
  if (c.how === 'truncate') return writeFileSync(path, text.slice(0, c.at));
  if (c.how === 'insert') return writeFileSync(path, text.slice(0, c.at) + c.insert + text.slice(c.at));
  // A JSON field replaced (the first line's, for runs.jsonl).
  const [first = '{}', ...rest] = text.split('\n');
  const edit = (line: string): string => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify({ ...parsed, [c.key]: c.json });
    } catch {
      return JSON.stringify(c.json);
    }
  };
  writeFileSync(path, c.file === 'runs.jsonl' ? [edit(first), ...rest].join('\n') : edit(text));
}

describe(`hostile inputs, ${RUNS} cases per class`, { timeout: 600_000 }, () => {
  beforeAll(async () => {
    writeFileSync(fixtureScenario, TINY);
    expect((await depotsimInProcess(['run', fixtureScenario, '--out', join(fixtures, 'r')], crashes)).status).toBe(0);
    expect((await depotsimInProcess(['sweep', fixtureScenario, ...SWEEP, '--out', join(fixtures, 's')], crashes)).status).toBe(0);
  });

  it('--set overrides of a valid scenario', () =>
    property(fc.record({ sets: fc.array(override, { minLength: 1, maxLength: 2 }), command: fc.constantFrom('validate', 'run') }), ({ sets, command }) => ({
      kind: '--set',
      out: 'out',
      argv: (s) => [command, join(s, 'tiny.yaml'), ...sets.flatMap((set) => ['--set', set]), ...(command === 'run' ? ['--out', join(s, 'out')] : [])],
    })));

  it('valid but extreme knobs, run to the end', () =>
    property(
      fc.record({
        'rack.sleds': fc.integer({ min: 1, max: 24 }),
        'rack.m2_per_sled': fc.integer({ min: 1, max: 8 }),
        'rack.artifact_quota': fc.constantFrom('1B', '1MiB', '3MiB', '20GiB'),
        'nexus.count': fc.integer({ min: 1, max: 5 }),
        'nexus.period': fc.constantFrom('7s', '60s', '300s'),
        'nexus.unpack': fc.constantFrom('0s', '1us', '30s', '10m'),
        'network.loss': fc.constantFrom(0, 0.5, 0.99, 1),
        'network.timeout': fc.constantFrom('0s', '1us', '1ms', '60s'),
        'network.bandwidth': fc.constantFrom('1B/s', '1MiB/s', '1TiB/s'),
        'network.latency': fc.constantFrom('0s', '1us', '{median: 1ms, p99: 1ms}', '{median: 10ms, p99: 1ms}', '{median: 0s, p99: 1h}'),
        'engine.generation': fc.constantFrom('review', 'merged', 'generation', 'current'),
        'engine.min_sled_replication': fc.integer({ min: 1, max: 64 }),
        'engine.max_requests': fc.integer({ min: 0, max: 1_000_000 }),
        'engine.max_put_requests': fc.integer({ min: 0, max: 1_000_000 }),
        'engine.max_request_concurrency': fc.integer({ min: 1, max: 1_000_000 }),
        'engine.expected_count': fc.integer({ min: 1, max: 8 }),
        'repos.0.artifacts': fc.integer({ min: 1, max: 64 }),
        'repos.0.size': fc.constantFrom('0B', '1B', '1MiB', '{min: 0B, max: 1GiB}'),
        'events.1': fc.constantFrom(...EVENTS.filter((e) => e.startsWith('{at')), '{at: 0s, crash: nexus-0}', '{at: 20m, activate: nexus-0}'),
        faults: fc.constantFrom('null', '{sled_crash: {every: 1m, down: {min: 0s, max: 30d}}}', '{nexus_crash: {every: 1m, down: 1us}, partition: {every: 1m, for: 0s}}'),
      }, { requiredKeys: [] }),
      (knobs) => ({
        kind: 'valid knobs',
        out: 'out',
        argv: (s) => ['run', join(s, 'tiny.yaml'), ...Object.entries(knobs).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]), '--out', join(s, 'out')],
      }),
      // Whole runs take up to a second or two: a quarter of the cases of the other classes.
      Math.ceil(RUNS / 4),
    ));

  it('mutated scenario files', () =>
    property(textMutation, ({ at, cut, insert, command }) => ({
      kind: 'scenario text',
      out: 'out',
      prepare: (s) => writeFileSync(join(s, 'bad.yaml'), TINY.slice(0, at) + insert + TINY.slice(at + cut)),
      argv: (s) => [command, join(s, 'bad.yaml'), ...(command === 'run' ? ['--out', join(s, 'out')] : [])],
    })));

  it('--grid values', () =>
    property(fc.record({ path: fc.constantFrom(...PATHS), values: fc.array(value, { minLength: 1, maxLength: 2 }), raw: fc.option(fc.string({ maxLength: 10 })) }), ({ path, values, raw }) => ({
      kind: '--grid',
      out: 'out',
      argv: (s) => ['sweep', join(s, 'tiny.yaml'), '--grid', raw ?? `${path}=${values.join(',')}`, '--seeds', '1', '--out', join(s, 'out')],
    })));

  it('output paths of every command that writes', () =>
    property(outCase, ({ command, out }) => ({
      kind: 'output path',
      out: command === 'report' ? out : out === '' ? '\0none' : out,
      prepare: (s) => mkdirSync(join(s, 'empty')),
      argv: (s) => {
        const path = out === '' ? '' : join(s, out);
        switch (command) {
          case 'run': return ['run', join(s, 'tiny.yaml'), '--out', path];
          case 'check': return ['check', join(s, 'tiny.yaml'), '--seeds', '1', '--recheck-every', '0', '--out', path];
          case 'sweep': return ['sweep', join(s, 'tiny.yaml'), ...SWEEP, '--out', path];
          case 'merge': return ['merge', join(s, 's'), '--out', path];
          case 'shrink': return ['shrink', join(s, 'r'), '--out', path];
          default: return ['report', path];
        }
      },
    })));

  it('corrupted report files read back by replay, shrink, report, merge and --resume', () =>
    property(corruption, (c) => ({
      kind: 'read-back',
      out: c.command === 'merge' ? 'm' : c.command === 'resume' ? 's' : 'r',
      prepare: (s) => corrupt(s, c),
      argv: (s) => {
        switch (c.command) {
          case 'merge': return ['merge', join(s, 's'), '--out', join(s, 'm')];
          case 'resume': return ['sweep', fixtureScenario, ...SWEEP, '--resume', '--out', join(s, 's')];
          default: return [c.command, join(s, 'r')];
        }
      },
    })));

  it('mutated snapshots for plan', () =>
    property(fc.record({ at: fc.nat({ max: 600 }), cut: fc.nat({ max: 24 }), insert: fc.oneof(fc.constantFrom(...SNIPPETS, ...HOSTILE), fc.string({ maxLength: 12 })) }), ({ at, cut, insert }) => ({
      kind: 'snapshot',
      out: '\0none',
      prepare: (s) => {
        const text = readFileSync(SNAPSHOT, 'utf8');
        writeFileSync(join(s, 'snap.yaml'), text.slice(0, at) + insert + text.slice(at + cut));
      },
      argv: (s) => ['plan', join(s, 'snap.yaml')],
    })));

  it('reports what it tried', () => {
    if (process.env.FUZZ_RUNS !== undefined) {
      for (const [kind, counts] of tally) process.stdout.write(`fuzz ${kind}: ${[...counts].sort().map(([code, n]) => `exit ${code} × ${n}`).join(', ')}\n`);
    }
    expect(tally.size).toBe(7);
  });
});
