import { execFile } from 'node:child_process';
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

/** How to run the installed binary: Node flags before the script, extra environment, a time limit. */
export interface BinaryOptions {
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Runs `node bin/rotation-reactor.js …` in a child process, as an operator would; resolves whatever it exits with. */
export function runBinary(args: readonly string[], options: BinaryOptions = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      'node',
      [...(options.nodeFlags ?? []), 'bin/rotation-reactor.js', ...args],
      {
        env: { ...process.env, ...options.env },
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 240_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (error && typeof code !== 'number') reject(error);
        else resolve({ code: code as number, stdout, stderr });
      },
    );
  });
}
