// File system access of the CLI: reading inputs with clear errors, writing report
// directories atomically.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../sim/scenario/input-error.ts';

export function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, 1, 1, `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Writes `files` into `dir` all at once: into a temporary sibling first, then renamed
 * into place, so a reader never sees a half-written report and a failed run leaves the
 * previous reports intact.
 */
export function writeDirAtomically(dir: string, files: ReadonlyMap<string, string>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(dir)}.tmp-`));
  try {
    for (const [name, contents] of files) writeFileSync(join(staging, name), contents);
    if (existsSync(dir)) {
      const old = mkdtempSync(join(parent, `.${basename(dir)}.old-`));
      renameSync(dir, join(old, 'previous'));
      renameSync(staging, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, dir);
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Writes one file through a temporary sibling and a rename. */
export function writeFileAtomically(file: string, contents: string): void {
  const staging = `${file}.tmp-${process.pid}`;
  writeFileSync(staging, contents);
  renameSync(staging, file);
}
