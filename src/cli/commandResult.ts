/** What a command hands back to the CLI besides its output: the exit code. */
export interface CommandResult {
  exitCode: number;
  /** The command whose handler ran, if any. */
  command?: string;
}
