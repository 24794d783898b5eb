// The recommendation's choice of points: which are candidates, and which of them are on
// the Pareto front of exposure, full replication, bytes moved and peak local storage.
import { describe, expect, it } from 'vitest';
import { paretoFront, recommendation, type PointSummary } from './sweep-reports.ts';

/** A grid point with the four objectives given directly (p95, p95, p50 bytes, p95). */
function point(
  name: string,
  verdicts: { pass: number; safety: number; liveness: number },
  [exposure, full, bytes, local]: readonly [number | null, number | null, number, number],
): PointSummary {
  return {
    point: [name],
    runs: verdicts.pass + verdicts.safety + verdicts.liveness,
    verdicts,
    stats: new Map<string, readonly [number | null, number | null, number | null]>([
      ['min_replication_max_s', [exposure, exposure, exposure]],
      ['full_replication_max_s', [full, full, full]],
      ['bytes_from_nexus', [bytes / 2, bytes / 2, bytes / 2]],
      ['bytes_between_sleds', [bytes / 2, bytes / 2, bytes / 2]],
      ['peak_local_bytes', [local, local, local]],
    ]),
  };
}

const ok = { pass: 5, safety: 0, liveness: 0 };
const names = (points: readonly PointSummary[]): string[] => points.map((p) => p.point[0] as string);

describe('the sweep recommendation', () => {
  it('keeps the points no other converging, safe point beats on every objective', () => {
    const points = [
      point('fast', ok, [100, 200, 600, 2]),
      point('frugal', ok, [900, 1_000, 300, 2]),
      point('dominated', ok, [900, 1_000, 600, 2]),
      point('tie-of-fast', ok, [100, 200, 600, 2]),
      point('unsafe-best', { pass: 4, safety: 1, liveness: 0 }, [1, 1, 1, 1]),
      point('never-done', { pass: 0, safety: 0, liveness: 5 }, [5_000, null, 100, 7]),
    ];
    expect(names(paretoFront(points))).toEqual(['fast', 'frugal', 'tie-of-fast']);
    expect(recommendation('s', [{ path: 'p', values: [] }], points)).toMatch(
      /^# Recommendation for s\n\n6 grid points; 1 had at least one safety failure and 1 more had a run that did not converge; both are excluded\. These 3 points/,
    );
  });

  it('falls back to the safe points when none converged in every run, and says so', () => {
    const stalled = { pass: 2, safety: 0, liveness: 3 };
    const points = [point('a', stalled, [100, null, 600, 2]), point('b', stalled, [50, null, 600, 2]), point('c', { pass: 0, safety: 5, liveness: 0 }, [1, 1, 1, 1])];
    expect(names(paretoFront(points))).toEqual(['b']);
    expect(recommendation('s', [{ path: 'p', values: [] }], points)).toContain('every other point had a run that did not converge, so those are kept.');
  });
});
