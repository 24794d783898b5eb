// request_limits (SPEC §4) is judged per activation: a tally for each Nexus's running
// activation. The checkers keep the last one to skip a lookup; these pin that an
// activation that ends, or a Nexus that restarts, starts a new tally under the same numbers.
import { describe, expect, it } from 'vitest';
import { engineParams } from '../../../core/index.ts';
import { fedObservers } from '../testing/fed-observers.ts';

function observed() {
  const { observers, send } = fedObservers({ engine: engineParams({ generation: 'review', maxRequests: 2, maxPutRequests: 2 }), situations: true });
  let id = 0;
  /** `count` PUTs of `nexus`'s activation `activation`, each done at once. */
  const puts = (nexus: string, activation: number, count: number): void => {
    for (let i = 0; i < count; i++) {
      id++;
      send({ type: 'request_sent', id, nexus, activation, kind: 'put', target: 'sled-0', source: null, hash: 'h', bytes: 10 });
      send({ type: 'request_done', id, outcome: 'ok', error: null });
    }
  };
  const flagged = (): (string | null)[] => observers.checkers.violations.filter((v) => v.invariant === 'request_limits').map((v) => v.nexus);
  send({ type: 'sled_added', sled: 'sled-0' });
  return { send, puts, flagged };
}

describe('request_limits', () => {
  it('counts each activation apart, interleaved across Nexus instances', () => {
    const { puts, flagged } = observed();
    puts('nexus-0', 1, 2);
    puts('nexus-1', 1, 2);
    puts('nexus-0', 1, 1);
    expect(flagged()).toEqual(['nexus-0']);
  });

  it('starts a new tally when an activation ends and the same number comes again', () => {
    const { send, puts, flagged } = observed();
    puts('nexus-0', 1, 3);
    send({ type: 'activation_finished', nexus: 'nexus-0', activation: 1, error: null, deferred: 0, localRepos: 0 });
    puts('nexus-0', 1, 2);
    expect(flagged()).toEqual(['nexus-0']);
    puts('nexus-0', 1, 1);
    expect(flagged()).toEqual(['nexus-0', 'nexus-0']);
  });

  it('starts a new tally for a restarted Nexus, whose activations count from 1 again', () => {
    const { send, puts, flagged } = observed();
    puts('nexus-0', 1, 3);
    send({ type: 'nexus_started', nexus: 'nexus-0', incarnation: 2 });
    puts('nexus-0', 1, 2);
    expect(flagged()).toEqual(['nexus-0']);
    puts('nexus-0', 1, 1);
    expect(flagged()).toEqual(['nexus-0', 'nexus-0']);
  });
});
