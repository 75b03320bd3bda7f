/** The composition root: SDK clients (once per container or CLI run), adapters, and the use case's dependencies. */
import { BatchClient } from '@aws-sdk/client-batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createBatchReader, type DefinitionCache } from '../adapters/batch-reader';
import { createBatchWriter } from '../adapters/batch-writer';
import { createEmitter } from '../adapters/emitter';
import { createLedger } from '../adapters/ledger';
import { applyLimiter, createLimiter } from '../adapters/rate-limit';
import type { Clock } from '../core/ports';
import type { ReactDeps, ReactOptions } from '../core/react';
import type { Config } from './config';

/** Every AWS client the reactor uses. */
export interface Clients {
  readonly batch: BatchClient;
  readonly events: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
}

/** Where and as whom the clients talk: a real account by default, or endpoints such as the local sandbox. */
export interface ClientOptions {
  readonly region: string;
  readonly batchTps: number;
  readonly endpoints?: Partial<Record<'batch' | 'events' | 'dynamodb' | 'ssm' | 'secretsmanager', string>>;
  readonly credentials?: AwsCredentialIdentityProvider;
  /** SDK attempts per call (adaptive retry); throttling by Batch is retried with backoff. */
  readonly maxAttempts?: number;
  /** Wraps each client (X-Ray capture in Lambda). */
  readonly capture?: <T>(client: T) => T;
}

/** Builds the clients; the Batch client carries the process-wide token bucket and adaptive retries. */
export function createClients(options: ClientOptions): Clients {
  const base = { region: options.region, credentials: options.credentials, maxAttempts: options.maxAttempts ?? 8 };
  const capture = options.capture ?? (<T>(client: T) => client);
  const endpoint = (service: keyof NonNullable<ClientOptions['endpoints']>) =>
    options.endpoints?.[service] ? { endpoint: options.endpoints[service] } : {};
  const batch = applyLimiter(
    new BatchClient({ ...base, retryMode: 'adaptive', ...endpoint('batch') }),
    createLimiter(options.batchTps),
  );
  const dynamodb = capture(new DynamoDBClient({ ...base, ...endpoint('dynamodb') }));
  return {
    batch: capture(batch),
    events: capture(new EventBridgeClient({ ...base, ...endpoint('events') })),
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    ssm: capture(new SSMClient({ ...base, ...endpoint('ssm') })),
    secrets: capture(new SecretsManagerClient({ ...base, ...endpoint('secretsmanager') })),
  };
}

/** The use case's ports and options, from configuration and clients. */
export function createReactor(
  config: Config,
  clients: Clients,
  extras: {
    clock?: Clock;
    definitionCache?: DefinitionCache;
    mode?: ReactOptions['mode'];
    onProgress?: ReactOptions['onProgress'];
  } = {},
): { deps: ReactDeps; options: ReactOptions } {
  const clock = extras.clock ?? Date.now;
  return {
    deps: {
      jobs: createBatchReader(clients.batch, { queues: config.queues, definitionCache: extras.definitionCache }),
      actions: createBatchWriter(clients.batch),
      ledger: createLedger(clients.documents, {
        tableName: config.ledgerTable,
        leaseMs: config.leaseMs,
        ttlDays: config.ledgerTtlDays,
        clock,
      }),
      emitter: createEmitter(clients.events, { eventBusName: config.eventBus, clock }),
      clock,
    },
    options: {
      home: { partition: config.partition, region: config.region, account: config.account },
      plan: {
        defaultPolicy: config.defaultPolicy,
        staleMarginMs: config.staleMarginMs,
        maxResubmits: config.maxResubmitsPerRun,
      },
      mode: extras.mode ?? config.mode,
      onProgress: extras.onProgress,
    },
  };
}
