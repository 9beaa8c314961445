/** What a command hands back to the CLI besides its output: the exit code. */
export interface CommandResult {
  exitCode: number;
}
