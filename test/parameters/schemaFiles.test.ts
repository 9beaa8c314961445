/**
 * The committed JSON Schema, the README's parameter table and the parameter tables of the pages
 * under docs/ are generated from src/parameters/schema.ts; these tests fail when one is stale.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema, SCHEMA_FILE } from '../../src/parameters/jsonSchema.js';
import { docsPages } from '../../src/cli/commands/schemaCommand.js';
import {
  blockSection,
  PARAMETERS_SECTION,
  readMarkedSection,
  renderParameterTable,
  replaceMarkedSection,
  withParameterReference,
} from '../../src/parameters/parameterReference.js';
import { parametersSchema } from '../../src/parameters/schema.js';

const REGENERATE = 'is stale: run `npm run schema` and commit the result';

describe('generated parameter documentation', () => {
  it(`${SCHEMA_FILE} matches src/parameters/schema.ts`, () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === renderJsonSchema(), `${SCHEMA_FILE} ${REGENERATE}`).toBe(true);
  });

  it("the parameter tables of README.md and docs/ match src/parameters/schema.ts", () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readMarkedSection(readme, PARAMETERS_SECTION), 'README.md has no <!-- parameters:start --> / <!-- parameters:end --> markers').not.toBeNull();
    const pages = docsPages('README.md');
    const expected = withParameterReference(readme, pages);
    expect(readme === expected.readme, `the parameter table in README.md ${REGENERATE}`).toBe(true);
    for (const [page, text] of pages) expect(text === expected.pages.get(page), `a parameter table in ${page} ${REGENERATE}`).toBe(true);
  });

  it("moves a block's fields to the page that has its marker, and links the README's row there", () => {
    const readme = '# x\n<!-- parameters:start -->\n<!-- parameters:end -->\n';
    const page = `# Roles Anywhere\n<!-- ${blockSection('roles_anywhere')}:start -->\n<!-- ${blockSection('roles_anywhere')}:end -->\n`;
    const { readme: table, pages } = withParameterReference(readme, new Map([['docs/ra.md', page]]));
    expect(table).not.toContain('`roles_anywhere.role_arn`');
    expect(table).toMatch(/\| `roles_anywhere` \|[^\n]*its fields: \[docs\/ra\.md\]\(docs\/ra\.md\) \|/);
    expect(table).toContain('`publish.sqs_queue_url`');
    expect(pages.get('docs/ra.md')).toContain('| `roles_anywhere.role_arn` |');
    expect(pages.get('docs/ra.md')).not.toContain('`publish.');
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
