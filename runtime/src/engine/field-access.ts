import type { ProcessNode } from '@opsloom/spec';
import type { Actor } from '../context.ts';
import type { FieldAccess } from '../records/forms.ts';
import type { Rec } from '../records/store.ts';
import { isStaff } from '../records/visibility.ts';

type UserTask = Extract<ProcessNode, { type: 'userTask' }>;

/**
 * What `actor` may change when acting on a step: its `fieldAccess` as the process says it, with one
 * default that fails closed. A step without an `editable` list lets its taker change every field
 * the step does not lock — right for the desk working a ticket, wrong for the requester confirming
 * one: a requester who reopened a resolved incident once rewrote its impact, urgency and title. So
 * where the step is the requester's (assigned to the requester, or taken by the record's requester
 * who is not staff) and lists nothing, nothing is editable; the requester still comments and rates.
 */
export function stepAccess(n: UserTask, actor: Actor, rec: Rec): FieldAccess {
  const declared: FieldAccess = n.fieldAccess ?? {};
  if (declared.editable) return declared;
  const requestersStep =
    n.assignee.type === 'requester' || (rec.requesterId === actor.userId && !isStaff(actor));
  return requestersStep ? { ...declared, editable: [] } : declared;
}
