// A crash report's stack in TypeScript lines. The CLI runs from esbuild bundles, each with its
// source map beside it (bin/load.js), but Node is not asked to apply them: that would parse
// a map in every process started, for the rare run that crashes. The report maps its frames
// itself.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A frame's location in a bundle: its file (a path or a file URL), line and column, 1-based. */
const BUNDLE_LOCATION = /((?:file:\/\/)?\/[^\s():]+\.mjs):(\d+):(\d+)/g;

function mapBeside(bundle: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  } catch {
    return undefined; // A bundle gone or unreadable keeps its frames as they are.
  }
}

/** `stack` with every frame in a bundle that has its source map beside it named by its source file, line and column. */
export function sourceFrames(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return stack.replace(BUNDLE_LOCATION, (whole, location: string, line: string, column: string) => {
    const bundle = location.startsWith('file:') ? fileURLToPath(location) : location;
    if (!maps.has(bundle)) maps.set(bundle, mapBeside(bundle));
    const entry = maps.get(bundle)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (entry === undefined || !('originalSource' in entry)) return whole;
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(dirname(bundle), entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}
