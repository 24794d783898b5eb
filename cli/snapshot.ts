// A rack snapshot: what one activation would collect (sleds and their artifacts, the
// wanted set, the Nexus's local repos), for `depotsim plan`.
import { isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import {
  buildInventory,
  ENGINE_GENERATIONS,
  engineParamProblems,
  RAND_VERSIONS,
  DEFAULT_ENGINE_PARAMS,
  usesConfigGenerations,
  type ArtifactHash,
  type EngineGeneration,
  type EngineParams,
  type LocalRepo,
  type PlanInput,
  type RandVersion,
  type SledId,
} from '../core/index.ts';
import { SourceLocator } from '../sim/harness/scenario/input-error.ts';

/**
 * Where the planner's words come from: a string seed (Alea picks the 32-byte key), or
 * omicron's tests' own terms, Rust's `StdRng::from_seed(key)` with `skip` words already
 * drawn.
 */
export type SnapshotRng =
  | { readonly seed: string }
  | { readonly key: Uint8Array; readonly keyText: string; readonly skip: number };

export interface Snapshot {
  readonly description: string;
  readonly rng: SnapshotRng;
  /** The `rand` release whose samplers turn words into choices; `null`: the generation's. */
  readonly rand: RandVersion | null;
  readonly params: EngineParams;
  readonly input: PlanInput;
}

const TOP_KEYS = ['description', 'seed', 'rng', 'engine', 'sleds', 'wanted', 'local'] as const;
const RNG_KEYS = ['seed', 'skip', 'rand'] as const;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const ENGINE_KEYS: Record<string, keyof EngineParams> = {
  generation: 'generation',
  min_sled_replication: 'minSledReplication',
  max_requests: 'maxRequests',
  max_put_requests: 'maxPutRequests',
  max_request_concurrency: 'maxRequestConcurrency',
  expected_count: 'expectedCount',
};

function found(node: Node | null): string {
  if (isScalar(node)) return JSON.stringify(node.value);
  return isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : 'nothing';
}

/** Parses and checks a snapshot; throws `InputError` naming the first problem's position. */
export function parseSnapshot(file: string, text: string): Snapshot {
  const at = new SourceLocator(file);
  const doc = parseDocument(text, { lineCounter: at.lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) throw at.errorAt(syntax.pos[0], `invalid YAML: ${syntax.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) throw at.errorOn(root, 'expected a mapping with keys ' + TOP_KEYS.join(', '));

  // Sled ids and artifact hashes are any strings (SPEC §2): a plain scalar YAML reads as a
  // number or a boolean (a hash of decimal digits, a sled named 1) stands for its text.
  const written = (node: Node | null): string | undefined => {
    if (!isScalar(node)) return undefined;
    if (typeof node.value === 'string') return node.value;
    if (typeof node.value === 'number' || typeof node.value === 'boolean') return node.source ?? String(node.value);
    return undefined;
  };
  const entries = (map: YAMLMap, allowed: readonly string[] | null, what: string): [string, Node | null][] =>
    map.items.map((pair) => {
      const key = pair.key as Node | null;
      const name = written(key);
      if (name === undefined) throw at.errorOn(key, `expected a string key in ${what}`);
      if (allowed !== null && !allowed.includes(name)) {
        throw at.errorOn(key, `unknown key "${name}" in ${what}; expected one of ${allowed.join(', ')}`);
      }
      return [name, pair.value as Node | null];
    });
  const text_ = (node: Node | null, what: string): string => {
    const text = written(node);
    if (text !== undefined) return text;
    throw at.errorOn(node, `expected ${what}, got ${found(node)}`);
  };
  const count = (node: Node | null, least: number, what: string): number => {
    if (isScalar(node) && typeof node.value === 'number' && Number.isSafeInteger(node.value) && node.value >= least) {
      return node.value;
    }
    throw at.errorOn(node, `expected ${what} (an integer >= ${least}), got ${found(node)}`);
  };
  const hashes = (node: Node | null, what: string): ArtifactHash[] => {
    if (!isSeq(node)) throw at.errorOn(node, `expected a list of artifact hashes for ${what}`);
    return node.items.map((item) => text_(item as Node | null, `an artifact hash in ${what}`));
  };

  const rngKey = (node: Node | null): { key: Uint8Array; keyText: string } => {
    const raw = written(node);
    if (raw === 'zero') return { key: new Uint8Array(32), keyText: raw };
    if (raw !== undefined && HEX_KEY.test(raw)) {
      return { key: Uint8Array.from({ length: 32 }, (_, i) => parseInt(raw.slice(2 * i, 2 * i + 2), 16)), keyText: raw.toLowerCase() };
    }
    throw at.errorOn(node, `expected the rng seed: zero or 64 hex digits (the 32 bytes of StdRng::from_seed), got ${found(node)}`);
  };

  let description = '';
  let seed = '1';
  let keyed: { key: Uint8Array; keyText: string; skip: number } | null = null;
  let seedNode: Node | null = null;
  let rand: RandVersion | null = null;
  let params: EngineParams = { ...DEFAULT_ENGINE_PARAMS, generation: 'merged' };
  const sleds: SledId[] = [];
  const listings = new Map<SledId, Map<ArtifactHash, number>>();
  let wanted: ArtifactHash[] = [];
  const localRepos: LocalRepo[] = [];

  for (const [key, value] of entries(root, TOP_KEYS, 'the snapshot')) {
    if (key === 'description') description = text_(value, 'a description string');
    else if (key === 'seed') {
      seed = text_(value, 'a seed (a number or a string)');
      seedNode = value;
    } else if (key === 'rng') {
      if (!isMap(value)) throw at.errorOn(value, 'expected a mapping with keys ' + RNG_KEYS.join(', '));
      let key_: { key: Uint8Array; keyText: string } = { key: new Uint8Array(32), keyText: 'zero' };
      let skip = 0;
      for (const [name, node] of entries(value, RNG_KEYS, 'rng')) {
        if (name === 'seed') key_ = rngKey(node);
        else if (name === 'skip') skip = count(node, 0, 'the words already drawn');
        else {
          const version = written(node) ?? '';
          if (!(RAND_VERSIONS as readonly string[]).includes(version)) {
            throw at.errorOn(node, `expected a rand version: one of ${RAND_VERSIONS.join(', ')}, got ${found(node)}`);
          }
          rand = version as RandVersion;
        }
      }
      keyed = { ...key_, skip };
    }
    else if (key === 'engine') {
      if (!isMap(value)) throw at.errorOn(value, 'expected a mapping of engine parameters');
      for (const [name, node] of entries(value, Object.keys(ENGINE_KEYS), 'engine')) {
        if (name === 'generation') {
          const generation = text_(node, 'a generation');
          if (!(ENGINE_GENERATIONS as readonly string[]).includes(generation)) {
            throw at.errorOn(node, `expected a generation: one of ${ENGINE_GENERATIONS.join(', ')}`);
          }
          params = { ...params, generation: generation as EngineGeneration };
        } else {
          params = { ...params, [ENGINE_KEYS[name] as string]: count(node, 0, name) };
        }
        const problem = engineParamProblems(params)[0];
        if (problem !== undefined) throw at.errorOn(node, problem);
      }
    } else if (key === 'sleds') {
      if (!isMap(value)) throw at.errorOn(value, 'expected a mapping from sled id to its artifacts');
      for (const [sled, held] of entries(value, null, 'sleds')) {
        const listing = new Map<ArtifactHash, number>();
        if (held !== null && !(isScalar(held) && held.value === null)) {
          if (!isMap(held)) throw at.errorOn(held, `expected a mapping from artifact hash to copies for ${sled}`);
          for (const [artifact, copies] of entries(held, null, sled)) listing.set(artifact, count(copies, 0, 'a copy count'));
        }
        sleds.push(sled);
        listings.set(sled, listing);
      }
    } else if (key === 'wanted') wanted = hashes(value, 'wanted');
    else if (key === 'local') {
      if (!isMap(value)) throw at.errorOn(value, 'expected a mapping from repo name to its artifact hashes');
      for (const [id, list] of entries(value, null, 'local')) {
        localRepos.push({ id, artifacts: hashes(list, id).map((hash) => ({ hash, size: 0 })), release: () => {} });
      }
    }
  }

  if (keyed !== null && seedNode !== null) throw at.errorOn(seedNode, 'expected either seed or rng, got both');
  const inventory = buildInventory(wanted, listings, !usesConfigGenerations(params.generation));
  return { description, rng: keyed ?? { seed }, rand, params, input: { sleds, inventory, localRepos } };
}
