/** `schema`: print the parameter file's JSON Schema, or (`--write`) regenerate it and the README's parameter and table references. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { configError } from '../../errors/inventoryError.js';
import { renderJsonSchema, SCHEMA_FILE } from '../../parameters/jsonSchema.js';
import { PARAMETERS_SECTION, renderParameterTable, replaceMarkedSection } from '../../parameters/parameterReference.js';
import type { GlobalArgs } from '../globalOptions.js';
import type { CommandResult } from '../commandResult.js';

interface SchemaArgs extends GlobalArgs {
  write: boolean;
  'schema-file': string;
  readme: string;
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
    describe: "print the parameter file's JSON Schema; --write regenerates parameters/schema.json and the README's parameter table",
    builder: (yargs: Argv) =>
      yargs
        .options({
          write: { type: 'boolean', default: false, describe: 'write the schema file and the README section instead of printing' },
          'schema-file': { type: 'string', default: SCHEMA_FILE, describe: 'where --write puts the JSON Schema' },
          readme: { type: 'string', default: 'README.md', describe: 'README whose parameter table --write regenerates' },
        })
        .example('$0 schema > schema.json', 'the JSON Schema, for an editor or a validator')
        .example('npm run schema', 'regenerate parameters/schema.json and the README table after changing src/parameters/schema.ts'),
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
      let updated: string;
      try {
        updated = withTableReference(replaceMarkedSection(readme, PARAMETERS_SECTION, renderParameterTable()));
      } catch (error) {
        throw configError('--readme', `${(error as Error).message.replace(/\.?$/, '.')}`, 'Add the two marker lines where the generated section belongs.');
      }
      const wrote = [writeIfChanged(argv['schema-file'], schema) ? argv['schema-file'] : null, writeIfChanged(argv.readme, updated) ? argv.readme : null].filter(
        (file): file is string => file !== null,
      );
      process.stderr.write(wrote.length === 0 ? 'schema: already up to date\n' : `schema: wrote ${wrote.join(', ')}\n`);
      result.exitCode = 0;
    },
  };
}
