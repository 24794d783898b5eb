// yargs renders and caches a command's whole help text as soon as the command's handler has
// started, in case the handler then asks to show it. depotsim's handlers never do (a
// failure is one line, `.fail` throws), and that rendering measured the width of every
// string through `Intl.Segmenter` and an emoji pattern: in a `check`'s parent process about
// 0.15 G instructions and 60 ms, in every command. `--help` does not go through the cache
// and prints as before. The method sits behind yargs' internal accessor, so each step is
// looked up: with another yargs, the cache is simply made as before.

interface UsageInternals {
  cacheHelpMessage?: () => void;
}
interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance?: () => UsageInternals | undefined } | undefined;
}

/** `cli`, with yargs' help cache not filled after a command starts. */
export function skipHelpCache<T extends object>(cli: T): T {
  const usage = (cli as YargsInternals).getInternalMethods?.()?.getUsageInstance?.();
  if (usage?.cacheHelpMessage !== undefined) usage.cacheHelpMessage = () => undefined;
  return cli;
}
