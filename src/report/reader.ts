/**
 * What the report reads the inventory through: SQL over the tables and views every destination
 * holds (`runs`, `changes`, `errors`, the resource tables, `v_resources`). SQLite implements it
 * here (`sqliteReader.ts`); another database implements the same three methods.
 *
 * The SQL the report sends keeps to what SQLite and PostgreSQL both run: `?` placeholders (a
 * reader for `$1`-style drivers numbers them), double-quoted identifiers, plain SELECT with WHERE,
 * GROUP BY, ORDER BY and LIMIT, and no JSON or date functions. JSON columns are parsed and times
 * formatted by the caller, so a reader hands back what its driver gives (see `Value`).
 */

/**
 * A column's value as a driver gives it: SQLite's text, integers and nulls; PostgreSQL's
 * booleans, Dates (timestamptz) and parsed objects (jsonb) too. `values.ts` normalizes them.
 */
export type Value = string | number | bigint | boolean | Date | null | Record<string, unknown> | unknown[];
export type ResultRow = Record<string, Value>;

export interface ReportReader {
  /** Where the inventory comes from, for the page and messages (a file name, never a password). */
  readonly source: string;
  /** Runs one SELECT with `?` placeholders bound to `params`, rows keyed by column name. */
  query(sql: string, params?: readonly Value[]): Promise<ResultRow[]>;
  /** The columns of a table or view, or null when there is none by that name. */
  columns(name: string): Promise<string[] | null>;
  close(): Promise<void>;
}
