#!/usr/bin/env node
/** The `aws-org-inventory` executable. */
import { runCli } from './cli.js';

// The AWS SDK warns on stderr, in eight lines of prose, that its 2027 releases will need Node 22.
// This tool supports Node 20, and stderr carries JSON log lines that a collector parses.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const outcome = await runCli(process.argv.slice(2));
process.exitCode = outcome.exitCode;
if (outcome.finished) {
  // An SDK keep-alive socket or a stray timer must not keep a finished run (and a scheduler) waiting.
  setImmediate(() => process.exit(outcome.exitCode));
}
