import type { Knex } from 'knex';

/**
 * SQL text with its bound values. Text comes only from this package (column names of the dataset
 * registry, operators, function names); every value that came from a definition, a parameter or a
 * drill-down token travels in `values` and reaches the database as a bound parameter.
 */
export interface Sql {
  text: string;
  values: unknown[];
}

export type Dialect = 'sqlite' | 'mysql';

export const sql = (text: string, ...values: unknown[]): Sql => ({ text, values });

/** Joins fragments with a separator, keeping their values in order. */
export function join(parts: Sql[], sep: string): Sql {
  return { text: parts.map((p) => p.text).join(sep), values: parts.flatMap((p) => p.values) };
}

/** `template` with each `{}` replaced by the next fragment. */
export function fill(template: string, ...parts: Sql[]): Sql {
  const pieces = template.split('{}');
  if (pieces.length !== parts.length + 1)
    throw new Error(`fill: ${pieces.length - 1} holes, ${parts.length} parts`);
  let text = pieces[0]!;
  const values: unknown[] = [];
  parts.forEach((p, i) => {
    text += p.text + pieces[i + 1]!;
    values.push(...p.values);
  });
  return { text, values };
}

export const raw = (db: Knex, s: Sql) => db.raw(s.text, s.values as Knex.RawBinding[]);

/** `?, ?, ?` with the values bound. */
export const list = (values: readonly unknown[]): Sql => ({
  text: values.map(() => '?').join(', '),
  values: [...values],
});

/**
 * floor(a / unit) for non-negative integers. SQLite binds JavaScript numbers as REAL, so its
 * division is exact and CAST truncates (the same as floor for the instants we divide); MySQL has
 * FLOOR.
 */
export function floorDiv(dialect: Dialect, a: Sql, unit: number): Sql {
  return dialect === 'sqlite'
    ? { text: `CAST((${a.text}) / ? AS INTEGER)`, values: [...a.values, unit] }
    : { text: `FLOOR((${a.text}) / ?)`, values: [...a.values, unit] };
}

/** A JSON value of a history entry as text: the string itself for a JSON string. */
export function jsonText(dialect: Dialect, column: string, path: string): Sql {
  return dialect === 'sqlite'
    ? sql(`json_extract(${column}, ?)`, path)
    : sql(`JSON_UNQUOTE(JSON_EXTRACT(${column}, ?))`, path);
}
