import type { BatchJob } from '../core/fleet';
import { createBatchState } from './batch-state';
import { type ClockMode, createClock } from './clock';
import { type LocalDynamoDb, startDynamoDb } from './dynamodb';
import { createFaultInjector, type Faults } from './faults';
import type { Lifecycle } from './job-record';
import { toJobDetail } from './job-view';
import { closeServer, listenOnLoopback } from './listen';
import { toValidFleet } from './load-fleet';
import type { SandboxFleet } from './metadata-snapshot';
import { createMetadataState } from './metadata-state';
import type { CapturedEvent } from './put-events';
import { createRequestLog, type RequestRecord } from './request-log';
import { createSandboxServer } from './sandbox-server';
import { failJob } from './stop-job';

/** How to start a sandbox; every field is optional. */
export interface SandboxOptions {
  /**
   * Queues, definitions and jobs to serve, and the metadata of parameters and secrets (default: an empty us-east-2
   * fleet in account 123456789012).
   */
  readonly fleet?: SandboxFleet;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** `real` (default) follows the wall clock; `manual` moves only on `advance`. */
  readonly clock?: ClockMode;
  /** Sandbox time at start (epoch ms; default: now). */
  readonly startTime?: number;
  /** Time a submitted job spends in SUBMITTED, RUNNABLE and STARTING (default 1000 ms each). */
  readonly lifecycle?: Partial<Lifecycle>;
  readonly faults?: Faults;
  /** Start dynalite alongside (default true). */
  readonly dynamodb?: boolean;
}

/** A running sandbox: its endpoints and the hooks tests use to steer and inspect it. */
export interface Sandbox {
  /** `http://127.0.0.1:PORT`, serving Batch, EventBridge, Parameter Store and Secrets Manager metadata, DynamoDB. */
  readonly endpoint: string;
  /** dynalite's own endpoint (DynamoDB calls sent to `endpoint` reach it too); undefined with `dynamodb: false`. */
  readonly dynamodbEndpoint: string | undefined;
  readonly region: string;
  readonly account: string;
  now(): number;
  advance(ms: number): void;
  setFaults(faults: Faults): void;
  requests(): readonly RequestRecord[];
  countsByOperation(): Record<string, number>;
  resetRequestLog(): void;
  events(): readonly CapturedEvent[];
  job(jobId: string): BatchJob | undefined;
  jobs(): BatchJob[];
  submissions(): readonly unknown[];
  /** Makes a started job fail on its own (its container exited non-zero), as opposed to being terminated. */
  failJob(jobId: string, reason?: string): void;
  stop(): Promise<void>;
}

const emptyFleet: SandboxFleet = {
  region: 'us-east-2',
  account: '123456789012',
  jobQueues: [],
  jobDefinitions: [],
  jobs: [],
};

/** Starts the local Batch + EventBridge + Parameter Store / Secrets Manager metadata emulation (and dynalite) on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const fleet = options.fleet ? toValidFleet(options.fleet, 'fleet') : emptyFleet;
  const clock = createClock(options.clock ?? 'real', options.startTime);
  const state = createBatchState(fleet, clock, toLifecycle(options.lifecycle));
  const metadata = createMetadataState(fleet.metadata, state.scope, clock);
  const faults = createFaultInjector(options.faults);
  const log = createRequestLog();
  const events: CapturedEvent[] = [];
  const dynamodb: LocalDynamoDb | undefined =
    options.dynamodb === false ? undefined : await startDynamoDb(() => clock.now());
  const server = createSandboxServer({ state, metadata, faults, log, events, dynamodb });
  let endpoint: string;
  try {
    endpoint = await listenOnLoopback(server, options.port ?? 0);
  } catch (error) {
    await dynamodb?.stop();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    dynamodbEndpoint: dynamodb?.endpoint,
    region: fleet.region,
    account: fleet.account,
    now: () => clock.now(),
    advance: (ms) => clock.advance(ms),
    setFaults: (next) => faults.set(next),
    requests: () => log.requests(),
    countsByOperation: () => log.countsByOperation(),
    resetRequestLog: () => log.reset(),
    events: () => [...events],
    job: (jobId) => {
      const record = state.jobs.get(jobId);
      return record && toJobDetail(state, record);
    },
    jobs: () => [...state.jobs.values()].map((record) => toJobDetail(state, record)),
    submissions: () => [...state.submissions],
    failJob: (jobId, reason) => failJob(state, jobId, reason),
    stop: () => {
      stopped ??= Promise.all([closeServer(server), dynamodb?.stop()]).then(() => undefined);
      return stopped;
    },
  };
}

function toLifecycle(lifecycle: Partial<Lifecycle> = {}): Lifecycle {
  const resolved = { submittedMs: 1000, runnableMs: 1000, startingMs: 1000, ...lifecycle };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`lifecycle.${key} must be a finite ms >= 0`);
  }
  return resolved;
}
