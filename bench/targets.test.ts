import { describe, expect, it } from 'vitest';
import { scaledToTwoCores, TARGETS, targetsTable, type Figure, type TargetName } from './targets.ts';

const figures = (entries: [TargetName, number][]): Map<TargetName, Figure> => new Map(entries.map(([name, value]) => [name, { value, shown: `v=${value}` }]));

/** The verdict the table gives the row of `name`. */
function verdict(table: readonly string[], name: TargetName): string {
  const row = table.find((line) => line.startsWith(TARGETS[name].what));
  if (row === undefined) throw new Error(`no row for ${name}`);
  return row.trimEnd().split(/\s{2,}/).pop() as string;
}

describe('targetsTable', () => {
  it('judges a figure at its bound met and one past it not met, whichever way the bound goes', () => {
    const table = targetsTable(figures([['review', 0.1], ['merged', 0.16], ['kernel', 1], ['linear', 1.01], ['memory', 203]]), []);
    expect(verdict(table, 'review')).toBe('met');
    expect(verdict(table, 'merged')).toBe('not met');
    expect(verdict(table, 'kernel')).toBe('met');
    expect(verdict(table, 'linear')).toBe('not met');
    expect(verdict(table, 'memory')).toBe('met');
    expect(targetsTable(figures([['kernel', 0.99]]), []).some((line) => line.startsWith(TARGETS.kernel.what) && line.endsWith('not met'))).toBe(true);
  });

  it('says "not run" of a target no section measured, and counts only the measured ones', () => {
    const table = targetsTable(figures([['review', 0.2], ['memory', 203]]), ['two processes do 1.30× the work of one']);
    expect(verdict(table, 'thousandSeeds')).toBe('not run');
    expect(table).toContain('1 of 2 measured targets met');
    expect(table.at(-1)).toBe('this machine: two processes do 1.30× the work of one');
  });

  it('has a row a target, in the issue order, each with its figure as shown', () => {
    const names = Object.keys(TARGETS) as TargetName[];
    const table = targetsTable(figures(names.map((name, i): [TargetName, number] => [name, i])), []);
    expect(table.slice(0, names.length).map((line) => names.find((name) => line.startsWith(TARGETS[name].what)))).toEqual(names);
    for (const i of names.keys()) expect(table[i]).toContain(`v=${i}`);
  });
});

describe('scaledToTwoCores', () => {
  it('scales a wall time to a ceiling of 2.00 from the higher of the ceilings measured around it', () => {
    expect(scaledToTwoCores(100, [2])).toBe(100);
    expect(scaledToTwoCores(92, [1.18, 1.35])).toBeCloseTo(62.1, 10);
    expect(scaledToTwoCores(92, [1.35, 1.18])).toBeCloseTo(62.1, 10);
  });
});
