import { describe, expect, it } from 'vitest';
import { byCategory, categoryOf, selfCosts } from './callgrind.ts';

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
