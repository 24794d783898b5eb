import { csvFormatRows } from 'd3-dsv';
import {
  planActivation,
  randSamplers,
  randVersionOf,
  requestHash,
  seededRng,
  stdRngFromSeed,
  type Plan,
  type RandVersion,
  type Request,
  type Rng,
} from '../core/index.ts';
import type { Snapshot, SnapshotRng } from './snapshot.ts';

export const PLAN_FORMATS = ['csv', 'omicron'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

const COLUMNS = ['class', 'kind', 'target', 'source', 'artifact'] as const;

/** The plan as CSV, one row per request in send order, then the deferred ones. */
export function planCsv(plan: Plan): string {
  const rows: string[][] = [[...COLUMNS]];
  const add = (cls: string, requests: readonly Request[]): void => {
    for (const r of requests) rows.push([cls, r.kind, r.target, r.kind === 'copy' ? r.source : '', requestHash(r)]);
  };
  add('put', plan.put);
  add('copy_after_put', plan.copyAfterPut);
  add('other', plan.other);
  add('recopy', plan.recopy);
  add('deferred', plan.deferred);
  return csvFormatRows(rows) + '\n';
}

/**
 * The plan as omicron's planner tests print it (`requests_to_string`,
 * tuf_artifact_replication.rs:722-754@74a6c136): the classes in the order put,
 * copy_after_put, recopy, other; deferred requests (`review` only) are not printed.
 */
export function planOmicronText(plan: Plan): string {
  let text = '';
  for (const r of [...plan.put, ...plan.copyAfterPut, ...plan.recopy, ...plan.other]) {
    if (r.kind === 'put') text += `- PUT ${r.artifact.hash}\n  to ${r.target}\n`;
    else if (r.kind === 'copy') text += `- COPY ${r.hash}\n  from ${r.source}\n  to ${r.target}\n`;
    else text += `- DELETE ${r.hash}\n  from ${r.target}\n`;
  }
  return text;
}

function randOf(snapshot: Snapshot): RandVersion {
  return snapshot.rand ?? randVersionOf(snapshot.params.generation);
}

function rngText(rng: SnapshotRng): string {
  return 'seed' in rng ? `seed ${rng.seed}` : `StdRng seed ${rng.keyText} skip ${rng.skip}`;
}

export function planSummary(snapshot: Snapshot, plan: Plan): string {
  const released = plan.release.map((repo) => repo.id);
  return (
    `plan: ${snapshot.params.generation}, ${rngText(snapshot.rng)}, rand ${randOf(snapshot)}, ${snapshot.input.sleds.length} sleds, ` +
    `min_sled_replication ${snapshot.params.minSledReplication}: ${plan.put.length} put, ` +
    `${plan.copyAfterPut.length} copy-after-put, ${plan.other.length} other, ${plan.recopy.length} recopy, ` +
    `${plan.deferred.length} deferred; release: ${released.length > 0 ? released.join(' ') : 'none'}`
  );
}

function snapshotRng(rng: SnapshotRng): Rng {
  if ('seed' in rng) return seededRng(rng.seed);
  const std = stdRngFromSeed(rng.key);
  std.skip(rng.skip);
  return std;
}

export function runPlan(snapshot: Snapshot): Plan {
  return planActivation(snapshot.input, snapshotRng(snapshot.rng), snapshot.params, randSamplers(randOf(snapshot)));
}

export function formatPlan(plan: Plan, format: PlanFormat): string {
  return format === 'omicron' ? planOmicronText(plan) : planCsv(plan);
}
