/** A command-line problem: printed as one line, exit code 2, never a stack trace. */
export class CliError extends Error {
  override name = 'CliError' as const;
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
