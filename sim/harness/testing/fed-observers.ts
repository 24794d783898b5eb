// Observers fed by hand as a run feeds them, events stamped t = 1, 2, 3, …: what the
// observer tests share. Options default to one M.2 pair, one repo `v1` of artifact `h`,
// the safety checkers on and the situation counter off.
import { engineParams } from '../../../core/index.ts';
import type { WorldEvent, WorldEventBody } from '../../world/world-events.ts';
import { Observers, type ObserversOptions } from '../observe/observers.ts';

export function fedObservers(options: Partial<ObserversOptions> = {}): { observers: Observers; send: (body: WorldEventBody) => void } {
  const observers = new Observers({
    m2PerSled: 2,
    minSledReplication: 1,
    catalog: [{ name: 'v1', artifacts: [{ hash: 'h', size: 10 }] }],
    engine: engineParams(),
    artifactQuota: 100,
    requestRows: false,
    checkers: true,
    situations: false,
    ...options,
  });
  let t = 0;
  return { observers, send: (body) => observers.observe({ ...body, t: ++t } as WorldEvent) };
}
