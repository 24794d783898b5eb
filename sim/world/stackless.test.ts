// The world's refusals are data, not faults: they carry no stack trace, and building one
// leaves the limit for every other error as it was.
import { describe, expect, it } from 'vitest';
import { Kernel, WaitScope } from './kernel/kernel.ts';
import { RandomStreams } from './kernel/random-streams.ts';
import { Network, TransferError } from './network.ts';
import { ArtifactStore, StoreError } from './sled/artifact-store.ts';
import { stackless } from './stackless.ts';

const FRAME = /\n\s+at /;

describe('stackless', () => {
  it('builds the error without frames and restores the limit, even when building throws', () => {
    const before = Error.stackTraceLimit;
    const error = stackless(() => new RangeError('out'));
    expect([error.name, error.message]).toEqual(['RangeError', 'out']);
    expect(error.stack).not.toMatch(FRAME);
    expect(() =>
      stackless(() => {
        throw new Error('while building');
      }),
    ).toThrow('while building');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('a bug').stack).toMatch(FRAME);
  });

  it('leaves no frames on the store\'s refusals (Errors by their prototype) nor on a body that fails to start', async () => {
    const store = new ArtifactStore('sled-0', 1, 1_000, () => undefined);
    store.failM2(0);
    let refusal: unknown;
    try {
      store.list();
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(StoreError);
    expect((refusal as StoreError).status).toBe(503);
    expect((refusal as Error).stack).not.toMatch(FRAME);

    const kernel = new Kernel();
    const network = new Network(kernel, new RandomStreams(1).stream('net'), { latency: { fixed: 1 }, bandwidth: 1e6, timeout: 1e6, loss: 0 });
    network.setDown('a');
    let broken: unknown;
    network.transfer('a', 'b', 10, new WaitScope(kernel, 'b'), 'body', (_ok, _value, err) => (broken = err));
    await kernel.run();
    expect(broken).toBeInstanceOf(TransferError);
    expect((broken as Error).stack).not.toMatch(FRAME);
  });
});
