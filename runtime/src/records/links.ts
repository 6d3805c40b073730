import { type I18nText, inverseOf, RELATIONS, type StatusCategory } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Actor } from '../context.ts';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import { translateBoth } from '../i18n/translate.ts';
import { recordStatus, statusFields } from './forms.ts';
import { fromRow, loadRecord, type Rec, type RecordRow, recordWhat, writeHistory } from './store.ts';
import { assertCanSee, scopeToVisible } from './visibility.ts';

/** The other end of a link, as its line in a record's links shows it. */
interface LinkedRecord {
  id: number;
  number: string;
  type: string;
  title: string;
  status: string;
  statusName: I18nText | null;
  statusCategory: StatusCategory | null;
}

async function linkedRecord(db: Knex, other: Rec): Promise<LinkedRecord> {
  return {
    id: other.id,
    number: other.number,
    type: other.type,
    title: other.title,
    status: other.status,
    ...statusFields(await recordStatus(db, other.type, other.formVersion, other.status)),
  };
}

export interface LinkView {
  id: number;
  /** The relation as read from this record ("INC-1 blocks CHG-2" shows as blocked-by on CHG-2). */
  relation: string;
  direction: 'outgoing' | 'incoming';
  record: LinkedRecord | null;
  ci: string | null;
  createdBy: string;
  createdAt: number;
}

interface LinkRow {
  id: number;
  from_id: number;
  to_id: number | null;
  to_ci: string | null;
  relation: string;
  created_by: string;
  created_at: number;
}

/** Both directions of a record's links; linked records the caller may not see are left out. */
export async function listLinks(db: Knex, actor: Actor, recordId: number): Promise<LinkView[]> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  const rows: LinkRow[] = await db('record_links')
    .where('from_id', rec.id)
    .orWhere('to_id', rec.id)
    .orderBy('id', 'asc');
  const otherIds = [
    ...new Set(
      rows
        .map((l) => (Number(l.from_id) === rec.id ? l.to_id : l.from_id))
        .filter((x): x is number => x !== null)
        .map(Number),
    ),
  ];
  const others = new Map<number, Rec>();
  if (otherIds.length) {
    const q = db('records as r').whereIn('r.id', otherIds);
    await scopeToVisible(db, actor, q, 'r');
    for (const row of (await q.select('r.*')) as RecordRow[]) others.set(Number(row.id), fromRow(row));
  }
  const out: LinkView[] = [];
  for (const l of rows) {
    const outgoing = Number(l.from_id) === rec.id && !(l.to_id !== null && Number(l.to_id) === rec.id);
    const otherId = outgoing ? l.to_id : l.from_id;
    let record: LinkView['record'] = null;
    if (otherId !== null) {
      const other = others.get(Number(otherId));
      if (!other) continue;
      record = await linkedRecord(db, other);
    }
    out.push({
      id: Number(l.id),
      relation: outgoing ? l.relation : inverseOf(l.relation),
      direction: outgoing ? 'outgoing' : 'incoming',
      record,
      ci: outgoing ? l.to_ci : null,
      createdBy: l.created_by,
      createdAt: Number(l.created_at),
    });
  }
  return out;
}

/** A record named by id or number, which the caller must be able to see (else 404). */
async function findVisible(db: Knex, actor: Actor, ref: string | number): Promise<Rec> {
  const s = String(ref).trim();
  const row = /^\d+$/.test(s)
    ? await db<RecordRow>('records')
        .where({ id: Number(s) })
        .first()
    : await db<RecordRow>('records').where({ number: s }).first();
  if (!row) throw notFound(recordWhat(s));
  const rec = fromRow(row);
  try {
    await assertCanSee(db, actor, rec);
  } catch {
    throw notFound(recordWhat(s));
  }
  return rec;
}

const problem = (path: string) => ({ problems: [{ path, message: translateBoth('error.link_target') }] });

export async function addLink(
  db: Knex,
  actor: Actor,
  recordId: number,
  input: { to?: string | number; ci?: string; relation: string },
): Promise<LinkView> {
  if ((input.to === undefined) === (input.ci === undefined))
    throw new ApiError(400, 'validation_failed', 'error.link_target', {}, problem('/to'));
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  // An inverse name is stored the other way round, so "A blocked-by B" and "B blocks A" are one link.
  const forward = input.relation in RELATIONS;
  const relation: string = forward ? input.relation : inverseOf(input.relation);
  const now = Date.now();

  if (input.ci !== undefined) {
    return db.transaction(async (trx) => {
      const dup = await trx('record_links').where({ from_id: rec.id, to_ci: input.ci, relation }).first('id');
      if (dup)
        throw conflict('link_exists', 'error.conflict_exists', {
          what: translateBoth('what.link', { key: `${rec.number} ${relation} ${input.ci}` }),
        });
      const [id] = await trx('record_links').insert({
        from_id: rec.id,
        to_id: null,
        to_ci: input.ci,
        relation,
        created_by: actor.username,
        created_at: now,
      });
      await writeHistory(
        trx,
        rec.id,
        actor.username,
        [{ kind: 'link', detail: { added: input.ci, ci: true, relation } }],
        now,
      );
      return {
        id: Number(id),
        relation,
        direction: 'outgoing' as const,
        record: null,
        ci: input.ci!,
        createdBy: actor.username,
        createdAt: now,
      };
    });
  }

  const other = await findVisible(db, actor, input.to!);
  if (other.id === rec.id)
    throw new ApiError(400, 'validation_failed', 'error.link_self', {}, problem('/to'));
  const [from, to] = forward ? [rec, other] : [other, rec];
  return db.transaction(async (trx) => {
    const dup = await trx('record_links')
      .where((w) => {
        w.where({ from_id: from.id, to_id: to.id, relation });
        if (relation === 'related-to') w.orWhere({ from_id: to.id, to_id: from.id, relation });
      })
      .first('id');
    if (dup)
      throw conflict('link_exists', 'error.conflict_exists', {
        what: translateBoth('what.link', { key: `${from.number} ${relation} ${to.number}` }),
      });
    const [id] = await trx('record_links').insert({
      from_id: from.id,
      to_id: to.id,
      to_ci: null,
      relation,
      created_by: actor.username,
      created_at: now,
    });
    await writeHistory(
      trx,
      from.id,
      actor.username,
      [{ kind: 'link', detail: { added: to.number, relation } }],
      now,
    );
    await writeHistory(
      trx,
      to.id,
      actor.username,
      [{ kind: 'link', detail: { added: from.number, relation, incoming: true } }],
      now,
    );
    const outgoing = from.id === rec.id;
    return {
      id: Number(id),
      relation: outgoing ? relation : inverseOf(relation),
      direction: outgoing ? ('outgoing' as const) : ('incoming' as const),
      record: await linkedRecord(trx, other),
      ci: null,
      createdBy: actor.username,
      createdAt: now,
    };
  });
}

/** Removes a link from either of its ends; history on both records. */
export async function removeLink(db: Knex, actor: Actor, recordId: number, linkId: number): Promise<void> {
  const rec = await loadRecord(db, recordId);
  await assertCanSee(db, actor, rec);
  await db.transaction(async (trx) => {
    const link: LinkRow | undefined = await trx('record_links')
      .where({ id: linkId })
      .where((w) => w.where('from_id', rec.id).orWhere('to_id', rec.id))
      .first();
    if (!link) throw notFound(translateBoth('what.link', { key: linkId }));
    const fromId = Number(link.from_id);
    const toId = link.to_id === null ? null : Number(link.to_id);
    const numbers = new Map<number, string>(
      (
        await trx('records')
          .whereIn('id', [fromId, ...(toId ? [toId] : [])])
          .select('id', 'number')
      ).map((r: { id: number; number: string }) => [Number(r.id), r.number]),
    );
    await trx('record_links').where({ id: link.id }).delete();
    await writeHistory(trx, fromId, actor.username, [
      {
        kind: 'link',
        detail: {
          removed: toId ? numbers.get(toId) : link.to_ci,
          ...(toId ? {} : { ci: true }),
          relation: link.relation,
        },
      },
    ]);
    if (toId)
      await writeHistory(trx, toId, actor.username, [
        { kind: 'link', detail: { removed: numbers.get(fromId), relation: link.relation, incoming: true } },
      ]);
  });
}
