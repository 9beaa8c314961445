import { describe, expect, it } from 'vitest';
import { locateJsonError } from '../../src/parameters/locateJsonError.js';

describe('locateJsonError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', ' [1, -2.5e3, "a\\n\\u00e9", true, false, null, {"a": []}] ', '"x"']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(locateJsonError(text)).toBeNull();
    }
  });

  it.each([
    ['{"a": 1,\n}', 2, 1, 'trailing comma before "}"'],
    ['{\n  "a" 1\n}', 2, 7, 'expected ":" after the property name'],
    ["{'a': 1}", 1, 2, 'expected a property name in double quotes'],
    ['{"a": 1} x', 1, 10, 'unexpected text after the end of the JSON value'],
    ['{"a": [1, 2}', 1, 12, 'expected "," or "]" after an array element'],
    ['{"a": "line\nbreak"}', 1, 12, 'a string contains a raw control character (write a line break as \\n)'],
    ['{"a": tru}', 1, 7, 'expected a value'],
    ['{"a": 1', 1, 8, 'the text ends inside an object (missing "}")'],
    ['', 1, 1, 'the text ends where a value was expected'],
    ['{"a": "C:\\path"}', 1, 10, 'bad escape in a string (a backslash must be written \\\\)'],
  ])('locates the error in %j', (text, line, column, problem) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual({ line, column, problem });
  });
});
