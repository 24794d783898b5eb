// The port's error as the engine and reports read it: an `Error` that carries a status and
// dropshot's error code, built without a stack trace (the simulated world makes thousands).
import { describe, expect, it } from 'vitest';
import { CONFIG_GENERATION, SledAgentError, isConfigGenerationConflict } from './ports.ts';

const FRAME = /\n\s+at /;

describe('SledAgentError', () => {
  it('is an Error with its message, status and error code, and reads as one', () => {
    const err: unknown = new SledAgentError('generation 3 is older than the sled\'s 4', 409, CONFIG_GENERATION);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(SledAgentError);
    const { name, message, status, errorCode } = err as SledAgentError;
    expect([name, message, status, errorCode]).toEqual(['SledAgentError', "generation 3 is older than the sled's 4", 409, CONFIG_GENERATION]);
    expect(String(err)).toBe("SledAgentError: generation 3 is older than the sled's 4");
    expect(isConfigGenerationConflict(err)).toBe(true);
    expect(isConfigGenerationConflict(new SledAgentError('conflict', 409))).toBe(false);
  });

  it('defaults to no status and no error code (no response arrived)', () => {
    const err = new SledAgentError('GET /artifacts: no answer within 15000 ms');
    expect([err.status, err.errorCode]).toEqual([null, null]);
  });

  it('captures no stack trace, and leaves every other error its own', () => {
    const before = Error.stackTraceLimit;
    const err = new SledAgentError('gone', 404);
    expect(err.stack).toBe('SledAgentError: gone');
    expect(err.stack).not.toMatch(FRAME);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('a bug').stack).toMatch(FRAME);
  });
});
