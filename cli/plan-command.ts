import { csvFormatRows } from 'd3-dsv';
import { planActivation, requestHash, seededRng, type Plan, type Request } from '../core/index.ts';
import type { Snapshot } from './snapshot.ts';

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

export function planSummary(snapshot: Snapshot, plan: Plan): string {
  const released = plan.release.map((repo) => repo.id);
  return (
    `plan: ${snapshot.params.generation}, seed ${snapshot.seed}, ${snapshot.input.sleds.length} sleds, ` +
    `min_sled_replication ${snapshot.params.minSledReplication}: ${plan.put.length} put, ` +
    `${plan.copyAfterPut.length} copy-after-put, ${plan.other.length} other, ${plan.recopy.length} recopy, ` +
    `${plan.deferred.length} deferred; release: ${released.length > 0 ? released.join(' ') : 'none'}`
  );
}

export function runPlan(snapshot: Snapshot): Plan {
  return planActivation(snapshot.input, seededRng(snapshot.seed), snapshot.params);
}
