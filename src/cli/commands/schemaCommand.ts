/**
 * `schema`: print the parameter file's JSON Schema, or (`--write`) regenerate it, the README's
 * parameter and table references, and the parameter tables of the pages under docs/ beside the
 * README.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { configError } from '../../errors/inventoryError.js';
import { renderJsonSchema, SCHEMA_FILE } from '../../parameters/jsonSchema.js';
import { withParameterReference } from '../../parameters/parameterReference.js';
import type { GlobalArgs } from '../globalOptions.js';
import type { CommandResult } from '../commandResult.js';

interface SchemaArgs extends GlobalArgs {
  write: boolean;
  'schema-file': string;
  readme: string;
}

/** The Markdown pages of the docs/ directory beside `readme`, by path relative to the README's directory. */
export function docsPages(readme: string): Map<string, string> {
  const root = path.dirname(readme);
  const dir = path.join(root, 'docs');
  const pages = new Map<string, string>();
  if (!existsSync(dir)) return pages;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.md')) pages.set(`docs/${name}`, readFileSync(path.join(dir, name), 'utf8'));
  }
  return pages;
}

function writeIfChanged(file: string, content: string): boolean {
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = null;
  }
  if (current === content) return false;
  writeFileSync(file, content);
  return true;
}

export function schemaCommand(result: CommandResult): CommandModule {
  return {
    command: 'schema',
    describe: "print the parameter file's JSON Schema; --write regenerates parameters/schema.json and the README's parameter and table references",
    builder: (yargs: Argv) =>
      yargs
        .options({
          write: { type: 'boolean', default: false, describe: 'write the schema file and the generated documentation instead of printing' },
          'schema-file': { type: 'string', default: SCHEMA_FILE, describe: 'where --write puts the JSON Schema' },
          readme: { type: 'string', default: 'README.md', describe: 'README whose references --write regenerates (and the docs/ pages beside it)' },
        })
        .example('$0 schema > schema.json', 'the JSON Schema, for an editor or a validator')
        .example('npm run schema', 'regenerate parameters/schema.json and the generated tables of README.md and docs/ after changing the schema or a table'),
    handler: async (args) => {
      const argv = args as unknown as SchemaArgs;
      const schema = renderJsonSchema();
      if (!argv.write) {
        process.stdout.write(schema);
        result.exitCode = 0;
        return;
      }
      let readme: string;
      try {
        readme = readFileSync(argv.readme, 'utf8');
      } catch {
        throw configError('--readme', `${argv.readme} cannot be read.`, 'Run from the repository root, or pass --readme PATH.');
      }
      // The table declarations pull in the AWS SDK: only this branch needs them.
      const { withTableReference } = await import('../../tables/reference.js');
      let updated: { readme: string; pages: Map<string, string> };
      try {
        const withParameters = withParameterReference(readme, docsPages(argv.readme));
        updated = { ...withParameters, readme: withTableReference(withParameters.readme) };
      } catch (error) {
        throw configError('--readme', `${(error as Error).message.replace(/\.?$/, '.')}`, 'Add the two marker lines where the generated section belongs.');
      }
      const candidates: Array<[string, string]> = [
        [argv['schema-file'], schema],
        [argv.readme, updated.readme],
        ...[...updated.pages].map(([page, text]): [string, string] => [path.join(path.dirname(argv.readme), page), text]),
      ];
      const wrote = candidates.filter(([file, content]) => writeIfChanged(file, content)).map(([file]) => file);
      process.stderr.write(wrote.length === 0 ? 'schema: already up to date\n' : `schema: wrote ${wrote.join(', ')}\n`);
      result.exitCode = 0;
    },
  };
}
