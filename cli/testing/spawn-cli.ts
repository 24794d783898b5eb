import { spawnSync } from 'node:child_process';

/** The executable users run (`npx depotsim` resolves to it). */
export const BIN = new URL('../../bin/depotsim.js', import.meta.url).pathname;
export const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname;

/** Runs the real executable in a child process, as a user's shell would. */
export function depotsim(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
