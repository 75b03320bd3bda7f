/** One reactor per Lambda container: configuration, clients and the definition cache live across warm invocations. */
import type { DefinitionCache } from '../adapters/batch-reader';
import { createMetadataSource } from '../adapters/metadata';
import type { MetadataSource } from '../core/ports';
import type { ReactDeps, ReactOptions } from '../core/react';
import { type Config, loadConfig } from './config';
import { tracer } from './observability';
import { type Clients, createClients, createReactor } from './wiring';

/** Everything a handler needs. */
export interface Reactor {
  readonly config: Config;
  readonly clients: Clients;
  readonly deps: ReactDeps & { readonly metadata: MetadataSource };
  readonly options: ReactOptions;
}

let reactor: Reactor | undefined;
// Job definition revisions are immutable: caching them for the container's life never serves stale data.
const definitionCache: DefinitionCache = new Map();

/** The container's reactor, built on first use (a ConfigError lists every configuration problem). */
export function lambdaReactor(): Reactor {
  if (!reactor) {
    const config = loadConfig(process.env);
    const clients = createClients({
      region: config.region,
      batchTps: config.batchTps,
      capture: (client) => tracer.captureAWSv3Client(client),
    });
    const { deps, options } = createReactor(config, clients, { definitionCache });
    const home = options.home;
    reactor = { config, clients, deps: { ...deps, metadata: createMetadataSource(clients, home) }, options };
  }
  return reactor;
}

/** Forgets the container's reactor (tests change the environment between cases). */
export function resetLambdaReactor(): void {
  reactor = undefined;
  definitionCache.clear();
}
