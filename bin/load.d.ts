/** The path of the bundle of `entry` (relative to the repository root), built if missing. */
export function bundled(entry: string): Promise<string>;
/** Imports `entry`, bundled (or through tsx when the bundle cannot be written). */
export function load(entry: string): Promise<unknown>;
