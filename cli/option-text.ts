// What the user typed for a numeric option. yargs turns `--seeds abc` into NaN and a bare
// `--seed` into no value at all before our checks see them, so an error message built from
// the parsed value would say "got NaN" or let the run go on with the default seed.

/** How `--name` (or its camelCase spelling) appears on a command line. */
export type OptionText =
  | { readonly given: false }
  | { readonly given: true; readonly text: string | undefined };

/**
 * The text given for `--name` (the last occurrence, as yargs keeps the last), or
 * `text: undefined` when the option is present without a value (`--seeds` or `--seeds=`).
 * Stops at `--`.
 */
export function optionText(argv: readonly string[], name: string): OptionText {
  const spellings = new Set([`--${name}`, `--${name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}`]);
  let found: OptionText = { given: false };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') break;
    const equals = token.indexOf('=');
    if (equals > 0 && spellings.has(token.slice(0, equals))) {
      found = { given: true, text: token.slice(equals + 1) || undefined };
    } else if (spellings.has(token)) {
      const next = argv[i + 1];
      // A following option is not a value; a negative number is (yargs reads it as one).
      const isValue = next !== undefined && next !== '--' && !/^--?[a-zA-Z]/.test(next);
      found = { given: true, text: isValue ? next : undefined };
      if (isValue) i++;
    }
  }
  return found;
}

/** The value to name in an error: what was typed when it did not parse as a number. */
export function describeGiven(typed: OptionText, parsed: number | undefined): string {
  if (typed.given && typed.text === undefined) return 'nothing';
  if (parsed !== undefined && !Number.isNaN(parsed)) return String(parsed);
  return typed.given ? JSON.stringify(typed.text) : String(parsed);
}
