import { describe, expect, it } from 'vitest';
import { Pacing } from './pacing.ts';

describe('job runner pacing', () => {
  it('goes on at once after a batch when no request is in flight', () => {
    const pacing = new Pacing(1000);
    expect(pacing.afterPass({ started: 0, now: 40, more: true, requestsInFlight: false })).toBe(0);
    expect(pacing.wakeStartsPass(40)).toBe(true);
  });

  it('rests twice the batch time while requests are in flight, at most the cap', () => {
    const pacing = new Pacing(1000, 250);
    expect(pacing.afterPass({ started: 100, now: 110, more: true, requestsInFlight: true })).toBe(20);
    expect(pacing.afterPass({ started: 0, now: 400, more: true, requestsInFlight: true })).toBe(250);
  });

  it('a wake during the rest does not cut it short; one after it does start a pass', () => {
    // Under load every create wakes the runner: if a wake ended the rest, it would never rest.
    const pacing = new Pacing(1000);
    pacing.afterPass({ started: 100, now: 110, more: true, requestsInFlight: true });
    expect(pacing.wakeStartsPass(111)).toBe(false);
    expect(pacing.wakeStartsPass(129)).toBe(false);
    expect(pacing.wakeStartsPass(130)).toBe(true);
  });

  it('with nothing to do it polls, and any wake starts a pass at once', () => {
    const pacing = new Pacing(1000);
    pacing.afterPass({ started: 100, now: 110, more: true, requestsInFlight: true });
    expect(pacing.afterPass({ started: 130, now: 131, more: false, requestsInFlight: true })).toBe(1000);
    expect(pacing.wakeStartsPass(132)).toBe(true);
  });
});
