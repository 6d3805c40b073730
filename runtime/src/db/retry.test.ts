import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { backoffMs, isTransient, isUnavailable, MAX_ATTEMPTS, retryCounts, withRetries } from './retry.ts';

const fakeDb = () => ({ client: { config: {} } }) as unknown as Knex;
const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213 });

describe('the retry mechanism', () => {
  it('tells passing refusals from faults and from an unreachable database', () => {
    expect(isTransient(deadlock())).toBe(true);
    expect(isTransient(Object.assign(new Error('Lock wait timeout'), { errno: 1205 }))).toBe(true);
    expect(isTransient(Object.assign(new Error('Duplicate entry'), { errno: 1062 }))).toBe(false);
    expect(isTransient(new Error('bug'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('WSREP not ready'), { errno: 1047 }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('x'), { name: 'KnexTimeoutError' }))).toBe(true);
    expect(isUnavailable(deadlock())).toBe(false);
  });

  it('runs the work again after a deadlock and counts it', async () => {
    const db = fakeDb();
    let calls = 0;
    const value = await withRetries(db, async () => {
      calls++;
      if (calls < 3) throw deadlock();
      return 'done';
    });
    expect(value).toBe('done');
    expect(calls).toBe(3);
    expect(retryCounts(db)).toEqual({ transactions: 2, statements: 0, exhausted: 0 });
  });

  it('gives up after MAX_ATTEMPTS and never retries other errors', async () => {
    const db = fakeDb();
    let calls = 0;
    await expect(
      withRetries(db, async () => {
        calls++;
        throw deadlock();
      }),
    ).rejects.toThrow(/Deadlock/);
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(retryCounts(db).exhausted).toBe(1);
    let other = 0;
    await expect(
      withRetries(db, async () => {
        other++;
        throw new Error('a bug');
      }),
    ).rejects.toThrow('a bug');
    expect(other).toBe(1);
  });

  it('waits a random time that grows with the attempt, never more than 400 ms', () => {
    expect(backoffMs(1, () => 0)).toBe(0);
    expect(backoffMs(1, () => 0.999)).toBeLessThan(20);
    expect(backoffMs(3, () => 0.999)).toBeLessThan(80);
    expect(backoffMs(20, () => 0.999)).toBeLessThan(400);
  });
});
