// File system access of the CLI: reading inputs with clear errors, and writing outputs
// under the rule of SPEC §2: a command never deletes, truncates or replaces anything that
// is not a report directory depotsim wrote (one holding its run.json, sweep.json or check.json).
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../sim/harness/scenario/input-error.ts';

/** The largest file depotsim reads as input (scenario, snapshot, run.json, sweep.json): 1 MiB. */
export const MAX_INPUT_BYTES = 1 << 20;

function what(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFile()) return 'a file';
  return 'a special file';
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** Reads a regular file of at most `maxBytes`; anything else (a FIFO, /dev/zero, a directory) is refused before reading. */
export function readInput(file: string, maxBytes = MAX_INPUT_BYTES): string {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (err) {
    throw new InputError(file, 1, 1, `expected a readable file, got ${code(err)}`);
  }
  if (!stats.isFile()) throw new InputError(file, 1, 1, `expected a file, got ${what(stats)}`);
  if (stats.size > maxBytes) throw new InputError(file, 1, 1, `expected a file of at most ${maxBytes} bytes, got ${stats.size}`);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, 1, 1, `expected a readable file, got ${code(err)}`);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The files that mark a directory as a report depotsim wrote, which it may replace. */
const REPORT_MARKERS = ['run.json', 'sweep.json', 'check.json'];

/** Staging names: `.<name>.depotsim-<pid>-<random>`; the pid tells a stale one (its writer is gone) from a live one. */
const STAGING = /^\.(.+)\.depotsim-(\d+)-[^/]*$/;

function stagingPrefix(target: string): string {
  return join(dirname(target), `.${basename(target)}.depotsim-${process.pid}-`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}

/** Removes staging files and directories for `target` left by a killed depotsim process. */
function cleanStale(target: string): void {
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    const match = STAGING.exec(name);
    if (match !== null && match[1] === basename(target) && !alive(Number(match[2]))) rmSync(join(dirname(target), name), { recursive: true, force: true });
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw new InputError(path, 1, 1, `expected a path that can be written, got ${code(err)}`);
  }
}

/** The nearest existing ancestor of `path`, which must be a directory that can be written. */
function probeWritable(path: string, flag: string): void {
  let dir = dirname(resolve(path));
  let stats = lstatOrUndefined(dir);
  while (stats === undefined && dirname(dir) !== dir) {
    dir = dirname(dir);
    stats = lstatOrUndefined(dir);
  }
  const shown = flag === '' ? path : `${flag} ${path}`;
  if (stats === undefined || !statSync(dir).isDirectory()) {
    throw new InputError(path, 1, 1, `expected ${shown} under a directory, got ${stats === undefined ? 'none' : `${dir} as ${what(stats)}`}`);
  }
  // Asking the file system itself: permission bits say nothing for root or a read-only mount.
  try {
    rmSync(mkdtempSync(join(dir, `.${basename(path)}.depotsim-${process.pid}-probe`)), { recursive: true, force: true });
  } catch (err) {
    throw new InputError(path, 1, 1, `expected a path that can be written, got ${code(err)} in ${dir}`);
  }
}

/**
 * Checks, before any simulation, that `dir` may receive a report: it does not exist, or
 * is an empty directory, or is a report directory depotsim wrote; and that it can be
 * written. Anything else is an `InputError` and nothing is written.
 */
export function checkReportDir(dir: string, flag = '--out'): void {
  if (dir.trim() === '') throw new InputError(flag, 1, 1, `expected a directory path, got ${JSON.stringify(dir)}`);
  const stats = lstatOrUndefined(dir);
  if (stats !== undefined) {
    if (!stats.isDirectory()) throw new InputError(dir, 1, 1, `expected a directory for depotsim's reports, got ${what(stats)}`);
    const entries = readdirSync(dir);
    if (entries.length > 0 && !REPORT_MARKERS.some((m) => entries.includes(m))) {
      throw new InputError(dir, 1, 1, `expected an empty directory or a depotsim report directory (holding ${REPORT_MARKERS.slice(0, -1).join(', ')} or ${REPORT_MARKERS.at(-1)}), got a directory holding ${entries.length} other ${entries.length === 1 ? 'entry' : 'entries'}; nothing was changed`);
    }
  }
  probeWritable(dir, flag);
}

/**
 * Checks, before any simulation, that `file` may be written: it does not exist, or is a
 * file that `ownedBy` recognises as depotsim's own (or lies in a report directory); and
 * that its directory can be written.
 */
export function checkOutputFile(file: string, flag: string, ownedBy: (contents: string) => boolean): void {
  if (file.trim() === '') throw new InputError(flag, 1, 1, `expected a file path, got ${JSON.stringify(file)}`);
  const stats = lstatOrUndefined(file);
  if (stats !== undefined) {
    if (!stats.isFile()) throw new InputError(file, 1, 1, `expected a file depotsim may write, got ${what(stats)}`);
    const inReport = REPORT_MARKERS.some((m) => lstatOrUndefined(join(dirname(file), m))?.isFile() === true);
    if (!inReport && !(stats.size <= MAX_INPUT_BYTES && ownedBy(readFileSync(file, 'utf8')))) {
      throw new InputError(file, 1, 1, 'expected a new file or one depotsim wrote, got a file of something else; nothing was changed');
    }
  }
  probeWritable(file, flag);
}

/**
 * Writes `files` into `dir` all at once: into a staging sibling first, then renamed into
 * place, so a reader never sees a half-written report, a failed write leaves the previous
 * report as it was, and nothing is left behind. Stale staging of a killed process is removed.
 */
export function writeDirAtomically(dir: string, files: ReadonlyMap<string, string>): void {
  checkReportDir(dir);
  mkdirSync(dirname(dir), { recursive: true });
  cleanStale(dir);
  const staging = mkdtempSync(stagingPrefix(dir));
  const old = `${staging}-old`;
  try {
    // mkdtemp makes the directory private (0700); a report directory is as readable as any
    // directory the user makes.
    chmodSync(staging, 0o777 & ~process.umask());
    for (const [name, contents] of files) writeFileSync(join(staging, name), contents);
    if (lstatOrUndefined(dir) !== undefined) {
      renameSync(dir, old);
      try {
        renameSync(staging, dir);
      } catch (err) {
        renameSync(old, dir);
        throw err;
      }
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, dir);
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw outputError(dir, err);
  }
}

/** Writes one file through a staging sibling and a rename; the staging file never outlives a failure. */
export function writeFileAtomically(file: string, contents: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  cleanStale(file);
  const staging = `${stagingPrefix(file)}${Math.random().toString(36).slice(2, 8)}`;
  try {
    writeFileSync(staging, contents);
    renameSync(staging, file);
  } catch (err) {
    rmSync(staging, { force: true });
    throw outputError(file, err);
  }
}

/** A failure to write (a full disk, a file system gone read-only) is the user's path's problem, not a defect: exit 2. */
export function outputError(path: string, err: unknown): Error {
  if (err instanceof InputError) return err;
  const errno = (err as NodeJS.ErrnoException).code;
  return errno === undefined ? (err as Error) : new InputError(path, 1, 1, `expected a path that can be written, got ${errno}`);
}
