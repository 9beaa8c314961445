/**
 * How the CLI reports a failure: one line per problem on stderr (what, where, how to fix),
 * scrubbed of secrets; the stack only with --debug.
 */
import { InventoryError } from '../errors/inventoryError.js';
import { scrub } from '../log/redact.js';

export function formatError(error: unknown, debug: boolean): string {
  let text: string;
  if (error instanceof InventoryError) {
    text = error
      .describe()
      .split('\n')
      .map((line) => `error: ${line}`)
      .join('\n');
  } else {
    const message = error instanceof Error ? error.message : String(error);
    text = `internal error: ${message} This is a bug in aws-org-inventory; rerun with --debug and report the output.`;
  }
  if (debug && error instanceof Error && error.stack !== undefined) text += `\n${error.stack}`;
  return scrub(text);
}

export function printError(error: unknown, debug: boolean): void {
  process.stderr.write(`${formatError(error, debug)}\n`);
}
