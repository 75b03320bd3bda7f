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

/** The flags that point a command at a sandbox (region us-east-2, account 123456789012), plus `extra`. */
export function sandboxFlags(endpoint: string, ...extra: string[]): string[] {
  return ['--endpoint-url', endpoint, '--region', 'us-east-2', '--account', '123456789012', ...extra];
}
