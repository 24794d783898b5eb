// Units of scenario files (SPEC §1): durations, sizes and rates, written the way people
// write them. Each parser returns a whole number or a message saying what was expected.
import type { Micros } from '../../world/kernel/event-queue.ts';

export type Parsed = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly expected: string };

const DURATION_UNITS: Record<string, number> = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 };
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

const DURATION_EXPECTED = 'a duration like 250ms, 90s, 5m, 1h30m, 2d or a number of seconds';
const SIZE_EXPECTED = 'a size like 512B, 4KiB, 1MiB, 20GiB, 500MB or a number of bytes';
const RATE_EXPECTED = 'a rate like 1GiB/s or 100MB/s';

function whole(value: number, expected: string): Parsed {
  return Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER
    ? { ok: true, value: Math.round(value) }
    : { ok: false, expected };
}

/** `1h30m`, `250ms`, `2d`, or a bare number of seconds → microseconds. */
export function parseDuration(input: unknown): Parsed {
  if (typeof input === 'number') return whole(input * 1_000_000, DURATION_EXPECTED);
  if (typeof input !== 'string') return { ok: false, expected: DURATION_EXPECTED };
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return whole(Number(text) * 1_000_000, DURATION_EXPECTED);
  const parts = /^((\d+(\.\d+)?)(us|ms|s|m|h|d))+$/.test(text) ? text.match(/\d+(\.\d+)?(us|ms|s|m|h|d)/g) : null;
  if (parts === null) return { ok: false, expected: DURATION_EXPECTED };
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)$/.exec(part) as unknown as [string, string, string];
    total += Number(amount) * (DURATION_UNITS[unit] as number);
  }
  return whole(total, DURATION_EXPECTED);
}

/** `20GiB`, `500MB`, `512B`, or a bare number of bytes → bytes. */
export function parseSize(input: unknown): Parsed {
  if (typeof input === 'number') return Number.isInteger(input) ? whole(input, SIZE_EXPECTED) : { ok: false, expected: SIZE_EXPECTED };
  if (typeof input !== 'string') return { ok: false, expected: SIZE_EXPECTED };
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/.exec(input.trim());
  if (match === null) return { ok: false, expected: SIZE_EXPECTED };
  return whole(Number(match[1]) * (SIZE_UNITS[match[2] ?? 'B'] as number), SIZE_EXPECTED);
}

/** `1GiB/s` → bytes per second. */
export function parseRate(input: unknown): Parsed {
  if (typeof input !== 'string' || !input.trim().endsWith('/s')) return { ok: false, expected: RATE_EXPECTED };
  const size = parseSize(input.trim().slice(0, -2));
  return size.ok && size.value > 0 ? size : { ok: false, expected: RATE_EXPECTED };
}

/** The shortest exact spelling of a duration, for printing effective parameters. */
export function formatDuration(us: Micros): string {
  if (us === 0) return '0s';
  const units: [string, number][] = [['d', 86_400_000_000], ['h', 3_600_000_000], ['m', 60_000_000], ['s', 1_000_000], ['ms', 1_000], ['us', 1]];
  let rest = us;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
