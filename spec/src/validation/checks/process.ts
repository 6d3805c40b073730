import { SYSTEM_STATUSES } from '../../schemas/form.ts';
import { ANY_FORM, endOutcome } from '../../schemas/process.ts';
import { type Checker, list, record, str } from '../checker.ts';
import { nodeLabel } from '../labels.ts';
import { child } from '../pointer.ts';
import { jsonSchemaErrors } from '../shape.ts';
import { checkActions, checkAssignee, checkFieldValues, checkNotify } from './actions.ts';
import { checkProcessGraph } from './process-graph.ts';
import { checkCallBody, checkCallHeader, checkCallUrl, checkNoSecrets } from './secrets.ts';

/** Node and edge settings: references, expressions, templates. The graph is checked separately. */
export function checkProcess(c: Checker, def: Record<string, unknown>): void {
  // A process for any form (the default lifecycle) knows no form's fields or statuses but the system's.
  const anyForm = def.form === ANY_FORM;
  const form = anyForm ? undefined : str(def.form);
  c.reference('form', form, '/form');
  const field = (name: unknown, path: string) => c.field(form, name, path);
  const status = (value: unknown, path: string) => {
    if (!anyForm) return c.status(form, value, path);
    if (typeof value === 'string' && !SYSTEM_STATUSES.some((s) => s.key === value))
      c.add('process.anyForm.status', path, {
        status: value,
        allowed: SYSTEM_STATUSES.map((s) => s.key).join(', '),
      });
  };

  list(def.nodes).forEach((raw, i) => {
    const node = record(raw);
    const path = child('/nodes', i);
    // An end node without a status leaves the record in its outcome (engine.ts).
    if (node.status !== undefined) status(node.status, child(path, 'status'));
    else if (node.type === 'end') status(endOutcome(node), child(path, 'outcome'));
    switch (node.type) {
      case 'userTask': {
        checkAssignee(c, node.assignee, child(path, 'assignee'), form);
        const access = record(node.fieldAccess);
        for (const [mode, fields] of Object.entries(access)) {
          list(fields).forEach((f, j) => {
            field(f, child(path, 'fieldAccess', mode, j));
          });
        }
        if (node.ola !== undefined && node.dueIn === undefined) {
          c.add('process.ola.dueIn', child(path, 'ola'), { node: nodeLabel(node) });
        }
        list(node.callbacks).forEach((cb, j) => {
          checkCallbackEffects(c, record(cb), child(path, 'callbacks', j), form);
        });
        const ola = record(node.ola);
        checkActions(c, ola.onWarn, child(path, 'ola', 'onWarn'), form);
        checkActions(c, ola.onBreach, child(path, 'ola', 'onBreach'), form);
        break;
      }
      case 'timer': {
        const timer = record(node.timer);
        if ((timer.delay === undefined) === (timer.until === undefined)) {
          c.add('process.timer.spec', child(path, 'timer'), { node: nodeLabel(node) });
        }
        c.expression(child(path, 'timer', 'until'), timer.until);
        break;
      }
      case 'callback': {
        const cb = record(node.callback);
        c.expression(child(path, 'callback', 'forEach'), cb.forEach);
        checkCallbackEffects(c, cb, child(path, 'callback'), form);
        break;
      }
      case 'serviceTask':
        c.expression(child(path, 'forEach'), node.forEach);
        checkServiceAction(c, node.action, child(path, 'action'), form);
        break;
      case 'notify':
        checkNotify(c, node.notify, child(path, 'notify'), form);
        break;
      case 'subProcess':
        c.reference('process', node.process, child(path, 'process'));
        if (typeof node.process === 'string' && node.process === def.key) {
          c.add('process.subProcess.self', child(path, 'process'), {
            node: nodeLabel(node),
            key: node.process,
          });
        }
        break;
    }
  });

  list(def.edges).forEach((raw, i) => {
    const edge = record(raw);
    const path = child('/edges', i);
    c.expression(child(path, 'condition'), edge.condition);
    list(edge.guards).forEach((g, j) => {
      const guard = record(g);
      c.expression(child(path, 'guards', j, 'condition'), guard.condition);
      c.template(child(path, 'guards', j, 'message'), guard.message);
      checkNoSecrets(c, child(path, 'guards', j, 'message'), guard.message);
    });
    checkFieldValues(c, edge.set, child(path, 'set'), form);
    // The input schema is compiled when the action is taken: refuse one that cannot compile now.
    const input = record(edge.action).input;
    if (input !== undefined) {
      for (const e of jsonSchemaErrors(input))
        c.add('process.action.input', child(path, 'action', 'input'), { edge: String(edge.id), ...e });
    }
  });

  checkProcessGraph(c, def);
}

/** Field references and expressions of what a callback does; `setItem` names properties of list items, not fields. */
function checkCallbackEffects(
  c: Checker,
  cb: Record<string, unknown>,
  path: string,
  form: string | undefined,
): void {
  c.field(form, cb.resultField, child(path, 'resultField'));
  c.field(form, cb.list, child(path, 'list'));
  checkFieldValues(c, cb.set, child(path, 'set'), form);
  for (const [k, v] of Object.entries(record(cb.setItem))) c.expression(child(path, 'setItem', k), v);
}

function checkServiceAction(c: Checker, action: unknown, path: string, form: string | undefined): void {
  const a = record(action);
  switch (a.type) {
    case 'http':
      checkCallUrl(c, child(path, 'url'), a.url);
      for (const [name, value] of Object.entries(record(a.headers)))
        checkCallHeader(c, child(path, 'headers', name), name, value);
      checkCallBody(c, child(path, 'body'), a.body);
      c.field(form, a.resultField, child(path, 'resultField'));
      break;
    case 'setFields':
      checkFieldValues(c, a.values, child(path, 'values'), form);
      break;
    case 'createRecord':
      c.reference('form', a.form, child(path, 'form'));
      checkFieldValues(c, a.values, child(path, 'values'), str(a.form));
      c.field(form, a.resultField, child(path, 'resultField'));
      break;
    case 'updateCI':
      c.expression(child(path, 'ci'), a.ci);
      // CI attributes belong to the CMDB, not to a form: only the expressions are checked.
      for (const [k, v] of Object.entries(record(a.values))) c.expression(child(path, 'values', k), v);
      break;
  }
}
