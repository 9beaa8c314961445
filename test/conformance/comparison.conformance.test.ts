/** The comparison helpers must fail when they should, or a green conformance run means nothing. */
import { describe, expect, it } from 'vitest';
import { diffShapes, shapeOf } from './responseShape.js';
import { compareTable, json, jsonContaining, timeWithin } from './rowExpectations.js';
import type { TableExpectation } from './rowExpectations.js';

const window = { start: new Date('2026-01-01T00:00:10.400Z'), end: new Date('2026-01-01T00:00:20.200Z') };
const expectation: TableExpectation = {
  table: 't',
  primaryKey: ['id'],
  columns: ['id', 'n', 'doc', 'rules', 'at'],
  rows: [{ id: 'a', n: 1, doc: json({ b: 1, a: [1, 2] }), rules: jsonContaining([{ ID: 'x' }]), at: timeWithin(window.start, window.end) }],
};

describe('compareTable', () => {
  it('accepts the expected row, JSON in any key order and times at whole seconds of the window', () => {
    const row = { id: 'a', n: 1, doc: '{"a":[1,2],"b":1}', rules: '[{"ID":"x","Status":"Enabled"}]', at: '2026-01-01T00:00:10Z' };
    expect(compareTable(expectation, ['id', 'n', 'doc', 'rules', 'at'], [row])).toEqual([]);
  });

  it('names every wrong cell, missing and unexpected row, and unchecked column', () => {
    const wrong = { id: 'a', n: '1', doc: '{"a":[2,1],"b":1}', rules: '[]', at: '2026-01-01T00:00:22Z', extra: 1 };
    const problems = compareTable(expectation, ['id', 'n', 'doc', 'rules', 'at', 'extra'], [wrong, { id: 'z', n: 1, doc: null, rules: null, at: null, extra: 0 }]);
    expect(problems).toEqual([
      't: columns the conformance test does not check yet (add them to the expectations): extra',
      't[a].n: expected 1, got "1"',
      't[a].doc: expected JSON {"b":1,"a":[1,2]}, got {"a":[2,1],"b":1}',
      't[a].rules: expected JSON containing [{"ID":"x"}], got []',
      't[a].at: expected a time between 2026-01-01T00:00:10.400Z and 2026-01-01T00:00:20.200Z, got 2026-01-01T00:00:22Z',
      expect.stringMatching(/^t\[z\]: unexpected row /),
    ]);
    expect(compareTable(expectation, ['id'], [])).toEqual(['t: columns missing from the table: n, doc, rules, at', 't[a]: row missing']);
  });
});

describe('diffShapes', () => {
  it('finds fields one side never returns, type changes and different error names', () => {
    const moto = shapeOf([{ output: { A: 'x', B: 1, $metadata: { httpStatusCode: 200 } } }, { error: 'NoSuchTagSet', status: 404 }]);
    const sim = shapeOf([{ output: { A: 'y', B: '1', C: [new Date()] } }, { error: 'NoSuchTagSetError', status: 404 }]);
    expect(diffShapes(moto, sim)).toEqual([
      { path: '!error', kind: 'types', moto: ['error:NoSuchTagSet/404'], simulator: ['error:NoSuchTagSetError/404'] },
      { path: 'B', kind: 'types', moto: ['number'], simulator: ['string'] },
      { path: 'C', kind: 'only-simulator', moto: [], simulator: ['array'] },
      { path: 'C[]', kind: 'only-simulator', moto: [], simulator: ['Date'] },
    ]);
  });

  it('treats the keys of a tag map as data', () => {
    const options = { mapPaths: ['Tags'] };
    expect(diffShapes(shapeOf([{ output: { Tags: { Team: 'a' } } }], options), shapeOf([{ output: { Tags: { Owner: 'b' } } }], options))).toEqual([]);
  });
});
