#!/usr/bin/env node
/** The `aws-org-inventory` executable. */
import { runCli } from './cli.js';

const outcome = await runCli(process.argv.slice(2));
process.exitCode = outcome.exitCode;
if (outcome.finished) {
  // An SDK keep-alive socket or a stray timer must not keep a finished run (and a scheduler) waiting.
  setImmediate(() => process.exit(outcome.exitCode));
}
