/**
 * `defineTable`: each step's columns come from the columns' `from`, and a declaration whose
 * columns and steps disagree is refused — by the compiler where it can say so (the
 * `@ts-expect-error` lines below fail `npm run typecheck` the day they stop being errors), and
 * when the module loads otherwise.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ColumnsFrom, Row, TableColumn } from '../../src/crawl/table.js';
import { defineTable } from '../../src/crawl/table.js';
import { InventoryError } from '../../src/errors/inventoryError.js';

interface Widget {
  id: string;
  name: string;
}

async function* widgets(): AsyncIterable<Widget> {
  yield { id: 'w-1', name: 'first' };
}

const columns = [
  { name: 'id', type: 'TEXT', nullable: false, from: 'test:ListWidgets', description: 'widget id' },
  { name: 'name', type: 'TEXT', from: 'test:ListWidgets', description: 'widget name' },
  { name: 'colour', type: 'TEXT', from: 'test:DescribeWidget', description: 'its colour' },
  { name: 'tags', type: 'TEXT', json: true, from: 'test:ListWidgetTags', description: 'its tags' },
  { name: 'size', type: 'INTEGER', from: 'test:DescribeWidget', description: 'its size' },
] as const satisfies readonly TableColumn[];

const base = { name: 'widgets', description: 'test widgets', resource: 'sqs', scope: 'account' } as const;

/** The thrown error, for assertions on its kind and words. */
function thrown(fn: () => unknown): InventoryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  }
  throw new Error('expected defineTable to throw');
}

describe('defineTable', () => {
  it("derives each step's columns from the columns that name its call, in declaration order", async () => {
    const table = defineTable({
      ...base,
      columns,
      primaryKey: ['account_id', 'id'],
      list: { call: 'test:ListWidgets', items: widgets, row: (w) => ({ id: w.id, name: w.name }) },
      enrich: {
        'test:DescribeWidget': async () => ({ colour: 'blue', size: 3 }),
        'test:ListWidgetTags': async () => null,
      },
    });
    expect(table.columns).toBe(columns);
    expect(table.list.call).toBe('test:ListWidgets');
    expect(table.list.columns).toEqual(['id', 'name']);
    expect(table.enrich.map((step) => [step.call, step.columns])).toEqual([
      ['test:DescribeWidget', ['colour', 'size']],
      ['test:ListWidgetTags', ['tags']],
    ]);
    // The steps run as declared.
    const ctx = {} as Parameters<typeof table.list.items>[0];
    const items: Widget[] = [];
    for await (const item of table.list.items(ctx)) items.push(item);
    expect(items.map((item) => table.list.row(item, ctx))).toEqual([{ id: 'w-1', name: 'first' }]);
    expect(await table.enrich[0]?.run({ id: 'w-1', name: 'first' }, ctx)).toEqual({ colour: 'blue', size: 3 });
  });

  it('refuses a column that names a call no step makes', () => {
    const error = thrown(() =>
      defineTable({
        ...base,
        columns,
        primaryKey: ['account_id', 'id'],
        list: { call: 'test:ListWidgets', items: widgets, row: (w) => ({ id: w.id, name: w.name }) },
        // @ts-expect-error -- no step for test:ListWidgetTags, which the `tags` column names
        enrich: {
          'test:DescribeWidget': async () => ({ colour: 'blue', size: 3 }),
        },
      }),
    );
    expect(error.kind).toBe('internal');
    expect(error.message).toBe('Table declaration "widgets": column "tags" comes from "test:ListWidgetTags", a call no step of the table makes.');
    expect(error.hint).toBe(`Add an enrich step keyed "test:ListWidgetTags", or correct the column's "from" in src/tables/.`);
  });

  it('refuses a step that fills no column', () => {
    const error = thrown(() =>
      defineTable({
        ...base,
        columns,
        primaryKey: ['account_id', 'id'],
        list: { call: 'test:ListWidgets', items: widgets, row: (w) => ({ id: w.id, name: w.name }) },
        enrich: {
          'test:DescribeWidget': async () => ({ colour: 'blue', size: 3 }),
          'test:ListWidgetTags': async () => null,
          // @ts-expect-error -- no column names test:GetWidgetPolicy
          'test:GetWidgetPolicy': async () => null,
        },
      }),
    );
    expect(error.kind).toBe('internal');
    expect(error.message).toBe('Table declaration "widgets": the step "test:GetWidgetPolicy" fills no column.');
  });

  it('refuses a listing that fills no column', () => {
    const onlyDescribed = [{ name: 'colour', type: 'TEXT', from: 'test:DescribeWidget', description: 'its colour' }] as const satisfies readonly TableColumn[];
    const error = thrown(() =>
      defineTable({
        ...base,
        columns: onlyDescribed,
        primaryKey: ['account_id'],
        list: { call: 'test:ListWidgets', items: widgets, row: () => ({}) },
        enrich: { 'test:DescribeWidget': async () => ({ colour: 'blue' }) },
      }),
    );
    expect(error.message).toBe('Table declaration "widgets": the step "test:ListWidgets" fills no column.');
  });
});

// Checked by `npm run typecheck`: each @ts-expect-error below is an error today, and tsc fails
// on one that is not. The declarations are built only to be type-checked (never run).
describe('a misspelt column does not compile', () => {
  it('in the type of what a step returns', () => {
    expectTypeOf<ColumnsFrom<typeof columns, 'test:ListWidgets'>>().toEqualTypeOf<'id' | 'name'>();
    expectTypeOf<ColumnsFrom<typeof columns, 'test:DescribeWidget'>>().toEqualTypeOf<'colour' | 'size'>();
    expectTypeOf<{ id: string; name: string }>().toExtend<Row<ColumnsFrom<typeof columns, 'test:ListWidgets'>>>();
    expectTypeOf<{ id: string; nmae: string }>().not.toExtend<Row<ColumnsFrom<typeof columns, 'test:ListWidgets'>>>();
  });

  it('in a declaration: the listing, an enrich step, the primary key', () => {
    const declare = () =>
      defineTable({
        ...base,
        columns,
        primaryKey: [
          'account_id',
          // @ts-expect-error -- `identifier` is not a column
          'identifier',
        ],
        list: {
          call: 'test:ListWidgets',
          items: widgets,
          // @ts-expect-error -- `nmae` is not a column (and `name` is missing)
          row: (w) => ({ id: w.id, nmae: w.name }),
        },
        enrich: {
          // @ts-expect-error -- `color` is not a column (and `colour` is missing)
          'test:DescribeWidget': async () => ({ color: 'blue', size: 3 }),
          'test:ListWidgetTags': async () => null,
        },
      });
    expect(typeof declare).toBe('function');
  });
});
