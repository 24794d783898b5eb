// `run --trace`: the run as Chrome trace-event JSON (the object form), which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. A pure function of the world's events and
// the run's violations. Times are microseconds of simulated time, as the events have them.
//
// Layout: a process per Nexus, with tracks (threads, named by `thread_name` metadata) for
// its activations, each phase (collect: list and config requests; plan: from the last
// collect answer to the first execute request; execute: PUT, COPY and DELETE requests),
// faults and violations; a process per sled with the writes and deletes it serves, what
// its store did and its reconciler's removals; a process for the datastore (uploads, repo
// inserts and deletes, outages). Concurrent slices take lanes ("execute 2", …) because a
// track's slices must nest. Flow arrows lead from each PUT, COPY and DELETE to the sled's
// slice for it.
import type { Violation } from '../sim/harness/observe/safety-checkers.ts';
import type { WorldEvent } from '../sim/world/world-events.ts';

export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M' | 's' | 'f';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly s?: 't';
  readonly id?: number;
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, string | number | null>>;
}

export interface TraceMeta {
  readonly scenario: string;
  readonly seed: number;
  readonly generation: string;
  /** The run's last sample: what is still open then ends there. */
  readonly endedAt: number;
}

interface Interval {
  readonly start: number;
  end: number | null;
}

interface Request extends Interval {
  readonly id: number;
  readonly nexus: string;
  readonly activation: Activation | undefined;
  readonly kind: string;
  readonly target: string;
  readonly source: string | null;
  readonly hash: string | null;
  readonly bytes: number;
  outcome: string | null;
  error: string | null;
}

interface Activation extends Interval {
  readonly nexus: string;
  readonly number: number;
  collectEnd: number | null;
  firstExecute: number | null;
  error: string | null;
  deferred: number | null;
}

interface Fault extends Interval {
  readonly kind: string;
  readonly target: string;
}

interface Instant {
  readonly t: number;
  readonly name: string;
  readonly args: Record<string, string | number | null>;
}

/** Track order within a process (`thread_sort_index`) and tid ranges for lanes. */
const TRACKS = { activations: 1, collect: 100, plan: 200, execute: 300, writes: 400, deletes: 500, store: 600, reconciler: 700, uploads: 800, repos: 900, local: 950, faults: 1000, violations: 1100 } as const;
type Track = keyof typeof TRACKS;
const EXECUTE = new Set(['put', 'copy', 'delete']);
const DATASTORE = 'datastore';
const RACK = 'rack';

/** Node names in natural order: sled-2 before sled-10. */
function natural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Greedy interval partitioning (intervals in start order): the first lane free at each start. */
function lanes(intervals: readonly Interval[], endOf: (i: Interval) => number): number[] {
  const free: number[] = [];
  return intervals.map((interval) => {
    let lane = free.findIndex((end) => end <= interval.start);
    if (lane < 0) lane = free.push(0) - 1;
    free[lane] = endOf(interval);
    return lane;
  });
}

export function traceJson(events: Iterable<WorldEvent>, violations: readonly Violation[], meta: TraceMeta): string {
  const nexusIds = new Set<string>();
  const sledIds = new Set<string>();
  const requests: Request[] = [];
  const openRequests = new Map<number, Request>();
  const activations: Activation[] = [];
  const openActivations = new Map<string, Activation>();
  const faults: Fault[] = [];
  const openFaults = new Map<number, Fault>();
  const uploads: (Interval & { repo: string; nexus: string; outcome: string | null })[] = [];
  const instants = new Map<string, Instant[]>();
  const instant = (node: string, track: Track, t: number, name: string, args: Record<string, string | number | null>): void => {
    const key = `${node}\u0000${track}`;
    let list = instants.get(key);
    if (list === undefined) instants.set(key, (list = []));
    list.push({ t, name, args });
  };
  /** A crashed Nexus's requests and activation never end: they end at the crash. */
  const closeNexus = (nexus: string, t: number): void => {
    for (const [id, r] of openRequests) {
      if (r.nexus !== nexus) continue;
      r.end = t;
      r.outcome = 'lost';
      r.error = `${nexus} crashed`;
      openRequests.delete(id);
    }
    for (const [key, a] of openActivations) {
      if (a.nexus !== nexus) continue;
      a.end = t;
      a.error = `${nexus} crashed`;
      openActivations.delete(key);
    }
  };

  for (const e of events) {
    switch (e.type) {
      case 'sled_added':
        sledIds.add(e.sled);
        break;
      case 'nexus_started':
        nexusIds.add(e.nexus);
        closeNexus(e.nexus, e.t);
        break;
      case 'activation_started': {
        nexusIds.add(e.nexus);
        const a: Activation = { nexus: e.nexus, number: e.activation, start: e.t, end: null, collectEnd: null, firstExecute: null, error: null, deferred: null };
        activations.push(a);
        openActivations.set(`${e.nexus}#${e.activation}`, a);
        break;
      }
      case 'activation_finished': {
        const a = openActivations.get(`${e.nexus}#${e.activation}`);
        if (a === undefined) break;
        a.end = e.t;
        a.error = e.error;
        a.deferred = e.deferred;
        openActivations.delete(`${e.nexus}#${e.activation}`);
        break;
      }
      case 'request_sent': {
        nexusIds.add(e.nexus);
        const activation = openActivations.get(`${e.nexus}#${e.activation}`);
        if (activation !== undefined && EXECUTE.has(e.kind)) activation.firstExecute ??= e.t;
        const r: Request = { id: e.id, nexus: e.nexus, activation, kind: e.kind, target: e.target, source: e.source, hash: e.hash, bytes: e.bytes, start: e.t, end: null, outcome: null, error: null };
        requests.push(r);
        openRequests.set(e.id, r);
        break;
      }
      case 'request_done': {
        const r = openRequests.get(e.id);
        if (r === undefined) break;
        r.end = e.t;
        r.outcome = e.outcome;
        r.error = e.error;
        openRequests.delete(e.id);
        const a = r.activation;
        if (a !== undefined && !EXECUTE.has(r.kind) && a.firstExecute === null) a.collectEnd = Math.max(a.collectEnd ?? 0, e.t);
        break;
      }
      case 'local_repos_lost':
        closeNexus(e.nexus, e.t);
        break;
      case 'fault_started':
        if (e.kind === 'm2_failure') instant(e.target.split('/')[0] as string, 'faults', e.t, `${e.kind} ${e.target}`, { kind: e.kind, target: e.target });
        else {
          const f: Fault = { kind: e.kind, target: e.target, start: e.t, end: null };
          faults.push(f);
          openFaults.set(e.fault, f);
        }
        if (e.kind === 'nexus_crash') closeNexus(e.target, e.t);
        break;
      case 'fault_ended': {
        const f = openFaults.get(e.fault);
        if (f !== undefined) f.end = e.t;
        openFaults.delete(e.fault);
        break;
      }
      case 'artifact_stored':
        // Copies present at t=0 are the starting state, not the run's activity.
        if (e.via !== 'initial') instant(e.sled, 'store', e.t, `stored ${e.hash}`, { hash: e.hash, m2: e.m2, bytes: e.bytes, via: e.via });
        break;
      case 'artifact_removed':
        instant(e.sled, e.cause === 'reconciler' ? 'reconciler' : 'store', e.t, `removed ${e.hash}`, { hash: e.hash, m2: e.m2, bytes: e.bytes, cause: e.cause });
        break;
      case 'write_failed':
        instant(e.sled, 'store', e.t, `write failed ${e.hash}`, { hash: e.hash, reason: e.reason });
        break;
      case 'config_stored':
        instant(e.sled, 'store', e.t, `config generation ${e.generation}`, { generation: e.generation, artifacts: e.artifacts });
        break;
      case 'repo_upload_started':
        uploads.push({ repo: e.repo, nexus: e.nexus, start: e.t, end: null, outcome: null });
        break;
      case 'repo_inserted':
      case 'repo_upload_failed':
      case 'repo_insert_skipped': {
        const u = uploads.find((x) => x.repo === e.repo && x.end === null);
        if (u !== undefined) {
          u.end = e.t;
          u.outcome = e.type === 'repo_inserted' ? 'inserted' : e.type === 'repo_upload_failed' ? `failed: ${e.reason}` : 'insert skipped';
        }
        if (e.type === 'repo_inserted') instant(DATASTORE, 'repos', e.t, `insert ${e.repo}`, { repo: e.repo, generation: e.generation, artifacts: e.artifacts.length });
        break;
      }
      case 'repo_deleted':
        instant(DATASTORE, 'repos', e.t, `delete ${e.repo}`, { repo: e.repo, generation: e.generation });
        break;
      case 'local_repo_added':
      case 'local_repo_released':
        instant(e.nexus, 'local', e.t, `${e.type === 'local_repo_added' ? 'holds' : 'releases'} ${e.repo} locally`, { repo: e.repo, bytes: e.bytes });
        break;
      default:
        // Event types this writer does not know (yet) are left out, never an error.
        break;
    }
  }
  for (const v of violations) {
    const node = v.sled ?? v.nexus ?? RACK;
    instant(node, 'violations', v.t, v.invariant, { invariant: v.invariant, nexus: v.nexus, sled: v.sled, repo: v.repo, artifact: v.artifact, detail: v.detail });
  }

  const endOf = (i: Interval): number => i.end ?? Math.max(meta.endedAt, i.start);
  const pids = new Map<string, number>();
  for (const node of [...[...nexusIds].sort(natural), ...[...sledIds].sort(natural), DATASTORE, RACK]) pids.set(node, pids.size + 1);
  /** The process a fault target belongs to: the node it names first, else the rack. */
  const nodeOf = (target: string): string => {
    const first = /^[\w-]+/.exec(target)?.[0] ?? '';
    return pids.has(first) ? first : target === DATASTORE ? DATASTORE : RACK;
  };
  const out: TraceEvent[] = [];
  const threads = new Map<string, { pid: number; tid: number; name: string; sort: number }>();
  const thread = (node: string, track: Track, lane = 0): { pid: number; tid: number } => {
    const pid = pids.get(node) ?? (pids.get(RACK) as number);
    const tid = TRACKS[track] + lane;
    // Lane 0 of collect and execute holds the phase's slices, the lanes after it its requests.
    const name = lane === 0 ? track : track === 'collect' || track === 'execute' ? `${track} requests ${lane}` : `${track} ${lane + 1}`;
    threads.set(`${pid}/${tid}`, { pid, tid, name, sort: tid });
    return { pid, tid };
  };
  const slice = (node: string, track: Track, lane: number, i: Interval, name: string, args: TraceEvent['args'], cat: string): void => {
    out.push({ name, cat, ph: 'X', ts: i.start, dur: endOf(i) - i.start, ...thread(node, track, lane), ...(args === undefined ? {} : { args }) });
  };

  for (const a of activations) {
    slice(a.nexus, 'activations', 0, a, `activation ${a.number}`, { activation: a.number, error: a.error, deferred: a.deferred }, 'activation');
    const planFrom = a.collectEnd ?? a.start;
    const planTo = a.firstExecute ?? endOf(a);
    if (a.collectEnd !== null) slice(a.nexus, 'collect', 0, { start: a.start, end: a.collectEnd }, 'collect', { activation: a.number }, 'phase');
    slice(a.nexus, 'plan', 0, { start: planFrom, end: Math.max(planFrom, planTo) }, 'plan', { activation: a.number }, 'phase');
    if (a.firstExecute !== null) slice(a.nexus, 'execute', 0, { start: a.firstExecute, end: endOf(a) }, 'execute', { activation: a.number }, 'phase');
  }
  // Requests on lanes per Nexus and phase; lane 0 of collect and execute holds the phase slice.
  const byNexusPhase = new Map<string, Request[]>();
  const sledWork = new Map<string, Request[]>();
  const add = (map: Map<string, Request[]>, key: string, r: Request): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [r]);
    else list.push(r);
  };
  for (const r of requests) {
    const execute = EXECUTE.has(r.kind);
    add(byNexusPhase, `${r.nexus}\u0000${execute ? 'execute' : 'collect'}`, r);
    if (execute) add(sledWork, `${r.target}\u0000${r.kind === 'delete' ? 'deletes' : 'writes'}`, r);
  }
  const requestName = (r: Request): string => `${r.kind.toUpperCase()}${r.hash === null ? '' : ` ${r.hash}`} → ${r.target}`;
  const requestArgs = (r: Request): TraceEvent['args'] => ({
    id: r.id, kind: r.kind, target: r.target, source: r.source, artifact: r.hash, bytes: r.bytes, activation: r.activation?.number ?? null, outcome: r.outcome ?? 'unfinished', error: r.error,
  });
  for (const [key, list] of byNexusPhase) {
    const [nexus, phase] = key.split('\u0000') as [string, 'collect' | 'execute'];
    lanes(list, endOf).forEach((lane, i) => {
      const r = list[i] as Request;
      slice(nexus, phase, lane + 1, r, requestName(r), requestArgs(r), r.kind);
      if (EXECUTE.has(r.kind) && pids.has(r.target)) out.push({ name: r.kind, cat: 'flow', ph: 's', id: r.id, ts: r.start, ...thread(nexus, phase, lane + 1) });
    });
  }
  for (const [key, list] of sledWork) {
    const [sled, track] = key.split('\u0000') as [string, 'writes' | 'deletes'];
    if (!pids.has(sled)) continue;
    lanes(list, endOf).forEach((lane, i) => {
      const r = list[i] as Request;
      const what = r.kind === 'delete' ? `delete ${r.hash ?? ''}` : `${r.kind} ${r.hash ?? ''} from ${r.source ?? r.nexus}`;
      slice(sled, track, lane, r, what, { ...requestArgs(r), nexus: r.nexus }, r.kind);
      out.push({ name: r.kind, cat: 'flow', ph: 'f', bp: 'e', id: r.id, ts: r.start, ...thread(sled, track, lane) });
    });
  }
  for (const f of faults) slice(nodeOf(f.target), 'faults', 0, f, `${f.kind} ${f.target}`, { kind: f.kind, target: f.target }, 'fault');
  lanes(uploads, endOf).forEach((lane, i) => {
    const u = uploads[i] as (typeof uploads)[number];
    slice(DATASTORE, 'uploads', lane, u, `upload ${u.repo} via ${u.nexus}`, { repo: u.repo, nexus: u.nexus, outcome: u.outcome ?? 'unfinished' }, 'upload');
  });
  for (const [key, list] of instants) {
    const [node, track] = key.split('\u0000') as [string, Track];
    for (const i of list) out.push({ name: i.name, cat: track, ph: 'i', s: 't', ts: i.t, ...thread(node, track), args: i.args });
  }

  const metadata: TraceEvent[] = [];
  for (const [node, pid] of pids) {
    if (![...threads.values()].some((t) => t.pid === pid)) continue;
    metadata.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: node } });
    metadata.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
  }
  for (const t of [...threads.values()].sort((a, b) => a.pid - b.pid || a.tid - b.tid)) {
    metadata.push({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.tid, args: { name: t.name } });
    metadata.push({ name: 'thread_sort_index', ph: 'M', pid: t.pid, tid: t.tid, args: { sort_index: t.sort } });
  }
  const otherData = { scenario: meta.scenario, seed: meta.seed, generation: meta.generation, time: 'microseconds of simulated time' };
  // One event per line: diffable, and still one JSON document.
  const lines = [...metadata, ...out].map((e) => JSON.stringify(e));
  return `{"displayTimeUnit":"ms","otherData":${JSON.stringify(otherData)},"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
}
