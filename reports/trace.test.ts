import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/harness/runner.ts';
import { loadScenario } from '../sim/harness/scenario/load.ts';
import type { WorldEvent } from '../sim/world/world-events.ts';
import { traceJson, type TraceEvent } from './trace.ts';

const SCENARIOS = new URL('../scenarios/', import.meta.url);
const META = { scenario: 's', seed: 1, generation: 'merged', endedAt: 10_000_000 };

/**
 * The trace-event format's rules that Perfetto and chrome://tracing rely on: the object
 * form; every event with a name, a known phase, integer pid and tid; non-negative integer
 * microsecond times; slices on one track nested, never partly overlapping; every process
 * and track named; every flow start matched by one end, each inside a slice of its track.
 */
function checkTraceFormat(text: string): TraceEvent[] {
  const trace = JSON.parse(text) as { traceEvents?: unknown; displayTimeUnit?: unknown };
  expect(Object.keys(trace).sort()).toEqual(['displayTimeUnit', 'otherData', 'traceEvents']);
  expect(['ms', 'ns']).toContain(trace.displayTimeUnit);
  expect(Array.isArray(trace.traceEvents)).toBe(true);
  const events = trace.traceEvents as TraceEvent[];
  const named = new Set<string>();
  const processes = new Set<number>();
  const slices = new Map<string, TraceEvent[]>();
  for (const e of events) {
    expect(typeof e.name).toBe('string');
    expect(['X', 'i', 'M', 's', 'f']).toContain(e.ph);
    expect(Number.isSafeInteger(e.pid) && Number.isSafeInteger(e.tid)).toBe(true);
    if (e.ph === 'M') {
      expect(['process_name', 'process_sort_index', 'thread_name', 'thread_sort_index']).toContain(e.name);
      if (e.name === 'thread_name') named.add(`${e.pid}/${e.tid}`);
      if (e.name === 'process_name') processes.add(e.pid);
      continue;
    }
    expect(Number.isSafeInteger(e.ts) && (e.ts as number) >= 0).toBe(true);
    if (e.ph === 'X') {
      expect(Number.isSafeInteger(e.dur) && (e.dur as number) >= 0).toBe(true);
      const key = `${e.pid}/${e.tid}`;
      slices.set(key, [...(slices.get(key) ?? []), e]);
    }
    if (e.ph === 'i') expect(e.s).toBe('t');
  }
  for (const e of events) {
    if (e.ph === 'M') continue;
    expect(named.has(`${e.pid}/${e.tid}`), `track ${e.pid}/${e.tid} named`).toBe(true);
    expect(processes.has(e.pid)).toBe(true);
  }
  for (const [track, list] of slices) {
    const sorted = [...list].sort((a, b) => (a.ts as number) - (b.ts as number) || (b.dur as number) - (a.dur as number));
    const open: number[] = [];
    for (const s of sorted) {
      while (open.length > 0 && (open.at(-1) as number) <= (s.ts as number)) open.pop();
      const end = (s.ts as number) + (s.dur as number);
      expect(open.length === 0 || end <= (open.at(-1) as number), `slices nest on ${track}: ${s.name}`).toBe(true);
      open.push(end);
    }
  }
  // Concurrent requests take lanes: on one track they follow each other.
  for (const [track, list] of slices) {
    const requests = list.filter((e) => ['list', 'config', 'put', 'copy', 'delete'].includes(e.cat ?? '')).sort((a, b) => (a.ts as number) - (b.ts as number));
    requests.forEach((r, i) => {
      const before = requests[i - 1];
      if (before !== undefined) expect((before.ts as number) + (before.dur as number), `requests one after another on ${track}`).toBeLessThanOrEqual(r.ts as number);
    });
  }
  const inside = (e: TraceEvent): boolean =>
    (slices.get(`${e.pid}/${e.tid}`) ?? []).some((s) => (s.ts as number) <= (e.ts as number) && (e.ts as number) <= (s.ts as number) + (s.dur as number));
  const starts = events.filter((e) => e.ph === 's');
  const ends = new Map(events.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
  expect(ends.size).toBe(events.filter((e) => e.ph === 'f').length);
  for (const s of starts) {
    const f = ends.get(s.id);
    expect(f, `flow ${s.id} ends`).toBeDefined();
    expect(f?.bp).toBe('e');
    expect(inside(s) && inside(f as TraceEvent), `flow ${s.id} bound to slices`).toBe(true);
  }
  expect(ends.size).toBe(starts.length);
  return events;
}

describe('traceJson', () => {
  it('shows nexus-race-stale-delete: nexus-1 DELETEs v1 on every sled after nexus-0 copied it there, arrows to the sleds, the violations', async () => {
    const scenario = loadScenario('nexus-race-stale-delete.yaml', readFileSync(new URL('nexus-race-stale-delete.yaml', SCENARIOS), 'utf8'));
    const run = await runScenario(scenario, { seed: 1, history: true });
    const history = run.world.events.history().map((l) => JSON.parse(l) as WorldEvent);
    const text = traceJson(history, run.violations, { scenario: 'nexus-race-stale-delete', seed: 1, generation: 'merged', endedAt: run.endedAt });
    const events = checkTraceFormat(text);
    const pid = (node: string): number => events.find((e) => e.name === 'process_name' && e.args?.name === node)?.pid ?? -1;
    const trackName = (e: TraceEvent): string => String(events.find((m) => m.name === 'thread_name' && m.pid === e.pid && m.tid === e.tid)?.args?.name);
    const requests = (nexus: string, kind: string): TraceEvent[] => events.filter((e) => e.ph === 'X' && e.pid === pid(nexus) && e.args?.kind === kind && String(e.args.artifact).startsWith('v1-'));
    const deletes = requests('nexus-1', 'delete');
    const writes = [...requests('nexus-0', 'put'), ...requests('nexus-0', 'copy')];
    expect(deletes).toHaveLength(16 * 8);
    // One stale activation sends them all (its number depends on the Nexus's boot phase).
    const stale = deletes[0]!.args?.activation;
    expect(new Set(deletes.map(trackName))).toEqual(new Set(deletes.map(trackName).filter((n) => /^execute requests \d+$/.test(n))));
    // Every stale DELETE removes a copy that nexus-0 had written to that sled before.
    for (const d of deletes) {
      const written = writes.filter((w) => w.args?.target === d.args?.target && w.args?.artifact === d.args?.artifact && w.args?.outcome === 'ok');
      expect(written.length, `${d.name} was written first`).toBeGreaterThan(0);
      expect(Math.min(...written.map((w) => (w.ts as number) + (w.dur as number)))).toBeLessThan(d.ts as number);
      expect(d.args).toMatchObject({ outcome: 'ok', activation: stale });
    }
    // The sled shows the delete it served, reached by an arrow from the request.
    const flow = events.find((e) => e.ph === 'f' && e.id === deletes[0]!.args?.id);
    expect(flow?.pid).toBe(pid(String(deletes[0]!.args?.target)));
    expect(trackName(flow as TraceEvent)).toMatch(/^deletes/);
    const phases = events.filter((e) => e.pid === pid('nexus-1') && e.cat === 'phase').map((e) => `${e.name} ${String(e.args?.activation)}`);
    expect(phases).toEqual(expect.arrayContaining([`collect ${String(stale)}`, `plan ${String(stale)}`, `execute ${String(stale)}`]));
    const violations = events.filter((e) => e.ph === 'i' && e.cat === 'violations');
    expect(new Set(violations.map((v) => v.name))).toEqual(new Set(['no_backwards_delete', 'no_data_loss']));
    expect(violations.filter((v) => v.name === 'no_backwards_delete').every((v) => v.pid !== pid('rack') && v.pid === pid(String(v.args?.sled)))).toBe(true);
    const slow = events.find((e) => e.cat === 'fault');
    expect(slow).toMatchObject({ ph: 'X', pid: pid('nexus-1'), ts: 290_000_000, dur: 600_000_000 });
  });

  it('ends a crashed Nexus\'s requests and activation at the crash, and leaves out event types it does not know', () => {
    const events = [
      { t: 0, type: 'sled_added', sled: 'sled-0' },
      { t: 0, type: 'nexus_started', nexus: 'nexus-0', incarnation: 1 },
      { t: 1000, type: 'activation_started', nexus: 'nexus-0', activation: 1 },
      { t: 2000, type: 'request_sent', id: 1, nexus: 'nexus-0', activation: 1, kind: 'put', target: 'sled-0', source: null, hash: 'a', bytes: 5 },
      { t: 2500, type: 'artifact_corrupted', sled: 'sled-0', hash: 'a' },
      { t: 3000, type: 'fault_started', fault: 1, kind: 'nexus_crash', target: 'nexus-0' },
      { t: 3000, type: 'local_repos_lost', nexus: 'nexus-0', repos: [], bytes: 0 },
    ] as unknown as WorldEvent[];
    const parsed = checkTraceFormat(traceJson(events, [], META));
    expect(parsed.find((e) => e.cat === 'put')).toMatchObject({ ts: 2000, dur: 1000, args: { outcome: 'lost', error: 'nexus-0 crashed' } });
    expect(parsed.find((e) => e.cat === 'activation')).toMatchObject({ ts: 1000, dur: 2000 });
    // The crash lasts to the end of the run.
    expect(parsed.find((e) => e.cat === 'fault')).toMatchObject({ name: 'nexus_crash nexus-0', ts: 3000, dur: META.endedAt - 3000 });
    expect(parsed.some((e) => e.name.includes('corrupted'))).toBe(false);
  });
});
