import { ANY_FORM, type FormDefinition, localize, type ProcessDefinition } from '@opsloom/spec';
import type { Knex } from 'knex';
import { fromJson } from '../db/json.ts';
import { translateBoth } from '../i18n/translate.ts';
import { currentBodies } from './current.ts';

/** Something a publish wants the admin to know that is not a problem: the publish went through. */
export interface PublishNotice {
  code: string;
  message: { 'zh-CN': string; en: string };
}

/**
 * What publishing a definition means beyond itself. A form no process runs on gets the default
 * lifecycle (a process for any form, plugins/opsloom-lifecycle): publishing says so, and who
 * handles its records; without one installed, that its records would wait in "New".
 */
export async function publishNotices(db: Knex, kind: string, key: string): Promise<PublishNotice[]> {
  if (kind !== 'form') return [];
  const processes = await currentBodies<ProcessDefinition>(db, 'process');
  if (processes.some((p) => p.def.form === key)) return [];
  const forms = await currentBodies<FormDefinition>(db, 'form');
  const form = forms.find((f) => f.key === key)?.def;
  const name = form ? { 'zh-CN': localize(form.name, 'zh-CN'), en: localize(form.name, 'en') } : key;
  const lifecycle = processes.filter((p) => p.def.form === ANY_FORM);
  if (!lifecycle.length)
    return [{ code: 'form.no_process', message: translateBoth('notice.form_no_process', { form: name }) }];
  const process = lifecycle[0]!.def.name;
  let handled: Record<'zh-CN' | 'en', string>;
  if (!form?.group) handled = translateBoth('notice.handled_by_managers');
  else {
    const row = await db('groups').where({ key: form.group }).first('name');
    const groupName = fromJson<Record<string, string>>(row?.name);
    handled = row
      ? translateBoth('notice.handled_by_group', {
          group: {
            'zh-CN': groupName?.['zh-CN'] ?? form.group,
            en: groupName?.en ?? form.group,
          },
        })
      : translateBoth('notice.handling_group_missing', { group: form.group });
  }
  return [
    {
      code: 'form.default_lifecycle',
      message: translateBoth('notice.form_default_lifecycle', {
        form: name,
        process: { 'zh-CN': localize(process, 'zh-CN'), en: localize(process, 'en') },
        handled,
      }),
    },
  ];
}
