// Which source module a line of an esbuild bundle comes from: the bundles are unminified,
// and esbuild opens every module's code with a `// path/to/module.ts` comment (a
// package's with its path under node_modules).

/** The module of each (0-based) line of `bundle`; '' before the first module. */
export function moduleOfLine(bundle: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  bundle.split('\n').forEach((text, line) => {
    const m = /^\/\/ ([\w./@-]+\.(?:ts|js|mjs|cjs))$/.exec(text);
    if (m !== null) starts.push({ line, module: m[1] as string });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts[mid] as { line: number; module: string };
      if (start.line <= line) {
        found = start.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}
