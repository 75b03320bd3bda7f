/** The `rotation-reactor` command line: one file per command, one place that turns errors into exit codes. */
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error';
import { registerControl } from './control';
import { registerDemo } from './demo';
import type { CliIo } from './io';
import { registerPlan } from './plan';
import { registerReplay } from './replay';
import { registerReport } from './report';
import { registerSandbox } from './sandbox';
import { registerSnapshot } from './snapshot';
import { registerSweep } from './sweep';

/** Builds the program with every command registered; commands report their exit code through `io.exit`. */
export function createProgram(io: CliIo): Command {
  const program = new Command('rotation-reactor')
    .description(
      'Finds AWS Batch jobs holding a stale Parameter Store / Secrets Manager value and flags or resubmits them.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride();
  registerPlan(program, io);
  registerReplay(program, io);
  registerReport(program, io);
  registerSnapshot(program, io);
  registerSweep(program, io);
  registerControl(program, io);
  registerSandbox(program, io);
  registerDemo(program, io);
  return program;
}

/** Runs the CLI; every failure ends as one line on stderr and an exit code, never a stack trace. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const withExit: CliIo = {
    ...io,
    exit: (c) => {
      code = Math.max(code, c);
    },
  };
  try {
    await createProgram(withExit).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) {
      io.err(`rotation-reactor: ${error.message}`);
      return error.exitCode;
    }
    io.err(`rotation-reactor: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    exit: () => {},
    interactive: process.stderr.isTTY === true,
  };
}

/** Entry point of bin/rotation-reactor.js. */
export function run(): void {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
