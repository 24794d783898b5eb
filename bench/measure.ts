// Shared by the benchmark sections: wall time is measured here, outside core/ and sim/.
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { ChildResult } from './run-child.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export const BIN = new URL('../bin/depotsim.js', import.meta.url).pathname;
export const scenarioPath = (name: string): string => new URL(`../scenarios/${name}.yaml`, import.meta.url).pathname;

/** Runs the CLI; returns its wall time in seconds and its stdout. Throws with its stderr on other exit codes. */
export function cli(args: readonly string[], okCodes: readonly number[] = [0]): { seconds: number; stdout: string } {
  const start = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - start) / 1000;
  if (!okCodes.includes(result.status ?? -1)) throw new Error(`depotsim ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { seconds, stdout: result.stdout };
}

export function heading(text: string): void {
  console.log(`\n## ${text}`);
}

export const fmt = (n: number, digits = 2): string => n.toFixed(digits);
export const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Runs `bench/run-child.ts`, bundled as the CLI is, in a fresh process; returns its result. */
export async function runChild(args: readonly string[]): Promise<ChildResult> {
  const { bundled } = await import('../bin/load.js');
  const child = await bundled('bench/run-child.ts');
  const result = spawnSync(process.execPath, [child, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`run-child ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}

/** Wall seconds of `count` processes of `argv` started together. */
export async function concurrentWall(count: number, argv: readonly string[]): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, () => new Promise((done) => spawn(process.execPath, argv, { stdio: 'ignore' }).on('exit', done))));
  return (performance.now() - start) / 1000;
}

/**
 * The machine's own two-core ceiling: how much more work two independent processes of the
 * same simulation do than one (2.0 on two cores that scale; this VM's differ and share).
 * Alternating one and two, so that a drift of the machine hits both alike.
 */
export async function twoCoreCeiling(argv: readonly string[], rounds = 3): Promise<number> {
  const one: number[] = [];
  const two: number[] = [];
  for (let round = 0; round < rounds; round++) {
    one.push(await concurrentWall(1, argv));
    two.push(await concurrentWall(2, argv));
  }
  return (2 * median(one)) / median(two);
}
