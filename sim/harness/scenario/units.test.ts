import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseRate, parseSize } from './units.ts';

describe('durations', () => {
  it.each([
    ['250ms', 250_000],
    ['90s', 90_000_000],
    ['5m', 300_000_000],
    ['1h30m', 5_400_000_000],
    ['2d', 172_800_000_000],
    ['1.5s', 1_500_000],
    ['120us', 120],
    [45, 45_000_000],
    ['45', 45_000_000],
    [0.25, 250_000],
  ])('%s is %i µs', (input, us) => {
    expect(parseDuration(input)).toEqual({ ok: true, value: us });
  });

  it.each(['5x', '', '1h 30m', '-5s', 'm5', '5mm', true, null, [1]])('%s is refused', (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  it.each([0, 1, 999, 1_000_000, 5_400_000_000, 90_061_001_001])('formats %i µs so that it parses back', (us) => {
    expect(parseDuration(formatDuration(us))).toEqual({ ok: true, value: us });
  });
});

describe('sizes and rates', () => {
  it.each([
    ['512B', 512],
    ['4KiB', 4096],
    ['1MiB', 1_048_576],
    ['20GiB', 21_474_836_480],
    ['500MB', 500_000_000],
    [1024, 1024],
    ['1024', 1024],
  ])('%s is %i bytes', (input, bytes) => {
    expect(parseSize(input)).toEqual({ ok: true, value: bytes });
  });

  it.each(['20GB/s', '1 GiBs', 'GiB', 1.5, -1])('size %s is refused', (input) => {
    expect(parseSize(input).ok).toBe(false);
  });

  it.each([
    ['1GiB/s', 1_073_741_824],
    ['100MB/s', 100_000_000],
  ])('rate %s is %i bytes/s', (input, rate) => {
    expect(parseRate(input)).toEqual({ ok: true, value: rate });
  });

  it.each(['1GiB', '0B/s', 5, 'fast'])('rate %s is refused', (input) => {
    expect(parseRate(input).ok).toBe(false);
  });
});
