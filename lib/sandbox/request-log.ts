/** How the sandbox answered one request. */
export type RequestOutcome = 'ok' | 'throttled' | 'server-error' | 'client-error';

/** One request the sandbox received; `at` is wall-clock epoch ms. */
export interface RequestRecord {
  readonly operation: string;
  readonly at: number;
  readonly outcome: RequestOutcome;
}

/** Every request the sandbox answered, in arrival order, with per-operation counts kept incrementally. */
export interface RequestLog {
  record(operation: string, outcome: RequestOutcome): void;
  requests(): readonly RequestRecord[];
  countsByOperation(): Record<string, number>;
  reset(): void;
}

/** Creates an empty request log. */
export function createRequestLog(): RequestLog {
  let records: RequestRecord[] = [];
  let counts = new Map<string, number>();
  return {
    record: (operation, outcome) => {
      records.push({ operation, at: Date.now(), outcome });
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    },
    requests: () => [...records],
    countsByOperation: () => Object.fromEntries(counts),
    reset: () => {
      records = [];
      counts = new Map();
    },
  };
}
