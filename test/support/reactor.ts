import { ensureLedgerTable } from '../../lib/adapters/ledger-table';
import type { Mode } from '../../lib/core/apply';
import type { FleetSnapshot } from '../../lib/core/fleet';
import { type Config, loadConfig } from '../../lib/runtime/config';
import { createReactor, type Reactor } from '../../lib/runtime/wiring';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../lib/sandbox';

const credentials = async () => ({ accessKeyId: 'test', secretAccessKey: 'test' });
let tables = 0;

/** A sandbox and a reactor wired to it with the real SDK clients (Batch + EventBridge → sandbox, ledger → dynalite). */
export async function startLocalReactor(
  fleet: FleetSnapshot,
  options: {
    env?: Record<string, string>;
    sandbox?: SandboxOptions;
    mode?: Mode;
    maxAttempts?: number;
    /** Where the sweep reads metadata: the sandbox itself, or (default) whatever AWS_ENDPOINT_URL_* says (moto). */
    metadata?: 'sandbox';
  } = {},
): Promise<{ sandbox: Sandbox; reactor: Reactor; config: Config; stop: () => Promise<void> }> {
  const sandbox = await startSandbox({
    fleet,
    clock: 'manual',
    startTime: Date.parse('2026-11-28T13:00:00Z'),
    ...options.sandbox,
  });
  const config = loadConfig({
    AWS_REGION: fleet.region,
    REACTOR_ACCOUNT_ID: fleet.account,
    REACTOR_LEDGER_TABLE: `ledger-${++tables}`,
    REACTOR_BATCH_TPS: '50',
    ...options.env,
  });
  const reactor = createReactor(config, {
    credentials,
    maxAttempts: options.maxAttempts,
    endpoints: {
      batch: sandbox.endpoint,
      events: sandbox.endpoint,
      dynamodb: sandbox.dynamodbEndpoint,
      ...(options.metadata === 'sandbox' ? { ssm: sandbox.endpoint, secretsmanager: sandbox.endpoint } : {}),
    },
    clock: () => sandbox.now(),
    localClocks: { monotonic: () => sandbox.now(), wall: () => sandbox.now() },
    mode: options.mode,
  });
  await ensureLedgerTable(reactor.clients.dynamodb, config.ledgerTable);
  return {
    sandbox,
    reactor,
    config,
    stop: async () => {
      reactor.destroy();
      await sandbox.stop();
    },
  };
}
