// SLA checker pass with 10,000 and with 1,000,000 running clocks, of which 100 are due: the
// second should cost at most 1.5× the first, because a pass reads only clocks whose
// next_check_at has come (an index range). Run: `pnpm bench sla-sweep`.
import { connect, migrateLatest } from '@opsloom/runtime';
import type { Knex } from 'knex';
import { loadConfig } from '../../runtime/src/config.ts';
import { insertNew } from '../../runtime/src/db/held-inserts.ts';
import { insertOne } from '../../runtime/src/db/sql.ts';
import { createDefinition, publishDefinition } from '../../runtime/src/definitions/store.ts';
import { createLogger } from '../../runtime/src/log.ts';
import { engineHooks } from '../../runtime/src/records/service.ts';
import { SlaChecker } from '../../runtime/src/sla/checker.ts';
import { type BenchDb, benchDatabases, emit, machine, note, round, scratchDatabase } from './lib/common.ts';

const DUE = 100;
const SIZES = [10_000, 1_000_000];
// knex inserts many rows on SQLite as one compound SELECT, limited to 500 terms.
const BATCH = 400;
const _BATCHES_PER_TRANSACTION = 50;
const ALL_DAY = [{ from: '00:00', to: '00:00' }];

const DEFS = [
  {
    kind: 'calendar',
    key: 'always',
    name: '24x7',
    timeZone: 'UTC',
    week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ALL_DAY])),
  },
  {
    kind: 'form',
    key: 'bench',
    name: 'Bench',
    numberPrefix: 'BEN',
    schema: { type: 'object', properties: { title: { type: 'string' } } },
  },
  {
    kind: 'sla',
    key: 'bench-sla',
    name: 'Bench SLA',
    form: 'bench',
    calendar: 'always',
    metrics: [
      {
        id: 'resolution',
        name: 'Resolution',
        start: { events: ['record.created'] },
        stop: { condition: 'false' },
      },
    ],
    goals: [{ id: 'all', targets: { resolution: { minutes: 60 } } }],
  },
];

function clockRow(recordId: number, nextCheck: number, now: number) {
  return {
    record_id: recordId,
    task_id: null,
    sla_key: 'bench-sla',
    sla_version: 1,
    metric: 'resolution',
    cycle: 1,
    goal: 'all',
    calendar_key: 'always',
    calendar_version: 1,
    target_ms: 3_600_000,
    state: 'running',
    started_at: now - 3_600_000,
    segment_started_at: nextCheck - 3_600_000,
    elapsed_ms: 0,
    due_at: nextCheck,
    next_check_at: nextCheck,
    warned: '[]',
    breached: false,
    version: 1,
  };
}

/** Adds running clocks that are not due (far future) until the table holds `total` of them. */
async function fillTo(db: Knex, total: number, now: number): Promise<void> {
  const counted = await db('sla_clocks').count({ n: '*' }).first();
  let have = Number(counted?.n ?? 0);
  let id = 10_000_000 + have;
  while (have < total) {
    const rows: ReturnType<typeof clockRow>[] = [];
    for (let i = 0; i < BATCH && have < total; i++, have++, id++)
      rows.push(clockRow(id, now + 86_400_000 + (id % 1_000_000) * 1000, now));
    await db.transaction(async (trx) => {
      await trx('sla_clocks').insert(rows);
    });
  }
}

/** The 100 due clocks, on real records (an escalation reads its record), made due again before each pass. */
async function resetDue(db: Knex, recordIds: number[], now: number): Promise<void> {
  await db('sla_clocks')
    .whereIn('record_id', recordIds)
    .update({
      next_check_at: now - 1000,
      due_at: now - 1000,
      segment_started_at: now - 3_601_000,
      breached: false,
      breached_at: null,
      warned: '[]',
    });
}

async function timePasses(checker: SlaChecker, db: Knex, recordIds: number[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const now = Date.now();
    await resetDue(db, recordIds, now);
    const started = performance.now();
    const fired = await checker.pass(now);
    times.push(performance.now() - started);
    if (fired !== DUE) throw new Error(`expected ${DUE} breaches, fired ${fired}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!; // median
}

async function benchOne(kind: BenchDb): Promise<void> {
  const scratch = await scratchDatabase(kind, 'sla');
  const config = loadConfig({ DATABASE_URL: scratch.url, LOG_LEVEL: 'silent' });
  const db = connect(scratch.url);
  try {
    await migrateLatest(db);
    const services = { config, db, log: createLogger('silent'), wake: () => {} };
    for (const def of DEFS) {
      await createDefinition(db, 'bench', def);
      await publishDefinition(db, 'bench', def.kind, def.key);
    }
    const now = Date.now();
    const userId = await insertOne(db, 'users', {
      username: 'bench',
      display_name: 'bench',
      roles: '["user"]',
      active: true,
      created_at: now,
      updated_at: now,
    });
    const recordIds: number[] = [];
    for (let i = 0; i < DUE; i++) {
      // Through insertNew: on MySQL a record's id comes from runtime/src/db/ids.ts.
      const id = await insertNew(db, 'records', {
        type: 'bench',
        form_version: 1,
        number: `BEN-${String(i).padStart(6, '0')}`,
        title: `r${i}`,
        status: 'open',
        requester_id: userId,
        data: '{}',
        version: 1,
        created_at: now,
        updated_at: now,
      });
      recordIds.push(Number(id));
    }
    await db('sla_clocks').insert(recordIds.map((id) => clockRow(id, now - 1000, now)));
    const checker = new SlaChecker(services, engineHooks, 600_000);
    const results: Record<number, number> = {};
    for (const size of SIZES) {
      const started = performance.now();
      await fillTo(db, size, now);
      note(
        `[sla-sweep ${kind}] ${size.toLocaleString()} running clocks ready in ${round((performance.now() - started) / 1000, 1)} s`,
      );
      results[size] = await timePasses(checker, db, recordIds);
      emit({
        bench: 'sla-sweep',
        metric: `sla_pass_ms_${size === 1_000_000 ? '1m' : '10k'}`,
        value: round(results[size]!, 1),
        db: kind,
      });
    }
    const ratio = results[1_000_000]! / results[10_000]!;
    emit({
      bench: 'sla-sweep',
      metric: 'sla_sweep_ratio_1m_vs_10k',
      value: round(ratio, 2),
      baseline: round(results[10_000]!, 1),
      ratio: round(ratio, 2),
      db: kind,
    });
    note(
      `[sla-sweep ${kind}] pass with 100 due: ${round(results[10_000]!, 1)} ms at 10k clocks, ${round(results[1_000_000]!, 1)} ms at 1M (×${round(ratio, 2)}; target ≤ 1.5)`,
    );
  } finally {
    await db.destroy();
    await scratch.drop();
  }
}

note(`[sla-sweep] ${machine()}`);
for (const kind of benchDatabases('sla-sweep')) await benchOne(kind);
