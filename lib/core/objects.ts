/** Small object helpers shared by the core and the adapters. */

/** A copy without the keys whose value is undefined (so JSON output and SDK requests stay minimal). */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
