import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeGiven, optionText } from './option-text.ts';

describe('optionText: what the user typed for a numeric option', () => {
  it('reads the value after the option, after =, and under the camelCase spelling; the last one wins', () => {
    expect(optionText(['run', 's.yaml', '--seed', 'abc'], 'seed')).toEqual({ given: true, text: 'abc' });
    expect(optionText(['check', '--first-seed=x'], 'first-seed')).toEqual({ given: true, text: 'x' });
    expect(optionText(['check', '--firstSeed', '7'], 'first-seed')).toEqual({ given: true, text: '7' });
    expect(optionText(['check', '--seeds', '1', '--seeds', 'two'], 'seeds')).toEqual({ given: true, text: 'two' });
  });

  it('tells a bare option (no value, an empty value, or another option next) from a missing one', () => {
    expect(optionText(['run', 's.yaml', '--seed'], 'seed')).toEqual({ given: true, text: undefined });
    expect(optionText(['check', '--seeds='], 'seeds')).toEqual({ given: true, text: undefined });
    expect(optionText(['check', '--seeds', '--workers', '2'], 'seeds')).toEqual({ given: true, text: undefined });
    expect(optionText(['check', 's.yaml', '--seedsx', '3'], 'seeds')).toEqual({ given: false });
    expect(optionText(['run', 's.yaml', '--', '--seed', '3'], 'seed')).toEqual({ given: false });
  });

  it('takes a negative number as the value, as yargs does', () => {
    expect(optionText(['check', '--first-seed', '-3'], 'first-seed')).toEqual({ given: true, text: '-3' });
  });

  it('finds whatever value follows the option, wherever it stands', () => {
    const word = fc.stringMatching(/^[a-z0-9.]{1,8}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), word, fc.array(word, { maxLength: 5 }), (before, value, after) => {
        expect(optionText([...before, '--seeds', value, ...after], 'seeds')).toEqual({ given: true, text: value });
      }),
    );
  });

  it('names the typed text when it did not parse, the parsed number when it did, "nothing" for a bare option', () => {
    expect(describeGiven({ given: true, text: 'abc' }, Number.NaN)).toBe('"abc"');
    expect(describeGiven({ given: true, text: '1.5' }, 1.5)).toBe('1.5');
    expect(describeGiven({ given: true, text: undefined }, 100)).toBe('nothing');
  });
});
