/** A key of the state of the sources, computed once a process. */
export function sourceHash(): string;
/** The path of the bundle of `entry` (relative to the repository root), built if missing. */
export function bundled(entry: string): Promise<string>;
/** Imports `entry`, bundled (or through tsx when the bundle cannot be written); `key` is a parent's `sourceHash()`. */
export function load(entry: string, key?: string): Promise<unknown>;
