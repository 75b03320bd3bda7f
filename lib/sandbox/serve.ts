import { loadFleetSnapshot } from './load-fleet';
import { type Sandbox, startSandbox } from './start-sandbox';

/** Options of `serveSandbox` (the CLI's `sandbox` command). */
export interface ServeOptions {
  readonly fleetFile: string;
  readonly port?: number;
  readonly write?: (line: string) => void;
}

/** A sandbox started from a file; `closed` resolves once SIGINT/SIGTERM (or `sandbox.stop()`) has shut it down. */
export interface ServedSandbox {
  readonly sandbox: Sandbox;
  readonly closed: Promise<void>;
}

/** Loads a fleet snapshot file, starts the sandbox on it, prints how to reach it, and stops on SIGINT/SIGTERM. */
export async function serveSandbox({ fleetFile, port = 0, write = console.log }: ServeOptions): Promise<ServedSandbox> {
  const fleet = await loadFleetSnapshot(fleetFile);
  const started = await startSandbox({ fleet, port });
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const onSignal = (): void => void sandbox.stop();
  const sandbox: Sandbox = {
    ...started,
    stop: async () => {
      for (const signal of signals) process.off(signal, onSignal);
      await started.stop();
      resolveClosed();
    },
  };
  for (const signal of signals) process.once(signal, onSignal);
  write(`Batch, EventBridge, SSM and Secrets Manager sandbox: ${sandbox.endpoint}`);
  if (sandbox.dynamodbEndpoint) write(`DynamoDB (dynalite):          ${sandbox.dynamodbEndpoint}`);
  const metadata = fleet.metadata
    ? `metadata of ${fleet.metadata.parameters.length} parameters and ${fleet.metadata.secrets.length} secrets`
    : 'no metadata section: Parameter Store and Secrets Manager start empty, so a sweep finds every reference missing';
  write(
    `Fleet: ${fleetFile} (${fleet.jobQueues.length} queues, ${fleet.jobDefinitions.length} definition revisions, ${fleet.jobs.length} jobs; ${metadata})`,
  );
  write(`Try: aws batch describe-job-queues --endpoint-url ${sandbox.endpoint} --region ${sandbox.region}`);
  return { sandbox, closed };
}
