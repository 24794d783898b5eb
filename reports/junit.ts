// `check --junit`: the runs of a check as JUnit XML, the format CI systems (GitHub,
// GitLab, Jenkins) read to show test results; and GitHub's `::error` annotations.

/** One seed of one scenario, as `check` finished it. */
export interface JunitCase {
  readonly seed: number;
  /** Simulated seconds the run covered. */
  readonly simulatedS: number;
  /** Absent when the run reached the expected verdict. */
  readonly failure?: {
    /** `safety`, `liveness` or `nondeterminism`: the failure's type. */
    readonly type: string;
    /** One line: what was expected and what happened. */
    readonly message: string;
    readonly invariants: readonly string[];
    /** The command that replays the run. */
    readonly replay: string;
  };
}

export interface JunitSuite {
  /** The scenario file as given on the command line. */
  readonly name: string;
  readonly cases: readonly JunitCase[];
}

/**
 * The first line of every file this writes: `check` replaces an existing `--junit` file
 * only when it starts so (SPEC §2's output rule: never replace what depotsim did not write).
 */
export const JUNIT_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="depotsim check"';

/** XML attribute and text escaping; characters XML 1.0 cannot hold at all become U+FFFD. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    // A parser would turn a raw tab or CR in an attribute into a space.
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** Text content keeps its line ends readable; only markup characters are escaped. */
function xmlText(text: string): string {
  return xmlEscape(text).replace(/&#10;/g, '\n').replace(/&quot;/g, '"');
}

const time = (s: number): string => s.toFixed(3);

function testcase(suite: string, c: JunitCase): string {
  const open = `    <testcase classname="${xmlEscape(suite)}" name="${c.seed}" time="${time(c.simulatedS)}"`;
  if (c.failure === undefined) return `${open}/>`;
  const f = c.failure;
  const body = [
    f.message,
    `invariants: ${f.invariants.join(' ') || 'none'}`,
    `replay: ${f.replay}`,
  ].join('\n');
  return `${open}>\n      <failure type="${xmlEscape(f.type)}" message="${xmlEscape(f.message)}">${xmlText(body)}</failure>\n    </testcase>`;
}

/**
 * One `<testsuite>` per scenario, one `<testcase>` per seed (its name the seed, its time
 * the simulated seconds), a `<failure>` with the verdict, the invariants violated and the
 * replay command for each seed that did not reach the expected verdict.
 */
export function junitXml(suites: readonly JunitSuite[]): string {
  const failures = (cases: readonly JunitCase[]): number => cases.filter((c) => c.failure !== undefined).length;
  const total = (cases: readonly JunitCase[]): number => cases.reduce((sum, c) => sum + c.simulatedS, 0);
  const all = suites.flatMap((s) => s.cases);
  const lines = [`${JUNIT_HEADER} tests="${all.length}" failures="${failures(all)}" errors="0" time="${time(total(all))}">`];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${xmlEscape(suite.name)}" tests="${suite.cases.length}" failures="${failures(suite.cases)}" errors="0" skipped="0" time="${time(total(suite.cases))}">`,
    );
    for (const c of suite.cases) lines.push(testcase(suite.name, c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** GitHub's workflow-command escaping: of the message, and (more) of a property value. */
const ghData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProperty = (text: string): string => ghData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * One `::error` workflow command for a failing seed: GitHub shows it as an annotation on
 * the scenario file, with the command that replays the run.
 */
export function githubErrorLine(scenario: string, seed: number, message: string, replay: string): string {
  const title = `depotsim check: ${scenario} seed ${seed}`;
  return `::error file=${ghProperty(scenario)},title=${ghProperty(title)}::${ghData(`${message}\nreplay: ${replay}`)}`;
}
