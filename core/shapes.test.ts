import { describe, expect, it } from 'vitest';
import { FLOAT_ZERO, objectArray } from './shapes.ts';

describe('objectArray', () => {
  it('is a fresh empty array each call', () => {
    const a = objectArray<string>();
    const b = objectArray<string>();
    expect(a).toEqual([]);
    expect(a).not.toBe(b);
    a.push('x');
    expect(b).toEqual([]);
    expect(a).toEqual(['x']);
  });
});

describe('FLOAT_ZERO', () => {
  it('is positive zero', () => {
    expect(Object.is(FLOAT_ZERO, 0)).toBe(true);
    expect(String(FLOAT_ZERO)).toBe('0');
  });
});
