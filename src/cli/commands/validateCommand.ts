/** `validate`: check a parameter file and print the effective configuration, secrets masked. */
import type { Argv, CommandModule } from 'yargs';
import { scrub } from '../../log/redact.js';
import { checkOutputDir } from '../../parameters/checkOutputDir.js';
import { maskParameters } from '../../parameters/maskParameters.js';
import { parametersFromArgs } from '../globalOptions.js';
import type { GlobalArgs } from '../globalOptions.js';
import { parameterFlagOptions } from '../parameterFlags.js';
import type { CommandResult } from '../commandResult.js';

export function validateCommand(result: CommandResult): CommandModule {
  return {
    command: 'validate',
    describe: 'check a parameter file and print the effective configuration (secrets masked); writes nothing',
    builder: (yargs: Argv) =>
      yargs
        .options(parameterFlagOptions())
        .example('$0 validate --params parameters/example.json', 'print the effective configuration')
        .example('$0 validate -p prod.json --regions all', 'see what a flag changes'),
    handler: (args) => {
      const argv = args as unknown as GlobalArgs;
      const params = parametersFromArgs(argv);
      checkOutputDir(params.output_dir, { create: false });
      process.stdout.write(`${scrub(JSON.stringify(maskParameters(params), null, 2))}\n`);
      result.exitCode = 0;
    },
  };
}
