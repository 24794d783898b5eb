// Exit code 5 (SPEC §2): a defect of depotsim is one line on stderr naming a file that
// holds the stack, never a stack trace on the terminal.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceFrames } from './source-frames.ts';

let written = 0;

/** The error's first line, short enough for one line of a terminal. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Writes the stack and what was run into a new file of `dir`; returns its path, or why it could not be written. */
export function writeCrashReport(err: unknown, argv: readonly string[], dir = tmpdir()): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const file = join(dir, `depotsim-crash-${stamp}-${process.pid}-${++written}.txt`);
  const stack = err instanceof Error ? sourceFrames(err.stack ?? firstLine(err)) : String(err);
  try {
    writeFileSync(file, `depotsim ${argv.join(' ')}\nnode ${process.version}\n\n${stack}\n`, { flag: 'wx' });
    return file;
  } catch (writeErr) {
    return `(none: ${(writeErr as NodeJS.ErrnoException).code ?? 'unwritable'} in ${dir})`;
  }
}

/** The one line printed for an internal error. */
export function crashLine(err: unknown, argv: readonly string[], dir?: string): string {
  return `depotsim: internal error: ${firstLine(err)}; crash report: ${writeCrashReport(err, argv, dir)}`;
}
