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

/** Starts dynalite on an ephemeral loopback port; tables become ACTIVE immediately. */
export async function startDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listenOnLoopback(server, 0);
  return {
    endpoint,
    handle: (request, response) => server.emit('request', request, response),
    stop: () => closeServer(server),
  };
}
