import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { githubErrorLine, JUNIT_HEADER, junitXml, type JunitSuite } from './junit.ts';
import { parseXml } from './testing/parse-xml.ts';

const suites: JunitSuite[] = [
  {
    name: 'scenarios/a&b.yaml',
    cases: [
      { seed: 1, simulatedS: 7200 },
      {
        seed: 2,
        simulatedS: 3600.5,
        failure: { type: 'safety', message: 'expected pass, got safety (quota at 1s: <M.2 0> "full")', invariants: ['quota', 'no_data_loss'], replay: "npx depotsim run 'a&b.yaml' --seed 2" },
      },
    ],
  },
  { name: 'scenarios/c.yaml', cases: [{ seed: 5, simulatedS: 60 }] },
];

describe('junitXml', () => {
  it('writes one testsuite per scenario and one testcase per seed, failures with verdict, invariants and replay command', () => {
    const xml = junitXml(suites);
    expect(xml.startsWith(JUNIT_HEADER)).toBe(true);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '3', failures: '1', time: '10860.500' });
    expect(root.children.map((s) => [s.name, s.attributes.name, s.attributes.tests, s.attributes.failures])).toEqual([
      ['testsuite', 'scenarios/a&b.yaml', '2', '1'],
      ['testsuite', 'scenarios/c.yaml', '1', '0'],
    ]);
    const [pass, fail] = root.children[0]!.children;
    expect(pass!.attributes).toEqual({ classname: 'scenarios/a&b.yaml', name: '1', time: '7200.000' });
    expect(pass!.children).toEqual([]);
    const failure = fail!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attributes).toEqual({ type: 'safety', message: 'expected pass, got safety (quota at 1s: <M.2 0> "full")' });
    expect(failure.text.split('\n')).toEqual([
      'expected pass, got safety (quota at 1s: <M.2 0> "full")',
      'invariants: quota no_data_loss',
      "replay: npx depotsim run 'a&b.yaml' --seed 2",
    ]);
  });

  it('carries any message through the XML unchanged, but for characters XML cannot hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (message) => {
        const xml = junitXml([{ name: message, cases: [{ seed: 1, simulatedS: 1, failure: { type: 'safety', message, invariants: [], replay: 'r' } }] }]);
        const root = parseXml(xml);
        const legal = message.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
        expect(root.children[0]!.attributes.name).toBe(legal);
        expect(root.children[0]!.children[0]!.children[0]!.attributes.message).toBe(legal);
      }),
    );
  });

  it('the test parser rejects XML that is not well formed', () => {
    for (const bad of ['<a>', '<a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a>&</a>', '<a>x<</a>', '<a/><b/>', '<a><!-- c --></a>']) {
      expect(() => parseXml(bad), bad).toThrow(SyntaxError);
    }
  });
});

describe('githubErrorLine', () => {
  it('is one line, with the workflow-command escapes, naming the file and the replay command', () => {
    const line = githubErrorLine('s,1.yaml', 3, 'expected pass, got safety (50% lost)\nsecond line', 'npx depotsim run s,1.yaml --seed 3');
    expect(line).toBe(
      '::error file=s%2C1.yaml,title=depotsim check%3A s%2C1.yaml seed 3::expected pass, got safety (50%25 lost)%0Asecond line%0Areplay: npx depotsim run s,1.yaml --seed 3',
    );
  });
});
