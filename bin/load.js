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
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

function sourceHash() {
  const hash = createHash('sha256');
  for (const file of [join(ROOT, 'package-lock.json'), ...SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The path of the bundle of `entry` (relative to the root), built if missing. */
export async function bundled(entry) {
  const name = entry.replace(/\W+/g, '-');
  // One level below the root, as cli/ is: the sources' `new URL('../…', import.meta.url)` still resolve.
  const out = join(ROOT, '.build', `${name}-${sourceHash()}.mjs`);
  if (!existsSync(out)) {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(ROOT, entry)],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      write: false,
      logLevel: 'silent',
    });
    mkdirSync(dirname(out), { recursive: true });
    // Written aside and renamed: processes starting together never import half a file.
    const temp = `${out}.${process.pid}.tmp`;
    writeFileSync(temp, result.outputFiles[0].contents);
    renameSync(temp, out);
    // Bundles of earlier states of the sources: a running process has read its own already.
    for (const file of readdirSync(dirname(out))) {
      if (file.startsWith(`${name}-`) && join(dirname(out), file) !== out) rmSync(join(dirname(out), file), { force: true });
    }
  }
  return out;
}

export async function load(entry) {
  let path;
  try {
    path = await bundled(entry);
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(ROOT, entry)).href);
  }
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(path).href);
}
