// A small offline timeline of a trace.json window, drawn as one SVG, for the README's
// screenshot: Perfetto and chrome://tracing cannot be driven offline in headless
// Chromium, so this draws what they would show of the same events: a row per track
// (thread_name), slices as bars, instants as ticks, flows as arrows.
import type { TraceEvent } from '../reports/trace.ts';

export interface TimelineWindow {
  /** Window in seconds of simulated time. */
  readonly from: number;
  readonly to: number;
  /** The processes to draw, in this order. */
  readonly processes: readonly string[];
  readonly title: string;
}

const COLORS: Record<string, string> = {
  list: '#4e79a7', config: '#9c755f', put: '#f28e2b', copy: '#59a14f', delete: '#e15759',
  activation: '#d9d9d9', phase: '#bab0ac', fault: 'rgba(176,122,161,.45)', upload: '#76b7b2',
};
const LABEL = 200;
const WIDTH = 1400;
const ROW = 15;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export function traceTimelineHtml(traceText: string, w: TimelineWindow): string {
  const events = (JSON.parse(traceText) as { traceEvents: TraceEvent[] }).traceEvents;
  const from = w.from * 1e6;
  const to = w.to * 1e6;
  const x = (ts: number): number => LABEL + ((ts - from) / (to - from)) * (WIDTH - LABEL - 10);
  const visible = (e: TraceEvent): boolean => e.ts !== undefined && e.ts <= to && e.ts + (e.dur ?? 0) >= from;
  const pidOf = new Map(events.filter((e) => e.name === 'process_name').map((e) => [String(e.args?.name), e.pid]));
  const threadName = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, String(e.args?.name)]));
  const rows = new Map<string, number>();
  const svg: string[] = [];
  let y = 40;
  for (const process of w.processes) {
    const pid = pidOf.get(process);
    if (pid === undefined) continue;
    const tids = [...new Set(events.filter((e) => e.pid === pid && e.ph !== 'M' && visible(e)).map((e) => e.tid))].sort((a, b) => a - b);
    if (tids.length === 0) continue;
    svg.push(`<rect x="0" y="${y}" width="${WIDTH}" height="${ROW + 2}" fill="#1d2b3a"/><text x="6" y="${y + 12}" fill="#fff" font-weight="bold">${escape(process)}</text>`);
    y += ROW + 4;
    for (const tid of tids) {
      rows.set(`${pid}/${tid}`, y);
      svg.push(`<text x="14" y="${y + 11}" fill="#555">${escape(threadName.get(`${pid}/${tid}`) ?? String(tid))}</text><line x1="${LABEL}" x2="${WIDTH}" y1="${y + ROW}" y2="${y + ROW}" stroke="#eee"/>`);
      y += ROW;
    }
    y += 4;
  }
  for (const e of events) {
    const row = rows.get(`${e.pid}/${e.tid}`);
    if (row === undefined || !visible(e)) continue;
    const x1 = x(Math.max(e.ts as number, from));
    if (e.ph === 'X') {
      const x2 = x(Math.min((e.ts as number) + (e.dur as number), to));
      const width = Math.max(1.5, x2 - x1);
      svg.push(`<rect x="${x1}" y="${row + 1}" width="${width}" height="${ROW - 2}" fill="${COLORS[e.cat ?? ''] ?? '#999'}" stroke="#fff" stroke-width=".3"><title>${escape(e.name)}</title></rect>`);
      if (width > 60) svg.push(`<text x="${x1 + 3}" y="${row + 11}" font-size="10" fill="#111" clip-path="inset(0)">${escape(e.name.slice(0, Math.floor(width / 6)))}</text>`);
    } else if (e.ph === 'i') {
      const color = e.cat === 'violations' ? 'crimson' : '#333';
      svg.push(`<path d="M${x1},${row + 2} l4,${ROW - 4} h-8 z" fill="${color}"><title>${escape(e.name)}</title></path>`);
    }
  }
  // Flow arrows: from each request to the sled's slice for it.
  const ends = new Map(events.filter((e) => e.ph === 'f').map((e) => [e.id, e]));
  for (const s of events.filter((e) => e.ph === 's' && visible(e))) {
    const f = ends.get(s.id);
    const y1 = rows.get(`${s.pid}/${s.tid}`);
    const y2 = f === undefined ? undefined : rows.get(`${f.pid}/${f.tid}`);
    if (f === undefined || y1 === undefined || y2 === undefined) continue;
    svg.push(`<line x1="${x(s.ts as number)}" y1="${y1 + ROW / 2}" x2="${x(f.ts as number) + 3}" y2="${y2 + ROW / 2}" stroke="rgba(225,87,89,.35)" marker-end="url(#arrow)"/>`);
  }
  const ticks: string[] = [];
  const step = (w.to - w.from) / 10;
  for (let t = w.from; t <= w.to + 1e-9; t += step) {
    const label = `${Math.floor(t / 60)}m${String(Math.round(t % 60)).padStart(2, '0')}s`;
    ticks.push(`<line x1="${x(t * 1e6)}" x2="${x(t * 1e6)}" y1="28" y2="${y}" stroke="#ddd"/><text x="${x(t * 1e6)}" y="24" text-anchor="middle" fill="#555">${label}</text>`);
  }
  const legend = Object.entries(COLORS).map(([cat, color], i) => `<rect x="${LABEL + i * 110}" y="${y + 10}" width="12" height="12" fill="${color}"/><text x="${LABEL + i * 110 + 16}" y="${y + 20}">${cat}</text>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(w.title)}</title></head>
<body style="margin:0;font:12px system-ui,sans-serif;background:#fff">
<div style="padding:8px 12px;font-size:15px"><b>${escape(w.title)}</b></div>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 34}" font-family="system-ui,sans-serif" font-size="11">
<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="rgba(225,87,89,.6)"/></marker></defs>
${ticks.join('\n')}
${svg.join('\n')}
${legend.join('\n')}
</svg></body></html>
`;
}
