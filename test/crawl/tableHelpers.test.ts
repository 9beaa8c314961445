import { describe, expect, it } from 'vitest';
import { jsonText, tagsJson, toBool, toInt, toIsoTime, toJson } from '../../src/crawl/table.js';

describe('column value helpers', () => {
  it('turns AWS times into ISO-8601 UTC: epoch seconds whole or fractional, dates, strings', () => {
    expect(toIsoTime('1700000000')).toBe('2023-11-14T22:13:20Z');
    // moto answers SQS timestamps with a fraction of a second; AWS with whole seconds.
    expect(toIsoTime('1700000000.699052')).toBe('2023-11-14T22:13:20Z');
    expect(toIsoTime(1700000000)).toBe('2023-11-14T22:13:20Z');
    expect(toIsoTime(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05Z');
    expect(toIsoTime('2024-01-02T03:04:05.000Z')).toBe('2024-01-02T03:04:05Z');
    expect(toIsoTime('not a time')).toBeNull();
    expect(toIsoTime(undefined)).toBeNull();
  });

  it('types numbers and booleans that AWS sends as strings', () => {
    expect(toInt('30')).toBe(30);
    expect(toInt('')).toBeNull();
    expect(toInt('x')).toBeNull();
    expect(toBool('true')).toBe(1);
    expect(toBool('FALSE')).toBe(0);
    expect(toBool(true)).toBe(1);
    expect(toBool('maybe')).toBeNull();
  });

  it('writes JSON with sorted keys, so equal documents compare equal across runs', () => {
    expect(toJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(jsonText('{"Version":"2012-10-17","Statement":[]}')).toBe('{"Statement":[],"Version":"2012-10-17"}');
    expect(jsonText('not json')).toBe('"not json"');
    expect(tagsJson([{ Key: 'team', Value: 'x' }, { Key: 'env', Value: 'prod' }])).toBe('{"env":"prod","team":"x"}');
    expect(tagsJson([])).toBe('{}');
  });
});
