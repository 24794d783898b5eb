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
