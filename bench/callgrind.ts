// Instruction counts from valgrind's callgrind output. Why counts: this VM's speed drifts by
// a fifth within minutes, so two wall-clock figures of the same code differ more than most
// changes do, while callgrind counts the same run to within a thousand instructions in
// billions. What the counts miss (cache misses, page faults, the cores' contention) the
// wall-clock sections of `compare.ts` still measure.

/** One function's own instructions (its callees' not included), by the object it is in. */
export interface SelfCost {
  readonly object: string;
  readonly fn: string;
  readonly instructions: number;
}

/**
 * Where a Node process's instructions go: the code V8 generated (`jit`: optimized and
 * baseline code, which has no symbol), V8's embedded builtins (inline caches, the
 * interpreter's handlers, promises), compiling (parsers, bytecode, TurboFan), the garbage
 * collector with its write barrier, and the rest (V8's runtime, Node, libc).
 */
export const CATEGORIES = ['jit', 'builtins', 'compile', 'gc', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

const GC = /Scaveng|Marking|MarkCompact|Sweep|Evacuat|RememberedSet|SlotSet|Worklist|MinorGC|GCTracer|MemoryChunk|FreeList|Heap::|heap::base::|RecordWrite|cppgc::/;
const COMPILE = /v8::internal::(compiler|maglev|turboshaft|baseline|interpreter)::|Zone|Parser|Scanner|BytecodeGenerator|AstNode|Compiler::|SourcePosition/;

export function categoryOf(object: string, fn: string): Category {
  if (GC.test(fn)) return 'gc';
  if (object === '???') return 'jit';
  if (fn.startsWith('Builtins_')) return 'builtins';
  if (COMPILE.test(fn)) return 'compile';
  return 'other';
}

/**
 * Each function's self cost in a callgrind output file of one event (`Ir`), and the
 * file's total. The format (valgrind's callgrind format specification): names compressed
 * as `(id) name` on first use and `(id)` after; `fn=` opens a function's cost lines
 * (`position cost`), `ob=` sets its object; a `calls=` line is followed by the one line
 * giving that call's inclusive cost, which is the callee's, not this function's.
 */
export function selfCosts(text: string): { total: number; functions: SelfCost[] } {
  const names = new Map<string, string>();
  const named = (kind: string, value: string): string => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(value);
    if (m === null) return value;
    const key = `${kind}${m[1]}`;
    if (m[2] !== undefined) names.set(key, m[2]);
    return names.get(key) ?? value;
  };
  const costs = new Map<string, SelfCost>();
  let object = '';
  let fn = '';
  let total: number | undefined;
  let skipNext = false;
  for (const line of text.split('\n')) {
    const first = line.charCodeAt(0);
    const isCost = (first >= 48 && first <= 57) || line[0] === '+' || line[0] === '-' || line[0] === '*';
    if (isCost) {
      if (skipNext) {
        skipNext = false;
        continue;
      }
      const instructions = Number(line.split(' ')[1] ?? 0);
      const key = `${object}\0${fn}`;
      const known = costs.get(key);
      costs.set(key, { object, fn, instructions: (known?.instructions ?? 0) + instructions });
      continue;
    }
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    if (eq > 0 && (colon < 0 || eq < colon)) {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      // Objects and functions share one id space with their `c` (callee) forms.
      if (key === 'ob' || key === 'cob') {
        const name = named('ob', value);
        if (key === 'ob') object = name;
      } else if (key === 'fn' || key === 'cfn') {
        const name = named('fn', value);
        if (key === 'fn') fn = name;
      } else if (key === 'calls') skipNext = true;
    } else if (line.startsWith('summary:') || line.startsWith('totals:')) {
      total ??= Number(line.slice(line.indexOf(':') + 1).trim());
    }
  }
  const functions = [...costs.values()];
  return { total: total ?? functions.reduce((n, c) => n + c.instructions, 0), functions };
}

/** `functions`' instructions by category. */
export function byCategory(functions: readonly SelfCost[]): Record<Category, number> {
  const sums: Record<Category, number> = { jit: 0, builtins: 0, compile: 0, gc: 0, other: 0 };
  for (const f of functions) sums[categoryOf(f.object, f.fn)] += f.instructions;
  return sums;
}

/**
 * The code objects that held an address, oldest first, from V8's `--perf-basic-prof` map
 * (`/tmp/perf-PID.map`: a line per code object made, hex start, hex size and name, such as
 * `JS:*popDue file:///…/x.mjs:13195:9`). More than one when the collector freed a code
 * object and V8 put another in its place; none outside every code object.
 */
export function codeNamer(map: string): (address: number) => readonly string[] {
  const code = map.split('\n').flatMap((line) => {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m === null) return [];
    const start = parseInt(m[1] as string, 16);
    return [{ start, end: start + parseInt(m[2] as string, 16), name: m[3] as string }];
  });
  return (address) => code.filter((c) => c.start <= address && address < c.end).map((c) => c.name);
}

/** Generated code's instructions by function, and how many of them were given by a guess. */
export interface JitByFunction {
  readonly sums: ReadonlyMap<string, number>;
  /** At addresses that held code of more than one function over the run: given to the first. */
  readonly reused: number;
}

/**
 * Generated code's instructions by the function it was compiled for. Callgrind knows such
 * code only by the address a call entered it at (`0x…` in the unknown object `???`); the
 * map names the code objects that held that address, and `label` makes a key of a name that
 * two builds share (V8 names a function's code by its line in the bundle, which moves).
 *
 * An address may have held code of several functions over the run: the collector freed one
 * and V8 put another there. Callgrind's count there is of them all, and nothing tells them
 * apart; it goes to the first, and to `reused`. The first is the better guess: what is
 * optimized first is what runs most, and code made later is for functions that took longer
 * to get hot (rack-day review: popDue's code, 154 M instructions, and later code of
 * `later`; arriveBack's, 46 M, and later code of `sleep`). Code the map does not name is
 * `(unnamed code)`.
 */
export function jitByFunction(functions: readonly SelfCost[], codeAt: (address: number) => readonly string[], label: (v8Name: string) => string): JitByFunction {
  const sums = new Map<string, number>();
  let reused = 0;
  for (const f of functions) {
    if (categoryOf(f.object, f.fn) !== 'jit') continue;
    const address = /^0x([0-9a-f]+)/.exec(f.fn);
    const labels = (address === null ? [] : codeAt(parseInt(address[1] as string, 16))).map(label);
    if (new Set(labels).size > 1) reused += f.instructions;
    const key = labels[0] ?? '(unnamed code)';
    sums.set(key, (sums.get(key) ?? 0) + f.instructions);
  }
  return { sums, reused };
}

/**
 * A key for V8's name of a function's code that two builds of the bundle share: the
 * function's name and its source module (`popDue (sim/world/kernel/event-queue.ts)`), the
 * compiler tier left out. Names outside the bundle keep their URL; other code its name.
 */
export function functionLabel(v8Name: string, bundleUrl: string, moduleOfLine: (line: number) => string): string {
  const m = /^JS:[*^~+]?(.*) (\S+):(\d+):\d+$/.exec(v8Name);
  if (m === null) return v8Name;
  const [, fn, where, line] = m as unknown as [string, string, string, string];
  return `${fn === '' ? '(anonymous)' : fn} (${where === bundleUrl ? moduleOfLine(Number(line) - 1) : where})`;
}
