import { csvFormatRows } from 'd3-dsv';
import type { Micros } from '../sim/world/kernel/event-queue.ts';

/** Simulated seconds with at most 3 decimals; `null` (never happened) is an empty cell. */
export function seconds(us: Micros | null): string {
  if (us === null) return '';
  const ms = Math.round(us / 1000);
  const whole = Math.trunc(ms / 1000);
  const frac = Math.abs(ms % 1000);
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** A ratio in [0, 1] with 6 decimals, the same on every machine. */
export function ratio(value: number): string {
  return value.toFixed(6);
}

export type Cell = string | number | boolean | null;

/** CSV with a header row and `\n` line ends; numbers and booleans printed plainly. */
export function csv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return csvFormatRows([columns.slice(), ...rows.map(cellsOf)]) + '\n';
}

/** One CSV data line, without header or line end. */
export function csvLine(row: readonly Cell[]): string {
  return csvFormatRows([cellsOf(row)]);
}

function cellsOf(row: readonly Cell[]): string[] {
  return row.map((cell) => (cell === null ? '' : typeof cell === 'number' ? numberCell(cell) : String(cell)));
}

function numberCell(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} to a report`);
  return Number.isInteger(value) ? String(value) : value.toFixed(6);
}

/** Nearest-rank percentile of whole numbers; `null` for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}
