// Small builders for planner tests: sled ids and artifact presences.
import type { ArtifactPresence } from '../inventory.ts';
import type { SledId } from '../types.ts';

export function sledIds(count: number): SledId[] {
  return Array.from({ length: count }, (_, i) => `sled-${i}`);
}

/** A presence from sled → copies; sleds holding 0 copies are left out, as `list` does. */
export function presence(wanted: boolean, copies: Record<SledId, number> = {}): ArtifactPresence {
  return { wanted, sleds: new Map(Object.entries(copies).filter(([, n]) => n > 0)) };
}

/** Every sled of `sleds` holding `copies` copies. */
export function everywhere(sleds: readonly SledId[], copies = 2): Record<SledId, number> {
  return Object.fromEntries(sleds.map((sled) => [sled, copies]));
}
