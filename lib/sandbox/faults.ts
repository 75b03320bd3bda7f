import { createRandom, type Random } from './random';

/** Faults to inject; rates are probabilities in [0, 1], drawn from a PRNG seeded with `seed` (default 1). */
export interface Faults {
  readonly latencyMs?: number;
  readonly throttleRate?: number;
  readonly serverErrorRate?: number;
  readonly putEventsFailureRate?: number;
  readonly seed?: number;
  /** Limits every fault to these operations (e.g. `['ListJobs']`); all operations when absent. */
  readonly operations?: readonly string[];
}

/** What happens to one request before its handler runs. */
export type RequestFault = 'none' | 'throttled' | 'server-error';

/** Decides, deterministically for a given seed and request order, which requests and entries fail. */
export interface FaultInjector {
  set(faults: Faults): void;
  latencyFor(operation: string): number;
  drawRequestFault(operation: string): RequestFault;
  drawEntryFailure(operation: string): boolean;
}

/** Creates an injector with no faults until `set` is called. */
export function createFaultInjector(initial: Faults = {}): FaultInjector {
  let faults: Faults = {};
  let random: Random = createRandom(1);
  let applies: (operation: string) => boolean = () => true;

  const set = (next: Faults): void => {
    validateFaults(next);
    faults = { ...next };
    random = createRandom(next.seed ?? 1);
    const only = next.operations ? new Set(next.operations) : undefined;
    applies = only ? (operation) => only.has(operation) : () => true;
  };
  set(initial);

  return {
    set,
    latencyFor: (operation) => (applies(operation) ? (faults.latencyMs ?? 0) : 0),
    drawRequestFault: (operation) => {
      const throttle = faults.throttleRate ?? 0;
      const serverError = faults.serverErrorRate ?? 0;
      if (!applies(operation) || throttle + serverError === 0) return 'none';
      const draw = random();
      if (draw < throttle) return 'throttled';
      return draw < throttle + serverError ? 'server-error' : 'none';
    },
    drawEntryFailure: (operation) => {
      const rate = faults.putEventsFailureRate ?? 0;
      return applies(operation) && rate > 0 && random() < rate;
    },
  };
}

function validateFaults(faults: Faults): void {
  for (const key of ['throttleRate', 'serverErrorRate', 'putEventsFailureRate'] as const) {
    const rate = faults[key];
    if (rate !== undefined && !(rate >= 0 && rate <= 1))
      throw new RangeError(`faults.${key} must be in [0, 1], got ${rate}`);
  }
  if (faults.latencyMs !== undefined && !(faults.latencyMs >= 0)) {
    throw new RangeError(`faults.latencyMs must be >= 0, got ${faults.latencyMs}`);
  }
}
