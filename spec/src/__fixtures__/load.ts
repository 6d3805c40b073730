import { readdirSync, readFileSync } from 'node:fs';
import type { DefinitionKind } from '../kinds.ts';
import type { Lookup } from '../validation/lookup.ts';

/** Test helpers: the JSON fixtures beside this file. */

export interface InvalidFixture {
  name: string;
  description: string;
  expect: { code: string; path: string }[];
  lookup?: LookupSpec;
  definition: unknown;
}

/** A lookup written as data: each present list turns the matching Lookup function on. */
export interface LookupSpec {
  definitions?: Partial<Record<DefinitionKind, string[]>>;
  forms?: Record<string, string[]>;
  /** Status keys by form, for the forms that declare statuses. */
  statuses?: Record<string, string[]>;
  /** Number prefix by published form. */
  numberPrefixes?: Record<string, string>;
  groups?: string[];
  users?: string[];
  /** Param keys and types by published report. */
  reportParams?: Record<string, { key: string; type: string }[]>;
}

const dir = new URL('./', import.meta.url);

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, dir), 'utf8'));
}

export function validFixtures(): { name: string; definition: Record<string, unknown> }[] {
  return readdirSync(new URL('valid/', dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      definition: readJson(`valid/${f}`) as Record<string, unknown>,
    }));
}

export function invalidFixtures(): InvalidFixture[] {
  return readdirSync(new URL('invalid/', dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      ...(readJson(`invalid/${f}`) as Omit<InvalidFixture, 'name'>),
    }));
}

export function lookupFrom(spec: LookupSpec | undefined): Lookup | undefined {
  if (!spec) return undefined;
  const lookup: Lookup = {};
  const { definitions, forms, statuses, numberPrefixes, groups, users, reportParams } = spec;
  if (definitions) lookup.hasDefinition = (kind, key) => definitions[kind]?.includes(key) ?? false;
  if (forms) lookup.formFields = (key) => forms[key];
  if (statuses) lookup.formStatuses = (key) => statuses[key];
  if (numberPrefixes)
    lookup.formsNumberedWith = (prefix) =>
      Object.entries(numberPrefixes)
        .filter(([, p]) => p === prefix)
        .map(([key]) => key);
  if (groups) lookup.hasGroup = (key) => groups.includes(key);
  if (users) lookup.hasUser = (name) => users.includes(name);
  if (reportParams) lookup.reportParams = (key) => reportParams[key];
  return lookup;
}
