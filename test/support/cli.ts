import type { CliIo } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';

/** Runs the CLI in-process with captured output; returns the exit code, stdout and stderr. */
export async function runCli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), exit: () => {}, interactive: false };
  const code = await main(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
