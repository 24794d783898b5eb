// Loads a TypeScript entry point of the CLI. The sources are bundled with esbuild into
// .build/ once per state of the sources (keyed by a hash of them), so there is still no
// build step to forget; the bundle runs the simulation about a fifth faster than tsx's
// per-module transform, which wraps every closure to keep its name. If the bundle cannot
// be written (a read-only checkout), tsx runs the sources as they are.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SOURCES = ['core', 'sim', 'cli', 'reports', 'bench'];

function sourceFiles(dir) {
  // Joined by hand: path.join normalizes every name, which cost more than the hashing.
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

let hashed;

/**
 * A key of the state of the sources, computed once a process: the CLI asks for two bundles
 * (its own, and the workers' job, whose processes are handed the key; see `load`).
 */
export function sourceHash() {
  if (hashed !== undefined) return hashed;
  const hash = createHash('sha256');
  // This file too: its build options shape the bundle as much as the sources do.
  for (const file of [join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url), ...SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  hashed = hash.digest('hex').slice(0, 16);
  return hashed;
}

function bundlePath(name, key) {
  // One level below the root, as cli/ is: the sources' `new URL('../…', import.meta.url)` still resolve.
  return join(ROOT, '.build', `${name}-${key}.mjs`);
}

/** How every bundle is built: `entry` (an absolute path) into `outfile`, its map beside it. */
export function bundleOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages go into the bundle too: Node's loader resolving, reading and parsing each of
    // their files one by one (yaml's alone are dozens) cost every command's start more than
    // compiling them in one file. Left outside: yargs, which finds the version to print and
    // its locale files from where its own files are; the tools imported only on demand
    // (esbuild builds the report page, playwright-core drives its browser); and this module,
    // whose `sourceHash()` the CLI's pool asks for: the same instance as the one that loaded the CLI.
    external: ['../bin/load.js', 'yargs', 'yargs/*', 'esbuild', 'playwright-core'],
    // The bundled CommonJS packages `require` Node's modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // Beside the bundle, not inside it: V8 would scan an inline map's megabyte on every
    // start. Only a crash report reads it (cli/source-frames.ts).
    sourcemap: 'external',
    outfile,
  };
}

/** The path of the bundle of `entry` (relative to the root), built if missing. */
export async function bundled(entry) {
  const name = entry.replace(/\W+/g, '-');
  const out = bundlePath(name, sourceHash());
  if (!existsSync(out)) {
    const { build } = await import('esbuild');
    const result = await build({ ...bundleOptions(join(ROOT, entry), out), write: false, logLevel: 'silent' });
    mkdirSync(dirname(out), { recursive: true });
    // Each written aside and renamed, the map first: processes starting together never
    // import half a file, and a bundle there has its map.
    for (const path of [`${out}.map`, out]) {
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, result.outputFiles.find((file) => file.path === path).contents);
      renameSync(temp, path);
    }
    // Bundles of earlier states of the sources: a running process has read its own already.
    for (const file of readdirSync(dirname(out))) {
      const path = join(dirname(out), file);
      if (file.startsWith(`${name}-`) && path !== out && path !== `${out}.map`) rmSync(path, { force: true });
    }
  }
  return out;
}

/**
 * Imports `entry`, bundled (or through tsx when the bundle cannot be written). `key`, the
 * parent's `sourceHash()`, spares a worker process hashing the sources again when the
 * bundle of that state is there; a missing one (the sources changed since) is rebuilt as
 * usual. Stack traces stay in bundle lines: Node's source-map support would parse the
 * inline map in every process, and a crash report maps its own frames (cli/crash-report.ts).
 */
export async function load(entry, key) {
  const ready = key === undefined ? undefined : bundlePath(entry.replace(/\W+/g, '-'), key);
  let path;
  try {
    path = ready !== undefined && existsSync(ready) ? ready : await bundled(entry);
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(ROOT, entry)).href);
  }
  return import(pathToFileURL(path).href);
}
