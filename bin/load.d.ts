/** A key of the state of the sources, computed once a process. */
export function sourceHash(): string;
/** How every bundle is built: `entry` (an absolute path) into `outfile`, its map beside it (esbuild's options). */
export function bundleOptions(entry: string, outfile: string): import('esbuild').BuildOptions;
/** The path of the bundle of `entry` (relative to the repository root), built if missing. */
export function bundled(entry: string): Promise<string>;
/** Imports `entry`, bundled (or through tsx when the bundle cannot be written); `key` is a parent's `sourceHash()`. */
export function load(entry: string, key?: string): Promise<unknown>;
