/**
 * Relations a link between records can have, read from the record it starts at, and how the
 * other end reads it. Shared by the runtime (which stores and checks them) and the apps (which
 * name them in the reader's language).
 */
export const RELATIONS = {
  'related-to': 'related-to',
  'caused-by': 'causes',
  duplicates: 'duplicated-by',
  blocks: 'blocked-by',
  implements: 'implemented-by',
} as const;
export type Relation = keyof typeof RELATIONS;

const INVERSE_OF = new Map<string, Relation>(
  Object.entries(RELATIONS).map(([forward, inverse]) => [inverse, forward as Relation]),
);

/** Every name a caller may use: the forward names and their inverses (stored the other way round). */
export const RELATION_NAMES = [...new Set([...Object.keys(RELATIONS), ...Object.values(RELATIONS)])];

/** How a stored relation reads from the far end; relations written by processes may be free-form. */
export const inverseOf = (relation: string): string =>
  (RELATIONS as Record<string, string>)[relation] ?? INVERSE_OF.get(relation) ?? relation;
