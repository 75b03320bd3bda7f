/**
 * Every error the reactor raises on purpose, each saying whether trying again later can help (`retryable`): a
 * retryable failure makes its trigger fail (SQS item failure, Lambda retry, DLQ); a non-retryable one is reported
 * once and never retried.
 */

/** Base of every error the reactor raises on purpose. */
export abstract class ReactorError extends Error {
  abstract readonly retryable: boolean;
}

/** Input that will never become valid by retrying (a malformed event, an unusable file). */
export class InvalidInputError extends ReactorError {
  override name = 'InvalidInputError' as const;
  readonly retryable = false;
}

/** Configuration problems found at cold start, all listed in one message. */
export class ConfigError extends ReactorError {
  override name = 'ConfigError' as const;
  readonly retryable = false;
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** A dependency (AWS API) failed in a way worth retrying later, or the outcome of a call is unknown. */
export class TransientError extends ReactorError {
  override name = 'TransientError' as const;
  readonly retryable = true;
}

/** AWS refused an action before doing anything (a ClientException): the same request will be refused again. */
export class RefusedError extends ReactorError {
  override name = 'RefusedError' as const;
  readonly retryable = false;
}

/** Another attempt holds the claim now: this one must not act (and need not be retried: the other one acts). */
export class FencedOutError extends ReactorError {
  override name = 'FencedOutError' as const;
  readonly retryable = false;
}

/** Operators paused the reactor (control record): nothing is acted on; the trigger is left for later. */
export class PausedError extends ReactorError {
  override name = 'PausedError' as const;
  readonly retryable = true;
}

/** True when trying again later may succeed: retryable reactor errors and anything unexpected (network, 5xx). */
export function isRetryable(error: unknown): boolean {
  return error instanceof ReactorError ? error.retryable : true;
}

/** One line describing any thrown value: `Name: message` for errors, the text otherwise. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A job whose copy SubmitJob would refuse, or would run differently (too many tags, an array child alone…). */
export class NotResubmittableError extends ReactorError {
  override name = 'NotResubmittableError' as const;
  readonly retryable = false;
}
