import type { IncomingMessage, ServerResponse } from 'node:http';
import dynalite from 'dynalite';
import { closeServer, listenOnLoopback } from './listen';

/** An in-process DynamoDB (dynalite, in memory) for the ledger. */
export interface LocalDynamoDb {
  readonly endpoint: string;
  /** Serves one DynamoDB request in-process (the sandbox forwards `DynamoDB_20120810.*` calls here). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on an ephemeral loopback port; tables become ACTIVE immediately. Responses carry the sandbox's
 * time in their `Date` header, as DynamoDB's carry AWS's: the ledger judges leases by it, so a test that moves the
 * sandbox clock moves the ledger's time too (and a caller with a skewed clock does not).
 */
export async function startDynamoDb(now: () => number = Date.now): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [serve] = server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('Date', new Date(now()).toUTCString());
    serve(request, response);
  };
  server.on('request', handle);
  const endpoint = await listenOnLoopback(server, 0);
  return { endpoint, handle, stop: () => closeServer(server) };
}
