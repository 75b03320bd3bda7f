import { readFileSync } from 'node:fs';
import { BatchClient } from '@aws-sdk/client-batch';
import type { RetryStrategyV2, RetryToken } from '@smithy/types';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { applyLimiter, createLimiter } from '../../lib/adapters/rate-limit';
import { parseLineageTag, REPLACES_TAG } from '../../lib/core/keys';
import type { Emitter, JobActions, Ledger } from '../../lib/core/ports';
import type { Config } from '../../lib/runtime/config';
import { createReactor, type Reactor } from '../../lib/runtime/wiring';
import type { Sandbox } from '../../lib/sandbox';

/** Every Batch operation the reactor calls: the fault suite throttles and breaks these only. */
export const BATCH_OPERATIONS = [
  'DescribeJobQueues',
  'ListJobs',
  'DescribeJobDefinitions',
  'DescribeJobs',
  'TagResource',
  'SubmitJob',
  'TerminateJob',
] as const;

const REGION = 'us-east-2';
const ACCOUNT = '123456789012';

const serverless = readFileSync('serverless.yml', 'utf8');
const shipped = (pattern: RegExp) => Number(pattern.exec(serverless)?.[1]);

/** The shipped timings (serverless.yml) that decide when SQS redelivers a change and when a claim may be resumed. */
export const SHIPPED = {
  leaseSeconds: shipped(/leaseSeconds: '(\d+)'/),
  visibilityTimeoutSeconds: shipped(/VisibilityTimeout: (\d+)/),
  changeBatchTimeoutSeconds: shipped(/onChangeBatch:[\s\S]*?timeout: (\d+)/),
  /** SQS records per onChangeBatch invocation, at most. */
  changeBatchSize: shipped(/changeBatchSize: (\d+)/),
  /** SQS allows a batching window of up to 300 s; the visibility timeout runs during it. */
  maxBatchingWindowSeconds: 300,
  /** How long SQS gathers a batch before invoking onChangeBatch. */
  changeBatchingWindowSeconds: shipped(/changeBatchingWindowSeconds: (\d+)/),
  staleMarginSeconds: shipped(/staleMarginSeconds: '(\d+)'/),
  maxResubmitsPerChange: shipped(/maxResubmitsPerChange: '(\d+)'/),
  maxFutureSkewSeconds: shipped(/maxFutureSkewSeconds: '(\d+)'/),
  sweepMinutes: shipped(/sweepRate: rate\((\d+) minutes\)/),
} as const;

/** The REACTOR_* variables of the shipped deployment's timings and limits (serverless.yml defaults). */
export const SHIPPED_ENV: Readonly<Record<string, string>> = {
  REACTOR_STALE_MARGIN_SECONDS: String(SHIPPED.staleMarginSeconds),
  REACTOR_LEASE_SECONDS: String(SHIPPED.leaseSeconds),
  REACTOR_MAX_RESUBMITS_PER_CHANGE: String(SHIPPED.maxResubmitsPerChange),
  REACTOR_MAX_FUTURE_SKEW_SECONDS: String(SHIPPED.maxFutureSkewSeconds),
};

/** A sample event from events/, parsed. */
export const sampleEvent = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`events/${path}`, 'utf8'));

/** An SQS record as the Lambda event source mapping delivers it; `sentAt` is when EventBridge sent it (SQS's clock). */
export const toSqsRecord = (messageId: string, body: string, sentAt = 0): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(sentAt),
    SenderId: 'AIDAEVENTBRIDGE',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: 'not-checked',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:rotation-reactor-changes`,
  awsRegion: REGION,
});

/** Splits records into SQS-sized batches. */
export const toBatches = <T>(items: readonly T[], size = 10): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/** A Parameter Store Change (Update) event for `name`, shaped like events/ssm/parameter-store-change.update.json. */
export function aParameterUpdate(name: string, time: number, id: string): Record<string, unknown> {
  const event = sampleEvent('ssm/parameter-store-change.update.json');
  return {
    ...event,
    id,
    time: new Date(time).toISOString(),
    resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`],
    detail: { ...(event.detail as object), name },
  };
}

/** A Secret Label Updated (AWSCURRENT) event for a complete secret id `name-AbCdEf`. */
export function aSecretRotation(secretId: string, time: number, id: string): Record<string, unknown> {
  const event = sampleEvent('secretsmanager/secret-label-updated.awscurrent.json');
  return {
    ...event,
    id,
    time: new Date(time).toISOString(),
    resources: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretId}`],
    detail: { ...(event.detail as object), name: secretId.slice(0, -7) },
  };
}

/**
 * Another "Lambda container" on the same sandbox and ledger table: its own SDK clients, token bucket and
 * definition cache, as a concurrent invocation in AWS would have.
 */
export function attachReactor(sandbox: Sandbox, config: Config): Reactor {
  return createReactor(config, {
    credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
    endpoints: { batch: sandbox.endpoint, events: sandbox.endpoint, dynamodb: sandbox.dynamodbEndpoint },
    clock: () => sandbox.now(),
    localClocks: { monotonic: () => sandbox.now(), wall: () => sandbox.now() },
  });
}

type Triggers = typeof import('../../lib/runtime/triggers');

/**
 * A fresh copy of lib/runtime/triggers, as another Lambda container would load it. `processChangeBatch` keeps one
 * Powertools BatchProcessor per module (Lambda runs one invocation per container at a time), so concurrent calls
 * in one process must each use their own copy.
 */
export function loadContainerTriggers(): Triggers {
  let loaded: Triggers | undefined;
  jest.isolateModules(() => {
    loaded = require('../../lib/runtime/triggers') as Triggers;
  });
  if (!loaded) throw new Error('lib/runtime/triggers did not load');
  return loaded;
}

const aRetryToken = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 1 });

/**
 * The SDK's retry decisions (throttling and transient errors, up to `maxAttempts` attempts) without its backoff
 * delays (500 ms base for throttling) nor adaptive client-side rate limiting: the sandbox throttles at random, not
 * by rate, so waiting longer cannot help there and only stretches the test.
 */
export function createPromptRetries(maxAttempts: number): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => aRetryToken(0),
    refreshRetryTokenForRetry: async (token, info) => {
      const retries = token.getRetryCount() + 1;
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      if (!retryable || retries >= maxAttempts) throw new Error('No retry token available');
      return aRetryToken(retries);
    },
    recordSuccess: () => undefined,
  };
}

/**
 * The same reactor with its Batch reader and writer on a client that retries promptly (see
 * {@link createPromptRetries}); the token bucket, adapters, ledger and emitter are the production ones.
 */
export function withPromptBatchRetries(
  reactor: Reactor,
  sandbox: Sandbox,
  maxAttempts: number,
): { reactor: Reactor; destroy: () => void } {
  const client = applyLimiter(
    new BatchClient({
      region: reactor.config.region,
      endpoint: sandbox.endpoint,
      credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
      maxAttempts,
      retryStrategy: createPromptRetries(maxAttempts),
    }),
    createLimiter(reactor.config.batchTps),
  );
  const prompt = createReactor(reactor.config, {
    clients: { ...reactor.clients, batch: client },
    clock: reactor.deps.clock,
    localClocks: { monotonic: reactor.deps.clock, wall: reactor.deps.clock },
    mode: reactor.options.mode,
  });
  return { reactor: prompt, destroy: () => client.destroy() };
}

/**
 * Makes the first `operation` call reach the sandbox (Batch acts) and then lose its response, as a connection reset
 * after the request was accepted would. The SDK sees a transient network error, exactly as in AWS.
 */
export function loseFirstResponse(client: BatchClient, operation: string): void {
  let lost = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!lost && context.commandName === `${operation}Command`) {
        lost = true;
        throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
      }
      return result;
    },
    { step: 'deserialize', name: 'faultSuiteLoseFirstResponse', priority: 'low' },
  );
}

/** Releases the clients of a reactor made by {@link attachReactor}. */
export function detachReactor(reactor: Reactor): void {
  reactor.destroy();
}

/** What a Lambda crash looks like to the test: the process is gone, nothing after it runs. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash' as const;
}

/** Where to crash: after SubmitJob, before TerminateJob; or after TerminateJob, before the ledger records the resubmission. */
export type CrashPoint = 'terminate' | 'complete';

/**
 * The reactor's ports, crashing once at `at`. From the crash on, every port of that "process" throws too
 * (ledger.fail included), so the claim stays `claimed` exactly as a Lambda timeout or OOM would leave it.
 */
export function crashingDeps(reactor: Reactor, at: CrashPoint): { reactor: Reactor; crashed: () => boolean } {
  let crashed = false;
  const dead = () => {
    throw new SimulatedCrash('the Lambda process died');
  };
  const actions: JobActions = {
    flag: (job, reaction) => (crashed ? dead() : reactor.deps.actions.flag(job, reaction)),
    submitReplacement: (job, resubmission) =>
      crashed ? dead() : reactor.deps.actions.submitReplacement(job, resubmission),
    terminate: async (jobId, reason) => {
      if (crashed || at === 'terminate') {
        crashed = true;
        dead();
      }
      await reactor.deps.actions.terminate(jobId, reason);
    },
  };
  const ledger: Ledger = {
    ...reactor.deps.ledger,
    claim: (entry) => (crashed ? dead() : reactor.deps.ledger.claim(entry)),
    renew: (ticket) => (crashed ? dead() : reactor.deps.ledger.renew(ticket)),
    reserve: (...args) => (crashed ? dead() : reactor.deps.ledger.reserve(...args)),
    complete: async (ticket, outcome) => {
      if (crashed || (at === 'complete' && ticket.slot === 'resubmit')) {
        crashed = true;
        dead();
      }
      await reactor.deps.ledger.complete(ticket, outcome);
    },
    fail: (ticket, error, options) => (crashed ? dead() : reactor.deps.ledger.fail(ticket, error, options)),
  };
  const emitter: Emitter = { emit: (events) => (crashed ? dead() : reactor.deps.emitter.emit(events)) };
  return { reactor: { ...reactor, deps: { ...reactor.deps, actions, ledger, emitter } }, crashed: () => crashed };
}

/** One SQS delivery round: how many records went out, which come back (failed or in a batch that threw). */
export interface Round {
  readonly delivered: number;
  readonly failed: readonly string[];
  readonly threw: boolean;
}

/**
 * Delivers records as SQS would: in batches of 10; a record reported in `batchItemFailures` is redelivered in a
 * later round, and so is every record of a batch whose invocation threw. Stops when nothing is left or after
 * `maxRounds`; returns the rounds and what is still undelivered.
 */
export async function deliverUntilSettled(
  records: readonly SQSRecord[],
  handle: (batch: SQSRecord[]) => Promise<SQSBatchResponse>,
  maxRounds: number,
): Promise<{ rounds: Round[]; pending: SQSRecord[] }> {
  const rounds: Round[] = [];
  let pending = [...records];
  while (pending.length > 0 && rounds.length < maxRounds) {
    const next: SQSRecord[] = [];
    let threw = false;
    for (const batch of toBatches(pending)) {
      try {
        const response = await handle(batch);
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        next.push(...batch.filter((r) => failed.has(r.messageId)));
      } catch {
        threw = true;
        next.push(...batch);
      }
    }
    rounds.push({ delivered: pending.length, failed: next.map((r) => r.messageId), threw });
    pending = next;
  }
  return { rounds, pending };
}

/** Figures from the sandbox's request log: attempts (HTTP requests), retries (requests that failed and were retried). */
export function toRequestFigures(sandbox: Sandbox): {
  attempts: number;
  retries: number;
  throttled: number;
  serverErrors: number;
} {
  const requests = sandbox.requests().filter((r) => (BATCH_OPERATIONS as readonly string[]).includes(r.operation));
  const throttled = requests.filter((r) => r.outcome === 'throttled').length;
  const serverErrors = requests.filter((r) => r.outcome === 'server-error').length;
  return { attempts: requests.length, retries: throttled + serverErrors, throttled, serverErrors };
}

/** The job a replacement replaces, from its lineage tag (`<jobId>@<time it answers>`). */
export function replacedBy(tags: Readonly<Record<string, string>> | undefined): string | undefined {
  return parseLineageTag(tags?.[REPLACES_TAG])?.replaces;
}

/** How many SubmitJob calls reached each stale job (from the lineage tag of every submission). */
export function submissionsPerJob(sandbox: Sandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const submission of sandbox.submissions() as { tags?: Record<string, string> }[]) {
    const replaced = replacedBy(submission.tags);
    if (replaced !== undefined) counts.set(replaced, (counts.get(replaced) ?? 0) + 1);
  }
  return counts;
}

/** Prints one line a reader can compare across runs (jest would swallow console.log into its own frame). */
export function printFigure(test: string, figures: Record<string, number | string>): void {
  const line = Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  process.stdout.write(`[fault] ${test}: ${line}\n`);
}
