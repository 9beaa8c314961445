/**
 * Every table declared under src/tables/ is in the registry (importing each module also runs
 * `defineTable`'s checks), every column names the call of exactly one step and every step fills
 * the columns that name it, and the README's table reference is up to date.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allColumns, commonColumns } from '../../src/crawl/table.js';
import type { TableDeclaration } from '../../src/crawl/table.js';
import { TABLES } from '../../src/tables/index.js';
import { withTableReference } from '../../src/tables/reference.js';

const root = path.resolve(import.meta.dirname, '../..');

function isDeclaration(value: unknown): value is TableDeclaration {
  return value !== null && typeof value === 'object' && 'name' in value && 'columns' in value && 'list' in value && 'scope' in value;
}

describe('the table registry', () => {
  it('lists every table declared under src/tables/', async () => {
    const declared: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(file);
        else if (file.endsWith('.ts') && !file.endsWith('.test.ts')) {
          const module = (await import(file)) as Record<string, unknown>;
          for (const value of Object.values(module)) if (isDeclaration(value)) declared.push(value.name);
        }
      }
    };
    await walk(path.join(root, 'src/tables'));
    expect([...new Set(declared)].sort()).toEqual(TABLES.map((t) => t.name).sort());
  });

  it.each(TABLES.map((t) => [t.name, t] as const))('%s: each column comes from exactly one step, each step fills its columns, and keys exist', (_name, table) => {
    const names = allColumns(table).map((c) => c.name);
    expect(new Set(names).size, 'column names are unique').toBe(names.length);
    for (const key of table.primaryKey) expect(names).toContain(key);
    for (const column of commonColumns(table.scope)) expect(column.from, `${column.name} comes from the target`).toBe('target');
    const steps = [table.list, ...table.enrich];
    const calls = steps.map((step) => step.call);
    expect(new Set(calls).size, 'one step per call').toBe(calls.length);
    for (const column of table.columns) expect(calls, `${table.name}.${column.name} comes from a call one of its steps makes`).toContain(column.from);
    for (const step of steps) {
      expect(step.call).toMatch(/^[a-z0-9]+:[A-Za-z]|^none:/);
      const named = table.columns.filter((c) => c.from === step.call).map((c) => c.name);
      expect(named.length, `${step.call} fills at least one column`).toBeGreaterThan(0);
      expect(step.columns, `${step.call} fills exactly the columns that name it`).toEqual(named);
    }
  });

  it('README.md carries the current table reference (regenerate with `npm run schema`)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(withTableReference(readme) === readme, 'README.md table reference is stale: run `npm run schema`').toBe(true);
  });
});
