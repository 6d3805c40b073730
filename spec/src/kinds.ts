/** Every kind of definition Opsloom knows. The order is the order the designer lists them in. */
export const DEFINITION_KINDS = [
  'form',
  'process',
  'rule',
  'sla',
  'calendar',
  'report',
  'dashboard',
  'schedule',
  'catalog',
] as const;

export type DefinitionKind = (typeof DEFINITION_KINDS)[number];

export function isDefinitionKind(value: unknown): value is DefinitionKind {
  return typeof value === 'string' && (DEFINITION_KINDS as readonly string[]).includes(value);
}
