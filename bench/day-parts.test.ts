// The benchmark weighs a day's parts by running the day without them: these pin that each
// cut takes out its part and only that.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/harness/runner.ts';
import { loadScenario } from '../sim/harness/scenario/load.ts';
import { isDayPart, withoutParts } from './day-parts.ts';

const FILE = new URL('../scenarios/rack-day.yaml', import.meta.url).pathname;
const rackDay = loadScenario(FILE, readFileSync(FILE, 'utf8'));
const HOURS = 3_600_000_000;

describe('a day without some of its parts', () => {
  it('takes out the scheduled events, the random faults, or both, and keeps the rest', () => {
    expect(rackDay.events.length).toBeGreaterThan(0);
    expect(rackDay.faults).toBeDefined();
    const { events, faults, ...rest } = rackDay;

    const noEvents = withoutParts(rackDay, ['events']);
    expect(noEvents.events).toEqual([]);
    expect(noEvents.faults).toEqual(faults);

    const noFaults = withoutParts(rackDay, ['faults']);
    expect('faults' in noFaults).toBe(false);
    expect(noFaults.events).toEqual(events);

    const listingsOnly = withoutParts(rackDay, ['events', 'faults']);
    const { events: none, ...kept } = listingsOnly;
    expect(none).toEqual([]);
    expect(kept).toEqual(rest);
    expect(withoutParts(rackDay, [])).toEqual(rackDay);
    expect(rackDay.events).toBe(events);
  });

  it('knows the parts by name', () => {
    expect(isDayPart('events')).toBe(true);
    expect(isDayPart('faults')).toBe(true);
    expect(isDayPart('repos')).toBe(false);
  });

  it('leaves, without events and faults, a day of listings alone', async () => {
    // Six hours: the first release is uploaded at 3 h and the first fault is due within
    // them on most seeds, so the whole day would show puts, copies and faults here.
    const short = (s: typeof rackDay): typeof rackDay => ({ ...s, duration: 6 * HOURS, faults: s.faults && { ...s.faults, until: 6 * HOURS } });
    const whole = await runScenario(short(rackDay), { seed: 1 });
    const listings = await runScenario(withoutParts(short(rackDay), ['events', 'faults']), { seed: 1 });
    expect([...whole.metrics.requestsSent.keys()]).toEqual(expect.arrayContaining(['list', 'copy']));
    expect(whole.drawnFaults.length).toBeGreaterThan(0);
    expect([...listings.metrics.requestsSent.keys()]).toEqual(['list']);
    expect(listings.metrics.requestsSent.get('list')).toBeGreaterThan(1000);
    expect(listings.drawnFaults).toEqual([]);
  });
});
