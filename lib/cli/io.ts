/** Where commands write, and how they report a non-zero exit without touching the process (testable in-process). */
export interface CliIo {
  /** One result line or document on stdout. */
  out(text: string): void;
  /** Progress and problems on stderr. */
  err(text: string): void;
  /** Raises the exit code of the run (the highest wins). */
  exit(code: number): void;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  readonly interactive: boolean;
}
