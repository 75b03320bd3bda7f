/** A fresh sandbox serving the benchmark fleet, and the reactor's real wiring pointed at it. */
import { ensureLedgerTable } from '../lib/adapters/ledger-table';
import type { FleetSnapshot } from '../lib/core/fleet';
import type { ReactDeps, ReactOptions } from '../lib/core/react';
import { loadConfig } from '../lib/runtime/config';
import { type Clients, createReactor } from '../lib/runtime/wiring';
import { type Sandbox, startSandbox } from '../lib/sandbox';

/** A sandbox, the reactor's clients and ports, and a count of ledger (DynamoDB) calls. */
export interface LocalReactor {
  readonly sandbox: Sandbox;
  readonly clients: Clients;
  readonly deps: ReactDeps;
  readonly options: ReactOptions;
  /** DynamoDB calls by operation since the last reset. */
  ledgerCalls(): Record<string, number>;
  /** Forgets the sandbox request log and the ledger call counts. */
  resetCounts(): void;
  stop(): Promise<void>;
}

const credentials = async () => ({ accessKeyId: 'bench', secretAccessKey: 'bench' });
// The blast-radius cap applies per run, and a run is a batch for one strategy and an event for the other: lifting
// it makes both act on every stale job, so their actions can be compared one to one.
const UNCAPPED_RESUBMITS = '1000000';

/**
 * Starts a sandbox (manual clock at `now`, dynalite for the ledger) and wires the reactor to it exactly as
 * lib/runtime/wiring.ts does in Lambda: real SDK clients, the Batch token bucket at `tps`, adaptive retries.
 */
export async function startLocalReactor(fleet: FleetSnapshot, now: number, tps: number): Promise<LocalReactor> {
  const sandbox = await startSandbox({ fleet, clock: 'manual', startTime: now });
  const config = loadConfig({
    AWS_REGION: fleet.region,
    REACTOR_ACCOUNT_ID: fleet.account,
    REACTOR_LEDGER_TABLE: 'rotation-reactor-bench-ledger',
    REACTOR_BATCH_TPS: String(tps),
    REACTOR_MAX_RESUBMITS_PER_RUN: UNCAPPED_RESUBMITS,
  });
  const reactor = createReactor(config, {
    credentials,
    endpoints: { batch: sandbox.endpoint, events: sandbox.endpoint, dynamodb: sandbox.dynamodbEndpoint },
    clock: () => sandbox.now(),
    localClocks: { monotonic: () => sandbox.now(), wall: () => sandbox.now() },
    definitionCache: new Map(),
  });
  const { clients, deps, options } = reactor;
  let ledger = new Map<string, number>();
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      ledger.set(operation, (ledger.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchLedgerCount' },
  );
  await ensureLedgerTable(clients.dynamodb, config.ledgerTable);
  return {
    sandbox,
    clients,
    deps,
    options,
    ledgerCalls: () => Object.fromEntries(ledger),
    resetCounts: () => {
      sandbox.resetRequestLog();
      ledger = new Map();
    },
    stop: async () => {
      reactor.destroy();
      await sandbox.stop();
    },
  };
}
