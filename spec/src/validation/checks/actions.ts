import { ASSIGNEE_TYPES, RECIPIENT_TYPES_WITH_VALUE } from '../../schemas/actions.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { child } from '../pointer.ts';
import { checkCallUrl, checkNoSecrets, checkSigningSecret } from './secrets.ts';

/**
 * Checks of the pieces rules, OLAs, SLA escalations and process nodes share. `form` is the
 * form whose fields the action may name (undefined when the scope has no form).
 */

export function checkAssignee(c: Checker, assignee: unknown, path: string, form: string | undefined): void {
  const a = record(assignee);
  const type = str(a.type);
  // An unknown type is a schema.enum problem already; guessing what it needs would add noise.
  if (!type || !(ASSIGNEE_TYPES as readonly string[]).includes(type)) return;
  if (type !== 'requester' && (typeof a.value !== 'string' || a.value === '')) {
    c.add('assignee.value', child(path, 'value'), { type }, path);
    return;
  }
  const valuePath = child(path, 'value');
  if (type === 'group') c.group(a.value, valuePath);
  // Several users, comma-separated, are the approvers of a 会签 / 或签 / sequential task.
  else if (type === 'user') for (const name of String(a.value).split(',')) c.user(name.trim(), valuePath);
  else if (type === 'field') c.field(form, a.value, valuePath);
  else if (type === 'expression') c.expression(valuePath, a.value);
}

export function checkRecipients(
  c: Checker,
  recipients: unknown,
  path: string,
  form: string | undefined,
): void {
  list(recipients).forEach((recipient, i) => {
    const r = record(recipient);
    const type = str(r.type);
    const rPath = child(path, i);
    const valuePath = child(rPath, 'value');
    if (
      type &&
      (RECIPIENT_TYPES_WITH_VALUE as readonly string[]).includes(type) &&
      typeof r.value !== 'string'
    ) {
      c.add('action.recipient.value', valuePath, { type }, rPath);
      return;
    }
    if (type === 'group') c.group(r.value, valuePath);
    else if (type === 'user') c.user(r.value, valuePath);
    else if (type === 'field') c.field(form, r.value, valuePath);
  });
}

/** The notification part shared by notify actions and notify nodes. */
export function checkNotify(c: Checker, notify: unknown, path: string, form: string | undefined): void {
  const n = record(notify);
  const channel = str(n.channel);
  if ((channel === 'webhook' || channel === 'im') && n.url === undefined) {
    c.add('action.notify.url', child(path, 'url'), { channel }, path);
  }
  if ((channel === 'email' || channel === 'inapp') && list(n.recipients).length === 0) {
    c.add('action.notify.recipients', child(path, 'recipients'), { channel }, path);
  }
  checkRecipients(c, n.recipients, child(path, 'recipients'), form);
  checkCallUrl(c, child(path, 'url'), n.url);
  checkSigningSecret(c, child(path, 'secret'), n.secret);
  const template = record(n.template);
  for (const part of ['subject', 'body'] as const) {
    c.template(child(path, 'template', part), template[part]);
    checkNoSecrets(c, child(path, 'template', part), template[part]);
  }
}

export function checkActions(c: Checker, actions: unknown, path: string, form: string | undefined): void {
  list(actions).forEach((action, i) => {
    const a = record(action);
    const aPath = child(path, i);
    if (a.type === 'notify') checkNotify(c, a, aPath, form);
    else if (a.type === 'assign') checkAssignee(c, a.assignee, child(aPath, 'assignee'), form);
    else if (a.type === 'setField') {
      c.field(form, a.field, child(aPath, 'field'));
      c.expression(child(aPath, 'value'), a.value);
    }
  });
}

/** `{ field: expression }` maps: each key a field of `form`, each value an expression. */
export function checkFieldValues(c: Checker, values: unknown, path: string, form: string | undefined): void {
  for (const [field, expression] of Object.entries(record(values))) {
    c.field(form, field, child(path, field));
    c.expression(child(path, field), expression);
  }
}
