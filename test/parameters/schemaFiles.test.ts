/**
 * The committed JSON Schema and the README's parameter table are generated from
 * src/parameters/schema.ts; these tests fail when either is stale.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema, SCHEMA_FILE } from '../../src/parameters/jsonSchema.js';
import { PARAMETERS_SECTION, readMarkedSection, renderParameterTable, replaceMarkedSection } from '../../src/parameters/parameterReference.js';
import { parametersSchema } from '../../src/parameters/schema.js';

const REGENERATE = 'is stale: run `npm run schema` and commit the result';

describe('generated parameter documentation', () => {
  it(`${SCHEMA_FILE} matches src/parameters/schema.ts`, () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === renderJsonSchema(), `${SCHEMA_FILE} ${REGENERATE}`).toBe(true);
  });

  it("the README's parameter table matches src/parameters/schema.ts", () => {
    const section = readMarkedSection(readFileSync('README.md', 'utf8'), PARAMETERS_SECTION);
    expect(section, 'README.md has no <!-- parameters:start --> / <!-- parameters:end --> markers').not.toBeNull();
    expect(section === renderParameterTable(), `the parameter table in README.md ${REGENERATE}`).toBe(true);
  });

  it('documents every parameter, with a description', () => {
    const table = renderParameterTable();
    for (const name of Object.keys(parametersSchema.shape)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).not.toMatch(/\| {2}\|\n/);
  });

  it('replaces only the text between the markers', () => {
    const doc = 'intro\n<!-- parameters:start -->\nold\n<!-- parameters:end -->\noutro\n';
    expect(replaceMarkedSection(doc, PARAMETERS_SECTION, 'new\n')).toBe('intro\n<!-- parameters:start -->\nnew\n<!-- parameters:end -->\noutro\n');
    expect(() => replaceMarkedSection('no markers', PARAMETERS_SECTION, 'x')).toThrow(/markers/);
  });
});
