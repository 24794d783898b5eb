import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobQueue } from './job-queue.ts';

describe('JobQueue', () => {
  it('gives jobs back first in first out under any interleaving of pushes, shifts and clears', () => {
    const op = fc.constantFrom('push', 'push', 'shift', 'clear');
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const queue = new JobQueue();
        const reference: (() => void)[] = [];
        for (const o of ops) {
          if (o === 'push') {
            const job = (): void => undefined;
            queue.push(job);
            reference.push(job);
          } else if (o === 'shift') expect(queue.shift()).toBe(reference.shift());
          else {
            queue.clear();
            reference.length = 0;
          }
        }
        while (reference.length > 0) expect(queue.shift()).toBe(reference.shift());
        expect(queue.shift()).toBeUndefined();
      }),
    );
  });
});
