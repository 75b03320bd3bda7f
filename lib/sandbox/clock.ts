/** How sandbox time moves: with the wall clock, or only when the test calls `advance`. */
export type ClockMode = 'real' | 'manual';

/** The sandbox's notion of now (epoch ms), which drives job lifecycles and event times. */
export interface Clock {
  now(): number;
  advance(ms: number): void;
}

/** Creates a clock starting at `startTime` (default: the wall clock); `advance` moves either kind forward. */
export function createClock(mode: ClockMode, startTime?: number): Clock {
  const origin = Date.now();
  let offset = startTime === undefined ? 0 : startTime - origin;
  return {
    now: () => (mode === 'real' ? Date.now() + offset : origin + offset),
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
      offset += ms;
    },
  };
}
