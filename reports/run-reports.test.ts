import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/harness/runner.ts';
import { loadScenario } from '../sim/harness/scenario/load.ts';
import { summaryRow } from './run-reports.ts';

// Sled crashes make both failed outcomes: timeouts (requests to a crashed sled) and errors
// (a copy whose source crashed mid-fetch, a second writer of a hash refused with 409).
// A partition alone only times out: partition.yaml's errors were incidental 409s.
const FILE = 'sled-failures.yaml';
const scenario = loadScenario(FILE, readFileSync(new URL(`../scenarios/${FILE}`, import.meta.url), 'utf8'), []);

describe('summary row', { timeout: 60_000 }, () => {
  it('counts requests, failures and bytes alike whether or not the request rows are kept', async () => {
    const kept = await runScenario(scenario, { seed: 3, requestRows: true });
    const dropped = await runScenario(scenario, { seed: 3 });
    expect(dropped.metrics.requests).toEqual([]);
    expect(summaryRow(dropped)).toEqual(summaryRow(kept));

    // The running tallies agree with the rows they replace.
    const rows = kept.metrics.requests;
    expect(rows.length).toBeGreaterThan(1000);
    for (const kind of ['put', 'copy', 'delete', 'list'] as const) {
      expect(kept.metrics.requestsSent.get(kind) ?? 0).toBe(rows.filter((r) => r.kind === kind).length);
      const ok = rows.filter((r) => r.kind === kind && r.outcome === 'ok').reduce((sum, r) => sum + r.bytes, 0);
      expect(kept.metrics.bytesMoved.get(kind) ?? 0).toBe(ok);
    }
    const failed = rows.filter((r) => r.outcome === 'error' || r.outcome === 'timeout').length;
    expect(rows.some((r) => r.outcome === 'timeout') && rows.some((r) => r.outcome === 'error')).toBe(true);
    expect(kept.metrics.requestsFailed).toBe(failed);
  });
});
