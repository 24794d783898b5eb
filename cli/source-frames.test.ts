import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../bin/load.js';
import { sourceFrames } from './source-frames.ts';

const THROWER = `export function inner(n: number): number {
  if (n > 2) {
    const why: string = 'too deep';
    throw new Error(why);
  }
  return inner(n + 1);
}

try {
  inner(0);
} catch (err) {
  process.stdout.write((err as Error).stack ?? '');
}
`;

/** The stack a bundle built as bin/load.js builds them (its map beside it) prints, run by plain Node. */
async function bundledStack(): Promise<{ dir: string; bundle: string; stack: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'depotsim-frames-'));
  writeFileSync(join(dir, 'thrower.ts'), THROWER);
  const bundle = join(dir, '.build', 'thrower-0123.mjs');
  await build({ ...bundleOptions(join(dir, 'thrower.ts'), bundle), logLevel: 'silent' });
  return { dir, bundle, stack: execFileSync(process.execPath, [bundle], { encoding: 'utf8' }) };
}

describe("a crash report's frames", () => {
  it('name the TypeScript file, line and column of each frame in a bundle with its map beside it', async () => {
    const { dir, bundle, stack } = await bundledStack();
    expect(stack).toMatch(/thrower-0123\.mjs:\d+:\d+/);
    const mapped = sourceFrames(stack);
    const frames = mapped.split('\n').filter((line) => line.trimStart().startsWith('at '));
    // The throw (line 4, column 11), the recursion three times (line 6), the call at the top level (line 10).
    expect(frames.slice(0, 5)).toEqual([
      expect.stringContaining(`${join(dir, 'thrower.ts')}:4:11`),
      expect.stringContaining(`${join(dir, 'thrower.ts')}:6:10`),
      expect.stringContaining(`${join(dir, 'thrower.ts')}:6:10`),
      expect.stringContaining(`${join(dir, 'thrower.ts')}:6:10`),
      expect.stringContaining(`${join(dir, 'thrower.ts')}:10:3`),
    ]);
    expect(mapped).not.toContain(bundle);
    expect(mapped.split('\n')[0]).toBe('Error: too deep');
  });

  it('keeps frames it cannot map as they were', () => {
    const stack = ['Error: x', '    at f (/nowhere/.build/gone-1.mjs:3:4)', '    at g (node:internal/process/task_queues:95:5)', '    at h (/tmp/plain.js:1:2)'].join('\n');
    expect(sourceFrames(stack)).toBe(stack);
  });
});
