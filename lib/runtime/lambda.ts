/** One reactor per Lambda container: configuration, clients and the definition cache live across warm invocations. */
import type { DefinitionCache } from '../adapters/batch-reader';
import { loadConfig } from './config';
import { tracer } from './observability';
import { createReactor, type Reactor } from './wiring';

let reactor: Reactor | undefined;
// Job definition revisions are immutable: caching them for the container's life never serves stale data.
const definitionCache: DefinitionCache = new Map();

/** The container's reactor, built on first use (a ConfigError lists every configuration problem). */
export function lambdaReactor(): Reactor {
  reactor ??= createReactor(loadConfig(process.env), {
    definitionCache,
    capture: (client) => tracer.captureAWSv3Client(client),
  });
  return reactor;
}

/** Forgets the container's reactor (tests change the environment between cases). */
export function resetLambdaReactor(): void {
  reactor?.destroy();
  reactor = undefined;
  definitionCache.clear();
}
