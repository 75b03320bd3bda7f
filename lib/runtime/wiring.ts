/**
 * The composition root: SDK clients (once per container or CLI run), adapters, and the reactor's ports and options.
 * Lambda, the CLI, the benchmark and the tests all build their reactor here (tests pass overrides).
 */
import { BatchClient } from '@aws-sdk/client-batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createBatchReader, type DefinitionCache } from '../adapters/batch-reader';
import { createBatchWriter } from '../adapters/batch-writer';
import { createControlStore } from '../adapters/control';
import { createEmitter } from '../adapters/emitter';
import { createLedger } from '../adapters/ledger';
import type { LocalClocks } from '../adapters/ledger-clock';
import { createMetadataSource } from '../adapters/metadata';
import { applyLimiter, createLimiter } from '../adapters/rate-limit';
import type { Mode } from '../core/apply';
import type { ProgressListener } from '../core/discover';
import type { Clock, ControlStore, Log } from '../core/ports';
import type { ReactOptions } from '../core/react';
import type { SweepDeps } from '../core/sweep';
import type { Config } from './config';
import { logger } from './observability';

/** Every AWS client the reactor uses. */
export interface Clients {
  readonly batch: BatchClient;
  readonly events: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
}

/** The services whose endpoint can be overridden (the local sandbox, moto). */
export type Service = 'batch' | 'events' | 'dynamodb' | 'ssm' | 'secretsmanager';

/** Where and as whom the clients talk, and what a caller (a test, the benchmark, the CLI) overrides. */
export interface ReactorSetup {
  readonly endpoints?: Partial<Record<Service, string>>;
  readonly credentials?: AwsCredentialIdentityProvider;
  /** SDK attempts per call (adaptive retry); throttling by Batch is retried with backoff. */
  readonly maxAttempts?: number;
  /** Wraps each client (X-Ray capture in Lambda). */
  readonly capture?: <T>(client: T) => T;
  /** Clients built by the caller instead (e.g. a Batch client with test retry timings); adapters use them. */
  readonly clients?: Partial<Clients>;
  /** The caller's wall clock (default Date.now). */
  readonly clock?: Clock;
  /** The process's monotonic and wall clocks the ledger measures elapsed time with (tests move them). */
  readonly localClocks?: LocalClocks;
  readonly definitionCache?: DefinitionCache;
  readonly mode?: Mode;
  readonly onProgress?: ProgressListener;
  /** Where the core reports what it does not throw (default: the Powertools logger). */
  readonly log?: Log;
}

/** The ports of every use case, plus the operators' control record. */
export type ReactorDeps = SweepDeps & { readonly control: ControlStore; readonly log: Log };

/** Everything an entry point needs: configuration, clients, the ports of the use cases, and the run options. */
export interface Reactor {
  readonly config: Config;
  readonly clients: Clients;
  readonly deps: ReactorDeps;
  readonly options: ReactOptions;
  /** Releases the clients' sockets. */
  destroy(): void;
}

/** Builds the clients; the Batch client carries the process-wide token bucket and adaptive retries. */
export function createClients(config: Pick<Config, 'region' | 'batchTps'>, setup: ReactorSetup = {}): Clients {
  const base = { region: config.region, credentials: setup.credentials, maxAttempts: setup.maxAttempts ?? 8 };
  const capture = setup.capture ?? (<T>(client: T) => client);
  const endpoint = (service: Service) => (setup.endpoints?.[service] ? { endpoint: setup.endpoints[service] } : {});
  const given = setup.clients ?? {};
  const batch =
    given.batch ??
    capture(
      applyLimiter(
        new BatchClient({ ...base, retryMode: 'adaptive', ...endpoint('batch') }),
        createLimiter(config.batchTps),
      ),
    );
  const dynamodb = given.dynamodb ?? capture(new DynamoDBClient({ ...base, ...endpoint('dynamodb') }));
  return {
    batch,
    events: given.events ?? capture(new EventBridgeClient({ ...base, ...endpoint('events') })),
    dynamodb,
    documents:
      given.documents ?? DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    ssm: given.ssm ?? capture(new SSMClient({ ...base, ...endpoint('ssm') })),
    secrets: given.secrets ?? capture(new SecretsManagerClient({ ...base, ...endpoint('secretsmanager') })),
  };
}

/** The reactor: clients, adapters over them, and the options of a run, from configuration. */
export function createReactor(config: Config, setup: ReactorSetup = {}): Reactor {
  const clients = createClients(config, setup);
  const clock = setup.clock ?? Date.now;
  const home = { partition: config.partition, region: config.region, account: config.account };
  return {
    config,
    clients,
    deps: {
      jobs: createBatchReader(clients.batch, { queues: config.queues, definitionCache: setup.definitionCache }),
      actions: createBatchWriter(clients.batch),
      ledger: createLedger(clients.documents, {
        tableName: config.ledgerTable,
        leaseMs: config.leaseMs,
        ttlDays: config.ledgerTtlDays,
        clock,
        localClocks: setup.localClocks,
      }),
      emitter: createEmitter(clients.events, { eventBusName: config.eventBus, clock }),
      metadata: createMetadataSource(clients, home),
      control: createControlStore(clients.documents, { tableName: config.ledgerTable, clock }),
      log: setup.log ?? { warn: (message, fields) => logger.warn(message, fields ?? {}) },
      clock,
    },
    options: {
      home,
      plan: {
        defaultPolicy: config.defaultPolicy,
        staleMarginMs: config.staleMarginMs,
        maxResubmitsPerChange: config.maxResubmitsPerChange,
        submitScope: config.submitScope,
      },
      mode: setup.mode ?? config.mode,
      onProgress: setup.onProgress,
    },
    destroy: () => {
      for (const client of Object.values(clients)) (client as { destroy?: () => void }).destroy?.();
    },
  };
}
