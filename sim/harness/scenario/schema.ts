// The scenario file format (SPEC §1) as one zod schema: it validates, fills defaults and
// generates the JSON Schema shipped for editors. Keys are the file's snake_case keys.
import * as z from 'zod';
import { ENGINE_GENERATIONS, PLANTED_BUGS } from '../../../core/index.ts';
import { SAFETY_INVARIANTS } from '../observe/safety-checkers.ts';
import * as limits from './limits.ts';
import { formatDuration, parseDuration, parseRate, parseSize, type Parsed } from './units.ts';

function unit(parse: (input: unknown) => Parsed, description: string) {
  return z
    .union([z.string(), z.number()])
    .transform((input, ctx) => {
      const parsed = parse(input);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: `expected ${parsed.expected}, got ${JSON.stringify(input)}` });
      return z.NEVER;
    })
    .meta({ description });
}

const DURATION = 'a duration: 250ms, 90s, 5m, 1h30m, 2d, or seconds';
const SIZE = 'a size: 512B, 4KiB, 1MiB, 20GiB, 500MB, or bytes';
const RATE = 'a rate: 1GiB/s, 100MB/s';
/** A scenario's `duration` when it gives none. */
export const DEFAULT_DURATION = '6h';

export const duration = () => unit(parseDuration, DURATION);
export const size = () => unit(parseSize, SIZE);

/** A unit value with a default written in file units (also shown in the JSON Schema). */
function unitDefault(parse: (input: unknown) => Parsed, description: string, text: string, note = '') {
  return unit(parse, description)
    .prefault(text)
    .meta({ description: `${note}${note ? '; ' : ''}${description}` });
}
const durationDefault = (text: string, note = '', parse = parseDuration) => unitDefault(parse, DURATION, text, note);

/** A duration parser that refuses values outside [least, most], naming the bound (README, "Limits"). */
function durationWithin(least: number, most = limits.MAX_DURATION_US): (input: unknown) => Parsed {
  return (input) => {
    const parsed = parseDuration(input);
    if (!parsed.ok) return parsed;
    if (parsed.value < least) return { ok: false, expected: `a duration of at least ${formatDuration(least)}` };
    if (parsed.value > most) return { ok: false, expected: `a duration of at most ${formatDuration(most)}` };
    return parsed;
  };
}
const faultEvery = () => unit(durationWithin(limits.MIN_FAULT_EVERY_US), `${DURATION}; at least ${formatDuration(limits.MIN_FAULT_EVERY_US)}`);

const count = (least: number, most = Number.MAX_SAFE_INTEGER) => z.int().min(least).max(most);
const range = <T extends z.ZodType>(value: () => T) => z.strictObject({ min: value(), max: value() });
/** A fixed value or `{ min, max }`, drawn uniformly. */
const valueOrRange = <T extends z.ZodType>(value: () => T) => z.union([value(), range(value)]);
const latency = () =>
  z.union([duration(), z.strictObject({ median: duration(), p99: duration() })]).meta({
    description: 'one-way latency: fixed (`2ms`) or lognormal `{ median, p99 }`',
  });

// Exact spellings only: the world names its nodes `sled-3`, never `sled-03`.
const nodeName = z.string().regex(/^(sled|nexus)-(0|[1-9]\d{0,5})$/, 'expected a node name like sled-3 or nexus-1');
const sledName = z.string().regex(/^sled-(0|[1-9]\d{0,5})$/, 'expected a sled name like sled-3');
const nexusName = z.string().regex(/^nexus-(0|[1-9]\d{0,5})$/, 'expected a Nexus name like nexus-1');
const repoName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a repo name of letters, digits, ".", "_" or "-"');

const rack = z.strictObject({
  sleds: count(1, limits.MAX_SLEDS).default(32),
  m2_per_sled: count(1, limits.MAX_M2_PER_SLED).default(2),
  artifact_quota: size().optional().meta({ description: 'per sled, per M.2 dataset; default: 20GiB, 40GiB for current' }),
  reconcile_delay: durationDefault('1ms', 'generation engine: time the delete reconciler takes per artifact'),
});

const network = z.strictObject({
  latency: latency().prefault({ median: '1ms', p99: '20ms' }),
  bandwidth: unitDefault(parseRate, RATE, '1GiB/s', 'per node link; bodies on one link share it'),
  timeout: durationDefault('60s', 'client-side request timeout'),
  loss: z.number().min(0).max(1).default(0),
});

const datastore = z.strictObject({
  latency: latency().prefault({ median: '2ms', p99: '30ms' }),
  write_latency: latency().optional().meta({ description: 'inserting or deleting a repo; default: latency' }),
});

const nexus = z.strictObject({
  count: count(1, limits.MAX_NEXUS).default(3),
  unpack: durationDefault('30s', 'unpacking and verifying an uploaded repo'),
  period: durationDefault('300s', `periodic activation; at least ${formatDuration(limits.MIN_PERIOD_US)}`, durationWithin(limits.MIN_PERIOD_US)),
  upload_order: z.enum(['db_first', 'channel_first']).optional().meta({
    description: 'default: channel_first for the review generation, db_first after',
  }),
  boot_spread: duration().optional().meta({
    description:
      "each Nexus's task first ticks at a time drawn in [0, boot_spread), so each has its own phase as on a rack in service (default: period; 0s = all in lockstep at t = 0); " +
      DURATION,
  }),
  panic_restart: durationDefault('30s', 'how long a Nexus whose replication task panicked stays down before SMF restarts it (assumed)'),
  tuf_repo_pruner: z.boolean().default(true).meta({
    description: 'current generation: each Nexus runs HEAD\'s TUF repo pruner every 300 s (keeps the 3 latest target releases and the 2 latest other uploads, prunes the oldest other repo); earlier generations have none',
  }),
});

const engine = z.strictObject({
  generation: z.enum(ENGINE_GENERATIONS).default('review'),
  min_sled_replication: count(1).default(3),
  max_requests: count(0).default(32),
  max_put_requests: count(0).default(8),
  max_request_concurrency: count(1).default(8),
  expected_count: count(1, limits.MAX_M2_PER_SLED).default(2),
  bugs: z.array(z.enum(PLANTED_BUGS)).default([]),
});

const repo = z.strictObject({
  name: repoName,
  artifacts: count(1, limits.MAX_REPO_ARTIFACTS),
  size: valueOrRange(size).prefault('64MiB').meta({ description: 'a size, or { min, max } drawn uniformly per artifact' }),
  shares: z.strictObject({ repo: repoName, fraction: z.number().min(0).max(1) }).optional(),
});

const initial = z.strictObject({
  repos: z.array(repoName).default([]),
  on: z.union([z.literal('all'), z.array(sledName)]).default('all'),
});

/** One scheduled event: `at` plus exactly one action. */
export const EVENT_ACTIONS = {
  upload: z.strictObject({ at: duration(), upload: repoName, via: nexusName.default('nexus-0') }),
  delete: z.strictObject({ at: duration(), delete: repoName }),
  crash: z.strictObject({ at: duration(), crash: nodeName }),
  restart: z.strictObject({ at: duration(), restart: nodeName }),
  expunge: z.strictObject({ at: duration(), expunge: sledName }),
  add_sleds: z.strictObject({ at: duration(), add_sleds: count(1, limits.MAX_SLEDS) }),
  m2_fail: z.strictObject({ at: duration(), m2_fail: z.strictObject({ sled: sledName, m2: count(0, limits.MAX_M2_PER_SLED) }) }),
  partition: z.strictObject({
    at: duration(),
    partition: z.strictObject({
      between: z.array(nodeName).min(1),
      and: z.array(nodeName).min(1),
      for: duration(),
      oneway: z.boolean().default(false),
    }),
  }),
  slow: z.strictObject({ at: duration(), slow: z.strictObject({ node: nodeName, extra: duration(), for: duration() }) }),
  datastore_outage: z.strictObject({ at: duration(), datastore_outage: duration() }),
  activate: z.strictObject({ at: duration(), activate: nexusName }),
  target_release: z.strictObject({ at: duration(), target_release: repoName }).meta({
    description: 'current generation: the operator makes this repo (already uploaded) the target release',
  }),
} as const;
export type EventAction = keyof typeof EVENT_ACTIONS;
export type ScenarioEvent = { [K in EventAction]: z.output<(typeof EVENT_ACTIONS)[K]> }[EventAction];

const faults = z.strictObject({
  until: duration().optional().meta({ description: 'default: the scenario duration' }),
  sled_crash: z.strictObject({ every: faultEvery(), down: valueOrRange(duration) }).optional(),
  nexus_crash: z.strictObject({ every: faultEvery(), down: valueOrRange(duration) }).optional(),
  partition: z.strictObject({ every: faultEvery(), for: valueOrRange(duration) }).optional(),
  slow: z.strictObject({ every: faultEvery(), extra: valueOrRange(duration), for: valueOrRange(duration) }).optional(),
});

const expect = z.strictObject({
  converge_within: durationDefault('2h', 'liveness budget after the last event and fault', durationWithin(0)),
  verdict: z.enum(['pass', 'safety', 'liveness']).default('pass'),
  invariant: z.enum([...SAFETY_INVARIANTS, 'converges']).optional().meta({
    description: 'with a failing verdict: the invariant that must be among the violations',
  }),
  tolerate: z.array(z.enum(SAFETY_INVARIANTS)).default([]).meta({
    description: "known findings of the engine in this scenario: still listed in violations.csv, but they do not fail the run (explain each in the README's Findings)",
  }),
});

/** Events are checked one by one against their action's schema (see load.ts), for clear messages. */
const eventList = z.array(z.union(Object.values(EVENT_ACTIONS))).max(limits.MAX_EVENTS).default([]);

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'expected a name of lower-case letters, digits and "-"'),
  description: z.string().default(''),
  seed: z.int().min(0).default(1),
  duration: durationDefault(DEFAULT_DURATION, 'simulated time limit of the run', durationWithin(0)),
  sample_every: durationDefault('60s', `timeline.csv sampling interval; at least ${formatDuration(limits.MIN_SAMPLE_EVERY_US)}`, durationWithin(limits.MIN_SAMPLE_EVERY_US)),
  scheduler: z.strictObject({ tie_break: z.boolean().default(false) }).prefault({}),
  rack: rack.prefault({}),
  network: network.prefault({}),
  datastore: datastore.prefault({}),
  nexus: nexus.prefault({}),
  engine: engine.prefault({}),
  repos: z.array(repo).default([]),
  initial: initial.prefault({}),
  events: eventList,
  faults: faults.optional(),
  expect: expect.prefault({}),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type RepoEntry = Scenario['repos'][number];

/** The JSON Schema of scenario files, for editors (`scenarios/scenario.schema.json`). */
export function scenarioJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'depotsim scenario',
  };
}
