import { type I18nText, type Locale, localize, renderTemplate } from '@opsloom/spec';
import type { Knex } from 'knex';
import type { Config } from '../config.ts';
import { recordContext, scopeOf } from '../engine/context.ts';
import type { Rec } from '../records/store.ts';
import type { Person } from './recipients.ts';

/**
 * What notification templates see: `record` (standard columns and form fields), `actor`,
 * `link` (back to the record: the workspace for staff, the portal for requesters), `recipient`
 * (who this copy is for), `vars` (OPSLOOM_VAR_*), and what the trigger adds — `event`,
 * `changes`, `task`.
 */

export interface Rendered {
  subject: string;
  body: string;
  locale: Locale;
  link: string;
}

export const workspaceLink = (config: Config, recordId: number) =>
  `${config.publicUrl}/workspace/records/${recordId}`;
export const portalLink = (config: Config, recordId: number) =>
  `${config.publicUrl}/portal/requests/${recordId}`;

/** The base context for one record; per-recipient values are added by `renderFor`. */
export async function templateContext(
  trx: Knex,
  config: Config,
  rec: Rec,
  actor: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  return { ...scopeOf(await recordContext(trx, rec), actor), vars: config.vars, ...extra };
}

export interface MessageTemplate {
  subject?: I18nText;
  body: I18nText;
}

/** Renders subject and body in `locale` (the template's variant for it, else the other language). */
export async function renderMessage(
  template: MessageTemplate,
  ctx: Record<string, unknown>,
  locale: Locale,
): Promise<{ subject: string; body: string }> {
  const body = await renderTemplate(localize(template.body, locale), ctx, { locale });
  const subject =
    template.subject === undefined
      ? (body.split('\n')[0] ?? '').slice(0, 200)
      : await renderTemplate(localize(template.subject, locale), ctx, { locale });
  return { subject: subject.trim(), body };
}

/** One recipient's copy: their language and their kind of link. */
export async function renderFor(
  config: Config,
  template: MessageTemplate,
  ctx: Record<string, unknown>,
  rec: Rec,
  person: Pick<Person, 'locale' | 'staff' | 'username' | 'displayName'> | null,
  locale: Locale = person?.locale ?? 'zh-CN',
): Promise<Rendered> {
  const link = person && !person.staff ? portalLink(config, rec.id) : workspaceLink(config, rec.id);
  const recipient = person
    ? { username: person.username, displayName: person.displayName, locale: person.locale }
    : null;
  const { subject, body } = await renderMessage(template, { ...ctx, link, recipient, locale }, locale);
  return { subject, body, locale, link };
}
