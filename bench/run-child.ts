// A benchmark child process: runs seeds of one scenario from the bundled sources, as the
// CLI does, and prints one JSON line.
// Usage: run-child <scenario> <seeds> [--profile] [--unchecked] [--without events|faults]... [--set path=value]...
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../sim/harness/runner.ts';
import { loadScenario, parseOverride } from '../sim/harness/scenario/load.ts';
import { moduleOfLine } from './bundle-modules.ts';
import { isDayPart, withoutParts } from './day-parts.ts';

export interface ChildResult {
  /** Wall seconds of each seed, in seed order. */
  readonly walls: number[];
  readonly simulatedSeconds: number;
  readonly events: number;
  readonly maxRssMiB: number;
  /** From a profiled second pass (with --profile). */
  readonly shares?: { readonly planner: number; readonly engine: number } | undefined;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly url: string; readonly functionName: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The engine's planning: building the inventory and deciding the requests. */
const PLANNER = /^core\/(planner\/|inventory(-table)?\.ts|sled-copies\.ts|local-repos\.ts|random\.ts)/;

/**
 * Shares of sampled time: inside the planner (anywhere on the stack), and in engine code
 * proper (the innermost frame of our code is in core/). The rest, garbage collection
 * included, is the world's.
 */
function shares(profile: Profile, self: string): { planner: number; engine: number } {
  const module = moduleOfLine(readFileSync(fileURLToPath(self), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, { planner: boolean; owner: string | null }>();
  const classify = (id: number | undefined): { planner: boolean; owner: string | null } => {
    if (id === undefined) return { planner: false, owner: null };
    const known = memo.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)?.callFrame;
    const source = frame !== undefined && frame.url === self ? module(frame.lineNumber) : '';
    const up = classify(parent.get(id));
    const own = /^(core|sim|cli)\//.exec(source)?.[1] ?? null;
    const result = { planner: up.planner || PLANNER.test(source), owner: own ?? up.owner };
    memo.set(id, result);
    return result;
  };
  let total = 0;
  let planner = 0;
  let engine = 0;
  profile.samples.forEach((id, i) => {
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    const where = classify(id);
    total += dt;
    if (where.planner) planner += dt;
    if (where.owner === 'core') engine += dt;
  });
  return { planner: planner / total, engine: engine / total };
}

async function profiled(body: () => Promise<void>): Promise<Profile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  await body();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return profile as unknown as Profile;
}

async function main(): Promise<void> {
  const [file, seedText, ...rest] = process.argv.slice(2);
  if (file === undefined || seedText === undefined) throw new Error('usage: run-child <scenario> <seeds> [--profile] [--unchecked] [--without events|faults]... [--set path=value]...');
  const overrides = rest.flatMap((arg, i) => (rest[i - 1] === '--set' ? [parseOverride(arg)] : []));
  const parts = rest.filter((_, i) => rest[i - 1] === '--without');
  const unknown = parts.filter((part) => !isDayPart(part));
  if (unknown.length > 0) throw new Error(`run-child: --without takes events or faults, got ${unknown.join(', ')}`);
  const scenario = withoutParts(loadScenario(file, readFileSync(file, 'utf8'), overrides), parts.filter(isDayPart));
  const seeds = Number(seedText);
  const unchecked = rest.includes('--unchecked');
  // One untimed run first: the timed ones measure compiled code, as a long check does.
  await runScenario(scenario, { seed: seeds + 1, unchecked });
  const walls: number[] = [];
  let simulatedSeconds = 0;
  let events = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const start = performance.now();
    const run = await runScenario(scenario, { seed, unchecked });
    walls.push((performance.now() - start) / 1000);
    simulatedSeconds += run.endedAt / 1e6;
    events += run.world.kernel.eventsRun;
  }
  let result: ChildResult = { walls, simulatedSeconds, events, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  if (rest.includes('--profile')) {
    const profile = await profiled(async () => {
      for (let seed = 1; seed <= Math.min(seeds, 2); seed++) await runScenario(scenario, { seed, unchecked });
    });
    result = { ...result, shares: shares(profile, import.meta.url) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
