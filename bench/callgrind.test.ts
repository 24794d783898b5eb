import { describe, expect, it } from 'vitest';
import { moduleOfLine } from './bundle-modules.ts';
import { byCategory, categoryOf, codeNamer, functionLabel, jitByFunction, selfCosts } from './callgrind.ts';

// A callgrind output in the shape valgrind 3.19 writes (names compressed, a call's
// inclusive cost on the line after its `calls=`), small enough to add up by hand.
const OUTPUT = `# callgrind format
version: 1
creator: callgrind-3.19.0
cmd:  node --predictable x.mjs
part: 1

positions: line
events: Ir
summary: 1000

ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) Builtins_LoadIC
0 100
+2 20
cob=(2) ???
cfi=(2) ???
cfn=(2) 0x000000000d145040
calls=3 0
0 400
fn=(3) v8::internal::compiler::GraphReducer::ReduceTop()
0 150
fi=(3) src/compiler/graph-reducer.cc
-1 50
fe=(1)
* 25
ob=(2)
fn=(2)
0 300
+1 100
ob=(1)
fn=(4) v8::internal::Scavenger::ScavengePage(v8::internal::MemoryChunk*)
0 30
fn=(5) Builtins_RecordWriteSaveFP
0 10
fn=(1)
0 5
ob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6
fn=(6) __memmove_avx512_unaligned_erms
0 210

totals: 1000
`;

describe('selfCosts', () => {
  const { total, functions } = selfCosts(OUTPUT);
  const cost = (fn: string): number | undefined => functions.find((f) => f.fn === fn)?.instructions;

  it('counts each function its own lines, not the inclusive cost of what it calls', () => {
    expect(cost('Builtins_LoadIC')).toBe(125);
    expect(cost('0x000000000d145040')).toBe(400);
  });

  it('follows compressed names and positions written relative or as `*`, through inlined files', () => {
    expect(cost('v8::internal::compiler::GraphReducer::ReduceTop()')).toBe(225);
    expect(functions.find((f) => f.fn === '0x000000000d145040')?.object).toBe('???');
  });

  it('adds up to the file total', () => {
    expect(total).toBe(1000);
    expect(functions.reduce((n, f) => n + f.instructions, 0)).toBe(1000);
  });

  it('sorts instructions into categories that add up to the total', () => {
    expect(byCategory(functions)).toEqual({ jit: 400, builtins: 125, compile: 225, gc: 40, other: 210 });
  });
});

describe('categoryOf', () => {
  it('tells generated code by its missing object, and the write barrier from other builtins', () => {
    expect(categoryOf('???', '0x0000000000abc000')).toBe('jit');
    expect(categoryOf('/usr/bin/node', 'Builtins_RecordWriteIgnoreFP')).toBe('gc');
    expect(categoryOf('/usr/bin/node', 'Builtins_CallFunction_ReceiverIsAny')).toBe('builtins');
    expect(categoryOf('/usr/bin/node', 'v8::internal::maglev::MaglevGraphBuilder::Build()')).toBe('compile');
    expect(categoryOf('/usr/bin/node', 'v8::internal::Runtime_SetProperty(int, unsigned long*, v8::internal::Isolate*)')).toBe('other');
  });
});

// A `--perf-basic-prof` map as V8 writes it: hex start, hex size, name, a line per code
// object made; the last two took the place of freed ones.
const MAP = `d145000 100 JS:*popDue file:///b/x.mjs:30:9
d100000 40 JS:^popDue file:///b/x.mjs:30:9
d145100 20 JS:* file:///b/x.mjs:12:5
a079c0ad66 78 JS:~ node:internal/main/run_main_module:1:1
d145100 10 JS:*send file:///b/x.mjs:40:3
d145118 8 JS:* file:///b/x.mjs:12:5
`;

describe('codeNamer', () => {
  const at = codeNamer(MAP);

  it('names the code object an address falls in, from its first byte to its last', () => {
    expect(at(0xd145000)).toEqual(['JS:*popDue file:///b/x.mjs:30:9']);
    expect(at(0xd1450ff)).toEqual(['JS:*popDue file:///b/x.mjs:30:9']);
    expect(at(0xd10003f)).toEqual(['JS:^popDue file:///b/x.mjs:30:9']);
    expect(at(0xa079c0ad66 + 0x77)).toEqual(['JS:~ node:internal/main/run_main_module:1:1']);
  });

  it('names every code object that held the address, oldest first', () => {
    expect(at(0xd145100)).toEqual(['JS:* file:///b/x.mjs:12:5', 'JS:*send file:///b/x.mjs:40:3']);
    expect(at(0xd145118)).toEqual(['JS:* file:///b/x.mjs:12:5', 'JS:* file:///b/x.mjs:12:5']);
  });

  it('names nothing between or beyond the code objects', () => {
    expect(at(0xd100040)).toEqual([]);
    expect(at(0xd145120)).toEqual([]);
    expect(at(0xcfffff)).toEqual([]);
  });
});

describe('functionLabel', () => {
  const module = (line: number): string => (line < 20 ? 'core/a.ts' : 'sim/b.ts');

  it("reads V8's lines as counted from 1, the bundle's from 0", () => {
    // Line 2 is `f`'s, the last of core/a.ts; line 3 opens sim/b.ts.
    const bundle = moduleOfLine(['// core/a.ts', 'function f() {}', '// sim/b.ts', 'function g() {}'].join('\n'));
    expect(functionLabel('JS:*f file:///b/x.mjs:2:1', 'file:///b/x.mjs', bundle)).toBe('f (core/a.ts)');
    expect(functionLabel('JS:*g file:///b/x.mjs:4:1', 'file:///b/x.mjs', bundle)).toBe('g (sim/b.ts)');
  });

  it("names a bundle's function by its name and source module, whatever its tier and line", () => {
    expect(functionLabel('JS:*popDue file:///b/x.mjs:30:9', 'file:///b/x.mjs', module)).toBe('popDue (sim/b.ts)');
    expect(functionLabel('JS:^popDue file:///b/x.mjs:31:9', 'file:///b/x.mjs', module)).toBe('popDue (sim/b.ts)');
    expect(functionLabel('JS:* file:///b/x.mjs:12:5', 'file:///b/x.mjs', module)).toBe('(anonymous) (core/a.ts)');
    expect(functionLabel('JS:*get earliest file:///b/x.mjs:31:15', 'file:///b/x.mjs', module)).toBe('get earliest (sim/b.ts)');
  });

  it('keeps the URL of code outside the bundle, and the name of code that is no function', () => {
    expect(functionLabel('JS:~ node:internal/main/run_main_module:1:1', 'file:///b/x.mjs', module)).toBe('(anonymous) (node:internal/main/run_main_module)');
    expect(functionLabel('Builtin:LoadIC', 'file:///b/x.mjs', module)).toBe('Builtin:LoadIC');
  });
});

describe('jitByFunction', () => {
  const label = (name: string): string => functionLabel(name, 'file:///b/x.mjs', () => 'sim/b.ts');

  it("adds up each function's generated code over its code objects, and leaves other code out", () => {
    const functions = [
      { object: '???', fn: '0x000000000d145040', instructions: 400 },
      { object: '???', fn: '0x000000000d1450f0', instructions: 50 },
      { object: '???', fn: '0x000000000d100010', instructions: 7 },
      { object: '???', fn: '0x000000000d145110', instructions: 3 },
      { object: '???', fn: '0x000000000e000000', instructions: 11 },
      { object: '/usr/bin/node', fn: 'Builtins_LoadIC', instructions: 1000 },
    ];
    const { sums, reused } = jitByFunction(functions, codeNamer(MAP), label);
    expect(Object.fromEntries(sums)).toEqual({ 'popDue (sim/b.ts)': 457, '(anonymous) (sim/b.ts)': 3, '(unnamed code)': 11 });
    expect(reused).toBe(0);
  });

  it('gives the code at an address that held two functions to the first, as reused, and one that held the same twice to it', () => {
    const at = (fn: string, instructions: number) => ({ object: '???', fn, instructions });
    const { sums, reused } = jitByFunction([at('0x000000000d145104', 20), at('0x000000000d14511a', 5)], codeNamer(MAP), label);
    expect(Object.fromEntries(sums)).toEqual({ '(anonymous) (sim/b.ts)': 25 });
    expect(reused).toBe(20);
  });
});
