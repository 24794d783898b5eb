import { describe, expect, it } from 'vitest';
import { moduleOfLine } from './bundle-modules.ts';

// The shape of an esbuild bundle: a module's code follows its `// path` comment.
const BUNDLE = [
  'import x from "y";',
  '',
  '// core/a.ts',
  'var a = 1;',
  '',
  '// sim/world/b.ts',
  'var b = 2;',
  '// node_modules/seedrandom/lib/alea.js',
  'var c = 3;',
  '// not a module',
  'var d = 4;',
].join('\n');

describe('moduleOfLine', () => {
  const module = moduleOfLine(BUNDLE);

  it('gives each line the module whose comment comes last before it', () => {
    expect(module(2)).toBe('core/a.ts');
    expect(module(4)).toBe('core/a.ts');
    expect(module(6)).toBe('sim/world/b.ts');
    expect(module(8)).toBe('node_modules/seedrandom/lib/alea.js');
    expect(module(10)).toBe('node_modules/seedrandom/lib/alea.js');
  });

  it('gives the lines before any module none', () => {
    expect(module(0)).toBe('');
    expect(module(1)).toBe('');
  });
});
