import { isAlias, isMap, isScalar, isSeq, parse as parseYaml, parseDocument, visit, type Document, type Node } from 'yaml';
import type * as z from 'zod';
import { InputError, SourceLocator } from './input-error.ts';
import { EVENT_ACTIONS, scenarioSchema, type EventAction, type Scenario } from './schema.ts';
import { checkReferences } from './references.ts';

type Path = readonly (string | number)[];

/** One `--set path=value` override: a dotted path into the scenario and a YAML value. */
export interface Override {
  readonly path: Path;
  readonly text: string;
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError('--set', 1, 1, `expected path=value, got ${JSON.stringify(text)}`);
  const path = text
    .slice(0, eq)
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  if (path.some((part) => part === '')) throw new InputError('--set', 1, 1, `expected a dotted path like engine.min_sled_replication, got ${JSON.stringify(text.slice(0, eq))}`);
  return { path, text };
}

/** Finds the YAML node at `path`, or the deepest node on the way (for positions). */
function nodeAt(doc: Document, path: Path): { node: Node | null; complete: boolean } {
  let node = doc.contents as Node | null;
  for (const part of path) {
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === part);
      next = pair ? (pair.value as Node | null) ?? (pair.key as Node) : undefined;
    } else if (isSeq(node) && typeof part === 'number') {
      next = node.items[part] as Node | undefined;
    }
    if (next === undefined || next === null) return { node, complete: false };
    node = next;
  }
  return { node, complete: true };
}

function keyNode(doc: Document, path: Path, key: string): Node | null {
  const { node } = nodeAt(doc, path);
  if (!isMap(node)) return node;
  const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
  return (pair?.key as Node | undefined) ?? node;
}

const EXPECTED_TYPES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const found = (() => {
    let value: unknown = input;
    for (const part of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey];
    return value;
  })();
  const got = found === undefined ? 'nothing' : JSON.stringify(found);
  const key = issue.path.at(-1);
  // A required key that is absent: name it, whatever its type would have been.
  if (found === undefined && typeof key === 'string' && issue.code !== 'unrecognized_keys') {
    const what = issue.code === 'invalid_type' ? ` (${EXPECTED_TYPES[issue.expected] ?? issue.expected})` : '';
    return `expected key "${key}"${what}, got nothing`;
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key "${issue.keys[0]}"`;
    case 'invalid_type':
      return `expected ${EXPECTED_TYPES[issue.expected] ?? issue.expected}, got ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least ' + String(issue.minimum) + ' items' : 'a value >= ' + String(issue.minimum)}, got ${got}`;
    case 'too_big':
      return issue.origin === 'array' ? `expected at most ${String(issue.maximum)} items, got ${(found as unknown[]).length}` : `expected a value <= ${String(issue.maximum)}, got ${got}`;
    case 'invalid_format':
      return `${issue.message}, got ${got}`;
    case 'invalid_union':
      return `expected ${describeUnion(issue)}, got ${got}`;
    default:
      return issue.message;
  }
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  const custom = issue.errors.flat().find((i) => i.code === 'custom');
  if (custom !== undefined) return custom.message.replace(/^expected /, '').replace(/, got .*$/, '');
  return issue.message.replace(/^Invalid input: ?/, '') || 'another form';
}

/** The location of a problem: `--set` for overridden paths, else the file position. */
function locate(doc: Document, at: SourceLocator, overrides: readonly Override[], path: Path, key?: string): (message: string) => InputError {
  const set = overrides.find((o) => o.path.every((part, i) => path[i] === part) || path.every((part, i) => o.path[i] === part));
  if (set !== undefined) return (message) => new InputError('--set', 1, 1, `${set.text}: ${message}`);
  const node = key === undefined ? nodeAt(doc, path).node : keyNode(doc, path, key);
  return (message) => at.errorOn(node, message);
}

/** Aliases a file may expand: enough for any scenario, far too few for an alias bomb (README, "Limits"). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Where an override may write: through mappings, and into a list only at an existing
 * index or just past its end. Writing through a value (`name.x=1`) or far past a list's
 * end would make a structure the file never had.
 */
function checkOverridePath(doc: Document, o: Override): void {
  let node: unknown = doc.contents;
  for (const [i, part] of o.path.entries()) {
    const where = o.path.slice(0, i).join('.') || 'the scenario';
    if (node === undefined || node === null) return;
    if (isSeq(node)) {
      if (typeof part !== 'number') throw new InputError('--set', 1, 1, `${o.text}: expected a list index after ${where}, got "${part}"`);
      if (part > node.items.length) throw new InputError('--set', 1, 1, `${o.text}: expected an index of ${where} from 0 to ${node.items.length}, got ${part}`);
      node = node.items[part];
    } else if (isMap(node)) {
      node = node.get(part, true);
    } else {
      throw new InputError('--set', 1, 1, `${o.text}: expected a mapping or list at ${where}, got a single value`);
    }
  }
}

function parseWithOverrides(at: SourceLocator, text: string, overrides: readonly Override[]): Document {
  const doc = parseDocument(text, { lineCounter: at.lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) throw at.errorAt(syntax.pos[0], `invalid YAML: ${syntax.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw at.errorOn(doc.contents, 'expected a mapping of scenario keys (name, duration, rack, …)');
  for (const o of overrides) {
    const source = o.text.slice(o.text.indexOf('=') + 1);
    if (source.trim() === '') throw new InputError('--set', 1, 1, `${o.text}: expected a value after "=" (path=null removes a key), got nothing`);
    let value: unknown;
    try {
      value = parseYaml(source, { maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      throw new InputError('--set', 1, 1, `${o.text}: the value is not valid YAML`);
    }
    checkOverridePath(doc, o);
    const path = o.path as (string | number)[];
    // `path=null` removes the key, so that an override can also switch a section off.
    if (value !== null) doc.setIn(path, doc.createNode(value));
    else if (doc.hasIn(path)) doc.deleteIn(path);
  }
  return doc;
}

/** The document as plain data; an alias that names no anchor, or aliases that expand too far, are the file's error. */
function plain(doc: Document, at: SourceLocator): Record<string, unknown> {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
  } catch (err) {
    let alias: Node | undefined;
    visit(doc, {
      Alias(_, node) {
        if (alias === undefined || node.resolve(doc) === undefined) alias = node;
        return node.resolve(doc) === undefined ? visit.BREAK : undefined;
      },
    });
    const unresolved = alias !== undefined && isAlias(alias) && alias.resolve(doc) === undefined;
    throw at.errorOn(
      alias,
      unresolved
        ? `expected an alias of an anchor defined above it, got *${isAlias(alias) ? alias.source : ''}`
        : `expected aliases that expand to at most ${MAX_ALIAS_COUNT} times the document, got more (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** The scenario file as plain data, in file units, with the overrides applied (for `shrink`). */
export function scenarioInput(file: string, text: string, overrides: readonly Override[] = []): Record<string, unknown> {
  const at = new SourceLocator(file);
  return plain(parseWithOverrides(at, text, overrides), at);
}

/**
 * Parses a scenario file, applies `--set` overrides, validates it against the schema
 * and checks its cross-references. Throws `InputError` naming the first problem's file,
 * line and column (or the `--set` that caused it).
 */
export function loadScenario(file: string, text: string, overrides: readonly Override[] = []): Scenario {
  const at = new SourceLocator(file);
  const doc = parseWithOverrides(at, text, overrides);
  const input = plain(doc, at);

  const events = input.events;
  if (Array.isArray(events)) {
    events.forEach((event: unknown, i) => {
      const path = ['events', i];
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        throw locate(doc, at, overrides, path)('expected an event mapping like { at: 10m, crash: sled-3 }');
      }
      const actions = Object.keys(event).filter((k) => k !== 'at' && k !== 'via');
      const known = Object.keys(EVENT_ACTIONS);
      if (actions.length !== 1 || !known.includes(actions[0] as string)) {
        const key = actions.find((k) => !known.includes(k));
        throw locate(doc, at, overrides, path, key)(
          key !== undefined ? `unknown event "${key}"; expected one of ${known.join(', ')}` : `expected exactly one of ${known.join(', ')} besides "at"`,
        );
      }
      const result = EVENT_ACTIONS[actions[0] as EventAction].safeParse(event);
      if (!result.success) throw problem(result.error.issues[0] as z.core.$ZodIssue, path);
    });
  }

  function problem(issue: z.core.$ZodIssue, prefix: Path = []): InputError {
    // In a union, the branch that got furthest into the value says best what was wrong.
    if (issue.code === 'invalid_union') {
      const deepest = issue.errors.flat().reduce<z.core.$ZodIssue | undefined>((best, i) => (i.path.length > (best?.path.length ?? 0) ? i : best), undefined);
      if (deepest !== undefined) return problem(deepest, [...prefix, ...(issue.path as (string | number)[])]);
    }
    const path = [...prefix, ...(issue.path as (string | number)[])];
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    return locate(doc, at, overrides, path, key)(describeIssue({ ...issue, path }, input));
  }

  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw problem(result.error.issues[0] as z.core.$ZodIssue);
  const scenario = result.data;
  const refProblem = checkReferences(scenario);
  if (refProblem !== undefined) throw locate(doc, at, overrides, refProblem.path)(refProblem.message);
  return scenario;
}
