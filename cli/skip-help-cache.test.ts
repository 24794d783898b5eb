import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { skipHelpCache } from './skip-help-cache.ts';

interface Usage {
  hasCachedHelpMessage(): boolean;
}
const usageOf = (cli: object): Usage => (cli as { getInternalMethods(): { getUsageInstance(): Usage } }).getInternalMethods().getUsageInstance();

function command(ran: string[]) {
  return yargs(['go', '--count', '3'])
    .scriptName('t')
    .exitProcess(false)
    .command(
      'go',
      'a command',
      (y) => y.option('count', { type: 'number', describe: 'a number' }),
      (args) => {
        ran.push(`go ${args.count}`);
      },
    );
}

describe("yargs' help cache", () => {
  it('is filled once a command has run, and not when skipped; the command runs alike', async () => {
    const ran: string[] = [];
    const plain = command(ran);
    await plain.parseAsync();
    // If yargs stops caching (or renames its internals), the first expectation says so.
    expect(usageOf(plain).hasCachedHelpMessage()).toBe(true);
    const skipped = skipHelpCache(command(ran));
    await skipped.parseAsync();
    expect(usageOf(skipped).hasCachedHelpMessage()).toBe(false);
    expect(ran).toEqual(['go 3', 'go 3']);
  });

  it('leaves --help as it was', async () => {
    const help = async (cli: ReturnType<typeof yargs>): Promise<string> => {
      let out = '';
      await cli.parseAsync(['go', '--help'], {}, (_err, _argv, output) => {
        out = output;
      });
      return out;
    };
    const plain = await help(command([]));
    expect(plain).toContain('--count');
    expect(await help(skipHelpCache(command([])))).toBe(plain);
  });

  it('does nothing to an object without the internals', () => {
    const other = { parse: () => undefined };
    expect(skipHelpCache(other)).toBe(other);
  });
});
