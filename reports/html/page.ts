// The report page's script (bundled by esbuild into report.html): draws the charts from
// the JSON data embedded in the page. Runs in the browser, offline.
import * as Plot from '@observablehq/plot';
import { REQUEST_KINDS, type PageData, type RunPageData, type SweepPageData } from './page-data.ts';

const HOUR = 3600;
const MiB = 2 ** 20;

function chart(title: string, note: string, plot: (Element & { tagName: string }) | HTMLElement): void {
  const section = document.createElement('section');
  section.className = 'chart';
  const heading = document.createElement('h2');
  heading.textContent = title;
  const caption = document.createElement('p');
  caption.textContent = note;
  section.append(heading, caption, plot);
  document.querySelector('main')?.append(section);
}

function table(rows: readonly (readonly [string, string])[]): HTMLElement {
  const t = document.createElement('table');
  for (const [key, value] of rows) {
    const tr = t.insertRow();
    tr.insertCell().textContent = key;
    tr.insertCell().textContent = value;
  }
  return t;
}

/**
 * Small multiples: one short chart per request kind, each with its own y scale, so the
 * rare DELETEs and PUTs stay readable next to the lists of every activation.
 */
function requestRates(d: RunPageData, width: number): HTMLElement {
  const h = (s: number): number => s / HOUR;
  const rows = document.createElement('div');
  const colors = new Map<string, string>(REQUEST_KINDS.map((kind, i) => [kind, ['#4e79a7', '#9c755f', '#f28e2b', '#59a14f', '#e15759'][i] as string]));
  for (const kind of [...REQUEST_KINDS, ...new Set(d.requests.map((r) => r.kind))].filter((k, i, all) => all.indexOf(k) === i)) {
    const rates = d.requests.filter((r) => r.kind === kind);
    if (rates.length === 0) continue;
    rows.append(
      Plot.plot({
        width,
        height: 110,
        marginLeft: 60,
        x: { label: null, domain: [0, h(d.end)] },
        y: { label: `${kind} / min`, grid: true, ticks: 3 },
        marks: [
          Plot.rectY(rates, { x1: (r) => h(r.minute * 60), x2: (r) => h((r.minute + r.minutes) * 60), y: 'perMinute', fill: colors.get(kind) ?? '#888', title: (r) => `${r.perMinute.toFixed(1)} ${kind}/min` }),
          Plot.ruleY([0]),
        ],
      }),
    );
  }
  return rows;
}

function drawRun(d: RunPageData): number {
  const h = (s: number): number => s / HOUR;
  const width = 960;
  const faults = Plot.rectY(d.faults, { x1: (f) => h(f.start), x2: (f) => h(Math.max(f.end, f.start + 30)), y1: 0, y2: 1, fill: 'kind', fillOpacity: 0.18 });
  const violations = Plot.ruleX(d.violations, { x: (v) => h(v.t), stroke: 'crimson', strokeOpacity: 0.6 });
  chart('Parameters and verdict', `verdict: ${d.verdict}`, table(d.parameters));
  chart(
    'Replicated fraction',
    'Share of (in-service sled, wanted artifact) pairs with every copy in place; fault intervals shaded by kind; violations as red rules.',
    Plot.plot({
      width,
      x: { label: 'simulated time (h)', domain: [0, h(d.end)] },
      y: { label: 'replicated fraction', domain: [0, 1], grid: true },
      color: { legend: true },
      marks: [faults, Plot.line(d.timeline, { x: (r) => h(r.t), y: 'fraction' }), violations],
    }),
  );
  chart(
    'Requests started per minute, by kind',
    `Every request any Nexus sent, one row per kind, each on its own scale${d.requests[0] !== undefined && d.requests[0].minutes > 1 ? `; averaged over ${d.requests[0].minutes}-minute buckets` : ''}.`,
    requestRates(d, width),
  );
  chart(
    'Bytes in flight',
    'Artifact bodies still moving over the network at each sample (uploads, PUTs, copies).',
    Plot.plot({
      width,
      x: { label: 'simulated time (h)', domain: [0, h(d.end)] },
      y: { label: 'MiB in flight', grid: true },
      marks: [Plot.areaY(d.timeline, { x: (r) => h(r.t), y: (r) => r.bytesInFlight / MiB, fillOpacity: 0.5 }), Plot.ruleY([0])],
    }),
  );
  chart(
    'Local storage per Nexus',
    'Uploaded repos each Nexus still holds, waiting for min_sled_replication sleds (0 while it is down).',
    Plot.plot({
      width,
      x: { label: 'simulated time (h)', domain: [0, h(d.end)] },
      y: { label: 'local MiB', grid: true },
      color: { legend: true },
      marks: [Plot.line(d.local, { x: (r) => h(r.t), y: (r) => r.bytes / MiB, stroke: 'nexus' }), Plot.ruleY([0])],
    }),
  );
  chart(
    'Repo lifecycles',
    'uploading → in the database, exposed (below min_sled_replication) → replicating → on every sled → deleted and purging.',
    Plot.plot({
      width,
      marginLeft: 80,
      x: { label: 'simulated time (h)', domain: [0, h(d.end)] },
      y: { label: null },
      color: { legend: true, domain: ['uploading', 'exposed', 'replicating', 'replicated', 'purging'] },
      marks: [Plot.barX(d.repos, { x1: (r) => h(r.start), x2: (r) => h(Math.max(r.end, r.start + 1)), y: 'repo', fill: 'phase' })],
    }),
  );
  chart(
    'Violations',
    d.violations.length === 0 ? 'No invariant was violated.' : `${d.violations.length} violations; hover a dot for its detail.`,
    Plot.plot({
      width,
      marginLeft: 150,
      x: { label: 'simulated time (h)', domain: [0, h(d.end)] },
      y: { label: null },
      marks: [Plot.dot(d.violations, { x: (v) => h(v.t), y: 'invariant', fill: 'crimson', title: 'detail' }), Plot.ruleY([])],
    }),
  );
  return 7;
}

function drawSweep(d: SweepPageData): number {
  let charts = 0;
  const label = (p: SweepPageData['points'][number]): string => p.values.join(' / ');
  const pairs: [number, number][] = [];
  for (let i = 0; i < d.axes.length; i++) for (let j = i + 1; j < d.axes.length; j++) pairs.push([i, j]);
  if (d.axes.length === 1) pairs.push([0, -1]);
  const metrics: [string, (p: SweepPageData['points'][number]) => number | null, string][] = [
    ['full replication p50 (s)', (p) => p.fullP50, 'Time from insert to every sled, median over seeds'],
    ['full replication p95 (s)', (p) => p.fullP95, 'Time from insert to every sled, 95th percentile over seeds'],
    ['bytes moved p50 (GiB)', (p) => (p.bytesP50 === null ? null : p.bytesP50 / 2 ** 30), 'PUT plus copy bytes, median over seeds'],
  ];
  for (const [i, j] of pairs) {
    for (const [name, value, note] of metrics) {
      const x = d.axes[i] ?? '';
      const y = j < 0 ? '' : (d.axes[j] ?? '');
      // One cell per (x, y) value pair: the median over the other grid parameters.
      const groups = new Map<string, { x: string; y: string; values: number[] }>();
      for (const p of d.points) {
        const key = `${p.values[i] ?? ''}\u0000${j < 0 ? '' : (p.values[j] ?? '')}`;
        const group = groups.get(key) ?? { x: p.values[i] ?? '', y: j < 0 ? '' : (p.values[j] ?? ''), values: [] };
        const v = value(p);
        if (v !== null) group.values.push(v);
        groups.set(key, group);
      }
      const cells = [...groups.values()].map((g) => {
        const sorted = [...g.values].sort((a, b) => a - b);
        return { x: g.x, y: g.y, v: sorted.length === 0 ? null : (sorted[Math.floor((sorted.length - 1) / 2)] as number) };
      });
      const present = cells.flatMap((c) => (c.v === null ? [] : [c.v]));
      const low = Math.min(...present);
      const high = Math.max(...present);
      const dark = (v: number | null): boolean => v !== null && high > low && (v - low) / (high - low) > 0.6;
      // Numeric grid values as numbers: Plot warns about numbers written as strings.
      const band = (v: string): string | number => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
      chart(
        `${name}: ${x}${y ? ` × ${y}` : ''}`,
        `${note}; the median over the other grid parameters where there are more than two.`,
        Plot.plot({
          marginLeft: 120,
          color: { scheme: 'YlOrRd', legend: true, label: name },
          x: { label: x },
          y: { label: y || null },
          marks: [
            Plot.cell(cells, { x: (c) => band(c.x), y: (c) => band(c.y), fill: 'v' }),
            Plot.text(cells, {
              x: (c) => band(c.x),
              y: (c) => band(c.y),
              text: (c) => (c.v === null ? 'n/a' : c.v >= 100 ? c.v.toFixed(0) : c.v.toFixed(1)),
              fill: (c) => (dark(c.v) ? 'white' : 'black'),
            }),
          ],
        }),
      );
      charts++;
    }
  }
  const verdicts = d.points.flatMap((p) => (['pass', 'safety', 'liveness'] as const).map((v) => ({ point: label(p), verdict: v, runs: p[v] })));
  chart(
    'Runs by verdict',
    'Per grid point: runs that passed, failed a safety invariant, or did not converge.',
    Plot.plot({
      width: 960,
      marginBottom: 110,
      x: { label: null, tickRotate: -40 },
      y: { label: 'runs', grid: true },
      color: { legend: true, domain: ['pass', 'safety', 'liveness'], range: ['#4c9a2a', '#c0392b', '#e67e22'] },
      marks: [Plot.barY(verdicts, { x: 'point', y: 'runs', fill: 'verdict' })],
    }),
  );
  chart(
    'Pareto points',
    'Exposure (p95 time to min_sled_replication) against full replication (p95); the recommended points (no safety failure, every run converged, Pareto front) are large.',
    Plot.plot({
      width: 960,
      x: { label: 'exposure p95 (s)', grid: true },
      y: { label: 'full replication p95 (s)', grid: true },
      color: { legend: true, domain: ['recommended', 'other'], range: ['#1f77b4', '#bbbbbb'] },
      marks: [
        Plot.dot(d.points.filter((p) => p.exposureP95 !== null && p.fullP95 !== null), {
          x: 'exposureP95',
          y: 'fullP95',
          r: (p) => (p.pareto ? 7 : 3),
          fill: (p) => (p.pareto ? 'recommended' : 'other'),
          title: label,
        }),
      ],
    }),
  );
  return charts + 2;
}

const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as PageData;
const drawn = data.kind === 'run' ? drawRun(data) : drawSweep(data);
document.body.dataset.charts = String(drawn);
