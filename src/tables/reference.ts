/**
 * The README's table reference, generated from the table declarations (the one source of truth
 * for columns, types, descriptions and the API call behind each column).
 */
import type { TableDeclaration } from '../crawl/table.js';
import { allColumns } from '../crawl/table.js';
import { TABLES } from './index.js';

export const TABLES_START = '<!-- tables:start -->';
export const TABLES_END = '<!-- tables:end -->';

const SCOPES = {
  organization: 'once per run (the organization)',
  account: 'once per member account',
  'account-region': 'per member account and region',
} as const;

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderTableReference(tables: readonly TableDeclaration[] = TABLES): string {
  const parts: string[] = [];
  for (const table of tables) {
    parts.push(`### \`${table.name}\``);
    parts.push('');
    parts.push(`${table.description} Crawled ${SCOPES[table.scope]}, with \`resources\` including \`${table.resource}\`. Primary key: ${table.primaryKey.map((k) => `\`${k}\``).join(', ')}.`);
    parts.push('');
    parts.push('| column | type | from | description |');
    parts.push('| --- | --- | --- | --- |');
    for (const column of allColumns(table)) {
      const kind = column.json ? 'JSON' : column.boolean ? '0/1' : column.time ? 'ISO-8601' : column.type;
      const flags = [column.nullable === false ? 'not null' : '', column.volatile ? 'volatile' : ''].filter(Boolean).join(', ');
      parts.push(`| \`${column.name}\` | ${kind}${flags ? ` (${flags})` : ''} | ${escape(column.from)} | ${escape(column.description)} |`);
    }
    parts.push('');
  }
  parts.push('Every resource table also has `first_seen_run`, `last_seen_run` and `deleted_run` (see "Using the database").');
  return parts.join('\n');
}

/** The README with its table section replaced; throws when the markers are missing. */
export function withTableReference(readme: string, tables: readonly TableDeclaration[] = TABLES): string {
  const start = readme.indexOf(TABLES_START);
  const end = readme.indexOf(TABLES_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${TABLES_START} … ${TABLES_END} markers`);
  return `${readme.slice(0, start + TABLES_START.length)}\n${renderTableReference(tables)}\n${readme.slice(end)}`;
}
