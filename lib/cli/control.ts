/**
 * `rotation-reactor pause | resume | status`: the operators' control record, read by every invocation, so stopping
 * the reactor (or putting it in dry-run, or changing the blast-radius cap) needs no redeploy.
 */
import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import { type RunControl, toPausedReason, toRunControl } from '../core/control';
import type { ControlRecord } from '../core/ports';
import type { Reactor } from '../runtime/wiring';
import { type AwsFlags, addAwsOptions, createCliReactor, toCliError } from './aws';
import type { CliIo } from './io';
import { parseNonNegativeInteger } from './options';

type ControlFlags = AwsFlags & {
  reason?: string;
  by?: string;
  json?: boolean;
  dryRun?: boolean;
  apply?: boolean;
  maxResubmitsPerChange?: number;
  defaultCap?: boolean;
};

/** What `status` prints (and every control command prints after writing). */
export function toControlDocument(control: RunControl) {
  const record = control.record;
  return {
    paused: control.paused,
    mode: control.mode,
    maxResubmitsPerChange: control.maxResubmitsPerChange,
    ...(record
      ? {
          record: {
            ...record,
            updatedAt: new Date(record.updatedAt).toISOString(),
          },
        }
      : { record: null }),
  };
}

/** The readable status. */
export function toControlText(control: RunControl): string {
  const lines = [
    control.paused ? `PAUSED — ${toPausedReason(control)}` : 'running',
    `mode: ${control.mode === 'dry-run' ? 'dry-run (nothing is changed)' : 'apply'}`,
    `blast-radius cap: ${control.maxResubmitsPerChange} job(s) resubmitted per change`,
  ];
  const record = control.record;
  if (record) {
    const why = record.reason ? ` (${record.reason})` : '';
    lines.push(`last set by ${record.updatedBy} at ${new Date(record.updatedAt).toISOString()}${why}`);
  } else lines.push('no control record: the deployment defaults apply');
  return lines.join('\n');
}

async function withReactor<T>(flags: AwsFlags, run: (reactor: Reactor) => Promise<T>): Promise<T> {
  const reactor = await createCliReactor(flags, { ensureTable: 'on-loopback' });
  try {
    return await run(reactor).catch((error) => Promise.reject(toCliError(error, flags, 'control record')));
  } finally {
    reactor.destroy();
  }
}

function currentControl(reactor: Reactor, record: ControlRecord | undefined): RunControl {
  const { config } = reactor;
  return toRunControl(
    { paused: config.paused, mode: config.mode, maxResubmitsPerChange: config.maxResubmitsPerChange },
    record,
  );
}

function print(io: CliIo, control: RunControl, json: boolean | undefined): void {
  io.out(json ? JSON.stringify(toControlDocument(control), null, 2) : toControlText(control));
}

const who = (flags: ControlFlags) => flags.by ?? process.env.USER ?? userInfo().username;

/** Registers `pause`, `resume` and `status` on the program. */
export function registerControl(program: Command, io: CliIo): void {
  addAwsOptions(
    program
      .command('pause')
      .description(
        'Stop every path acting now (changes wait in the queue, job failures go to their DLQ after Lambda retries); no redeploy',
      )
      .requiredOption('--reason <text>', 'why (recorded with who and when)')
      .option('--by <name>', 'who pauses (default: your user name)')
      .option('--json', 'print one JSON document'),
  ).action(async (flags: ControlFlags) => {
    await withReactor(flags, async (reactor) => {
      const record = await reactor.deps.control.write({ paused: true }, { who: who(flags), why: flags.reason });
      print(io, currentControl(reactor, record), flags.json);
    });
  });

  addAwsOptions(
    program
      .command('resume')
      .description('Act again; optionally change the mode or the blast-radius cap at the same time')
      .option('--reason <text>', 'why (recorded with who and when)')
      .option('--by <name>', 'who resumes (default: your user name)')
      .option('--dry-run', 'resume in dry-run: plan and report, change nothing')
      .option('--apply', 'resume applying actions (clears a dry-run set here)')
      .addOption(
        new Option('--max-resubmits-per-change <n>', 'raise or lower the blast-radius cap').argParser(
          parseNonNegativeInteger,
        ),
      )
      .option('--default-cap', "go back to the deployment's cap")
      .option('--json', 'print one JSON document'),
  ).action(async (flags: ControlFlags) => {
    await withReactor(flags, async (reactor) => {
      const record = await reactor.deps.control.write(
        {
          paused: false,
          ...(flags.dryRun ? { dryRun: true } : flags.apply ? { dryRun: false } : {}),
          ...(flags.maxResubmitsPerChange !== undefined
            ? { maxResubmitsPerChange: flags.maxResubmitsPerChange }
            : flags.defaultCap
              ? { maxResubmitsPerChange: null }
              : {}),
        },
        { who: who(flags), why: flags.reason },
      );
      print(io, currentControl(reactor, record), flags.json);
    });
  });

  addAwsOptions(
    program
      .command('status')
      .description('What the reactor runs with now: paused or not, dry-run or not, the cap, and who set them')
      .option('--json', 'print one JSON document'),
  ).action(async (flags: ControlFlags) => {
    await withReactor(flags, async (reactor) =>
      print(io, currentControl(reactor, await reactor.deps.control.read()), flags.json),
    );
  });
}
