// A single report file (`check --junit FILE`) under SPEC §2's output rule: it may replace
// only a file depotsim wrote, and its writability is known before any simulation starts.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../sim/scenario/input-error.ts';
import { writeFileAtomically } from './files.ts';

/**
 * Refuses (InputError, exit 2) a path that is a directory, a file that does not start with
 * `header` (not one depotsim wrote), or one whose nearest existing directory is not writable.
 */
export function checkReportFile(option: string, file: string, header: string): void {
  const refuse = (why: string): never => {
    throw new InputError(option, 1, 1, `${file}: ${why}`);
  };
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) refuse('expected a file path, got a directory');
    let start = '';
    try {
      start = readFileSync(file, 'utf8').slice(0, header.length);
    } catch (err) {
      refuse(`cannot read the existing file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (start !== header) refuse('expected a path that is new or a report depotsim wrote, got another file (not replaced)');
  }
  let dir = dirname(resolve(file));
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) refuse(`expected a directory at ${dir}, got a file`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    refuse(`cannot write in ${dir}`);
  }
}

export function writeReportFile(file: string, contents: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileAtomically(file, contents);
}
