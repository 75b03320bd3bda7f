/**
 * The ledger's notion of time: the `Date` header of DynamoDB's responses (the server's clock, as the SDK's own
 * clock-skew correction reads it), carried forward between responses by the local monotonic clock. A skewed or
 * jumping caller clock never decides a lease; an observation that may be stale (a second old, or a process that
 * was suspended meanwhile: the wall clock moved more than the monotonic one) is refreshed before it decides one.
 */

/** The process's own clocks: a monotonic one (for elapsed time) and the wall clock (which keeps running while a
 * machine sleeps). Injectable so tests can move time without waiting. */
export interface LocalClocks {
  readonly monotonic: () => number;
  readonly wall: () => number;
}

/** The real local clocks. */
export const SYSTEM_CLOCKS: LocalClocks = { monotonic: () => performance.now(), wall: () => Date.now() };

/** How old an observation may be before a lease decision asks the server again. */
export const MAX_OBSERVATION_AGE_MS = 1_000;

/** Time as the ledger sees it. */
export interface LedgerClock {
  /** Epoch ms by the server's clock (the caller's clock until a first response was seen). */
  now(): number;
  /** True when a lease decision may rely on `now()` without asking the server first. */
  isFresh(): boolean;
  /** Records the server time of a response. */
  observe(serverMs: number): void;
  /** Adds the response-time capture to one command. */
  watch<C extends object>(command: C): C;
}

/** Creates a ledger clock; `fallback` is the caller's clock, used only before the first response. */
export function createLedgerClock(fallback: () => number, local: LocalClocks = SYSTEM_CLOCKS): LedgerClock {
  let server: { at: number; monotonic: number; wall: number } | undefined;
  const clock: LedgerClock = {
    now: () => (server ? Math.floor(server.at + (local.monotonic() - server.monotonic)) : fallback()),
    isFresh: () =>
      server !== undefined &&
      Math.max(local.monotonic() - server.monotonic, local.wall() - server.wall) < MAX_OBSERVATION_AGE_MS,
    observe(serverMs) {
      if (Number.isFinite(serverMs)) server = { at: serverMs, monotonic: local.monotonic(), wall: local.wall() };
    },
    watch(command) {
      // Any SDK command: its stack is typed per command, the capture only reads the raw response's headers.
      const stack = (command as unknown as { middlewareStack: { add(middleware: unknown, options: unknown): void } })
        .middlewareStack;
      stack.add(
        (next: (args: object) => Promise<{ response: unknown }>) => async (args: object) => {
          const result = await next(args);
          const headers = (result.response as { headers?: Record<string, string | undefined> }).headers ?? {};
          const date = headers.date ?? headers.Date;
          // The header has a resolution of one second and truncates: a lease judged on it ends late, never early.
          if (date) clock.observe(Date.parse(date));
          return result;
        },
        // lib-dynamodb's commands copy their stack into the inner command: the same name must replace, not repeat.
        { step: 'deserialize', name: 'rotationReactorLedgerClock', priority: 'low', override: true },
      );
      return command;
    },
  };
  return clock;
}
