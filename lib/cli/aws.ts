/**
 * The AWS side of the CLI: shared flags (`--region --profile --endpoint-url --account …`), the reactor built from
 * them with the caller's credentials, and AWS failures turned into one actionable line.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { type Command, Option } from 'commander';
import { ensureLedgerTable } from '../adapters/ledger-table';
import type { Mode } from '../core/apply';
import { type RunControl, toPausedReason } from '../core/control';
import { ConfigError } from '../core/errors';
import type { Emitter } from '../core/ports';
import type { ReactOptions } from '../core/react';
import { loadConfig } from '../runtime/config';
import { loadRunControl, toControlledOptions } from '../runtime/triggers';
import { createReactor, type Reactor } from '../runtime/wiring';
import { CliError } from './cli-error';
import type { CliIo } from './io';
import { parseNonNegativeInteger } from './options';
import { createProgress } from './progress';

/** Flags shared by every command that talks to AWS (or to an endpoint such as the sandbox). */
export interface AwsFlags {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly account?: string;
  readonly ledgerTable?: string;
  readonly eventBus?: string;
  readonly queue?: string[];
  readonly batchTps?: number;
}

/** Adds the shared AWS flags to a command. */
export function addAwsOptions(command: Command): Command {
  return command
    .option('--region <region>', 'AWS region (default: AWS_REGION, then the profile)')
    .option('--profile <name>', 'named profile from ~/.aws (default: the default credential chain)')
    .option(
      '--endpoint-url <url>',
      'send Batch, EventBridge, DynamoDB, SSM and Secrets Manager calls here (e.g. the sandbox)',
    )
    .option('--account <id>', 'account of the fleet, for bare parameter names (default: STS GetCallerIdentity)')
    .option(
      '--ledger-table <name>',
      'DynamoDB ledger table (default: REACTOR_LEDGER_TABLE, else rotation-reactor-ledger)',
    )
    .option('--event-bus <name>', 'bus for output events (default: REACTOR_EVENT_BUS, else default)')
    .option('--queue <name...>', 'only these job queues (default: REACTOR_QUEUES, else all)')
    .addOption(new Option('--batch-tps <n>', 'Batch calls per second at most').argParser(parseNonNegativeInteger));
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/;

/** True for an endpoint on this machine (the sandbox): it accepts any credentials. */
export function isLoopback(endpointUrl: string | undefined): boolean {
  return endpointUrl !== undefined && LOOPBACK.test(endpointUrl);
}

function credentialsFor(flags: AwsFlags) {
  if (isLoopback(flags.endpointUrl) && !process.env.AWS_ACCESS_KEY_ID && !flags.profile) {
    return async () => ({ accessKeyId: 'sandbox', secretAccessKey: 'sandbox' });
  }
  return fromNodeProviderChain({ profile: flags.profile });
}

async function resolveRegion(flags: AwsFlags): Promise<string> {
  if (flags.region) return flags.region;
  if (process.env.AWS_REGION) return process.env.AWS_REGION;
  if (process.env.AWS_DEFAULT_REGION) return process.env.AWS_DEFAULT_REGION;
  const fromProfile = await new STSClient({ profile: flags.profile }).config.region().catch(() => undefined);
  if (fromProfile) return fromProfile;
  throw new CliError('no AWS region: pass --region or set AWS_REGION');
}

async function resolveAccount(
  flags: AwsFlags,
  region: string,
  credentials: ReturnType<typeof credentialsFor>,
): Promise<string> {
  if (flags.account) return flags.account;
  if (process.env.REACTOR_ACCOUNT_ID) return process.env.REACTOR_ACCOUNT_ID;
  const sts = new STSClient({
    region,
    credentials,
    ...(flags.endpointUrl ? { endpoint: flags.endpointUrl } : {}),
    maxAttempts: 2,
  });
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account) return Account;
  } catch (error) {
    throw toCliError(error, flags, 'cannot determine the account (pass --account)');
  } finally {
    sts.destroy();
  }
  throw new CliError('cannot determine the account: pass --account');
}

/** The SDK's per-service variables (`AWS_ENDPOINT_URL_SSM`, …) win over `--endpoint-url` for their service. */
const ENDPOINT_VARIABLES = {
  batch: 'AWS_ENDPOINT_URL_BATCH',
  events: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
} as const;

function toEndpoints(endpointUrl: string | undefined) {
  if (!endpointUrl) return undefined;
  const services = Object.entries(ENDPOINT_VARIABLES).filter(([, variable]) => !process.env[variable]);
  return Object.fromEntries(services.map(([service]) => [service, endpointUrl]));
}

/** Output events are not sent in a CLI dry run: it changes nothing anywhere. */
const silentEmitter: Emitter = { emit: async () => ({ failed: [] }) };

/**
 * The reactor of a command that runs the pipeline (replay, sweep): progress on stderr, the sandbox's ledger table
 * created on first use, and with `dryRun` nothing written anywhere (no tags, jobs, ledger entries or output events).
 */
export async function createPipelineRun(flags: AwsFlags & { dryRun?: boolean; json?: boolean }, io: CliIo) {
  const progress = createProgress(io, flags.json);
  const reactor = await createCliReactor(flags, {
    mode: flags.dryRun ? 'dry-run' : undefined,
    ensureTable: 'on-loopback',
    onProgress: (step, done, total) => progress.update(step, done, total),
  });
  // The operators' control record applies to the CLI as to every Lambda path: paused refuses, dry-run and the cap hold.
  let control: RunControl;
  try {
    control = await loadRunControl(reactor);
  } catch (error) {
    progress.stop();
    reactor.destroy();
    throw toCliError(error, flags, 'reading the control record');
  }
  if (control.paused && !flags.dryRun) {
    progress.stop();
    reactor.destroy();
    throw new CliError(`${toPausedReason(control)}: run 'rotation-reactor resume', or preview with --dry-run`);
  }
  const dryRun = flags.dryRun === true || control.mode === 'dry-run';
  const deps = dryRun ? { ...reactor.deps, emitter: silentEmitter } : reactor.deps;
  const options = toControlledOptions(reactor, control, dryRun ? { mode: 'dry-run' } : {});
  return {
    reactor: { ...reactor, deps, options },
    progress,
    close: () => {
      progress.stop();
      reactor.destroy();
    },
  };
}

/** Builds the reactor for a CLI run from the flags, the environment and the caller's credentials. */
export async function createCliReactor(
  flags: AwsFlags,
  extras: {
    mode?: Mode;
    onProgress?: ReactOptions['onProgress'];
    /** Create the ledger table if missing: always (demo), or only against a loopback endpoint (the sandbox). */
    ensureTable?: boolean | 'on-loopback';
    env?: Record<string, string>;
    clock?: () => number;
  } = {},
): Promise<Reactor> {
  const region = await resolveRegion(flags);
  const credentials = credentialsFor(flags);
  const account = await resolveAccount(flags, region, credentials);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      ...process.env,
      ...extras.env,
      AWS_REGION: region,
      REACTOR_ACCOUNT_ID: account,
      REACTOR_LEDGER_TABLE: flags.ledgerTable ?? process.env.REACTOR_LEDGER_TABLE ?? 'rotation-reactor-ledger',
      ...(flags.eventBus ? { REACTOR_EVENT_BUS: flags.eventBus } : {}),
      ...(flags.queue ? { REACTOR_QUEUES: flags.queue.join(',') } : {}),
      ...(flags.batchTps !== undefined ? { REACTOR_BATCH_TPS: String(flags.batchTps) } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const reactor = createReactor(config, {
    credentials,
    endpoints: toEndpoints(flags.endpointUrl),
    mode: extras.mode,
    onProgress: extras.onProgress,
    clock: extras.clock,
  });
  // The local sandbox starts empty: commands that write create its ledger table. A real account has the deployed one.
  if (extras.ensureTable === true || (extras.ensureTable === 'on-loopback' && isLoopback(flags.endpointUrl))) {
    await ensureLedgerTable(reactor.clients.dynamodb, config.ledgerTable).catch((error) => {
      reactor.destroy();
      return Promise.reject(toCliError(error, flags));
    });
  }
  return reactor;
}

/** Turns an AWS or network failure into one actionable line (exit 2 for setup problems, 1 otherwise). */
export function toCliError(error: unknown, flags: AwsFlags, doing = 'AWS call failed'): CliError {
  if (error instanceof CliError) return error;
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const where = flags.endpointUrl ?? `AWS (${flags.region ?? process.env.AWS_REGION ?? 'default region'})`;
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return new CliError(
      `${doing}: no AWS credentials found; set AWS_PROFILE or pass --profile, or run 'aws configure'`,
    );
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? ''))
    return new CliError(`${doing}: cannot reach ${where}: connection refused (is the endpoint running?)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CliError(
      `${doing}: cannot resolve the endpoint for ${where}: check --region (is it a real AWS region?) or --endpoint-url`,
    );
  }
  if (
    [
      'UnrecognizedClientException',
      'InvalidSignatureException',
      'ExpiredTokenException',
      'InvalidClientTokenId',
      'ExpiredToken',
    ].includes(e.name ?? '')
  ) {
    return new CliError(`${doing}: AWS rejected the credentials (${e.name}): refresh them or pick another --profile`);
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied')
    return new CliError(`${doing}: access denied: ${e.message}`, 1);
  // DynamoDB says only "Requested resource not found" for a missing table.
  if (e.name === 'ResourceNotFoundException' && /table|Requested resource not found/i.test(e.message ?? '')) {
    return new CliError(
      `${doing}: the ledger table was not found: deploy the stack, or pass --ledger-table (${e.message})`,
    );
  }
  return new CliError(`${doing}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, 1);
}
