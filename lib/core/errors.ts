/** Base of every error the reactor raises on purpose; `retryable` tells SQS-facing code whether to retry. */
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

/** One or more per-job actions failed after the others were applied; the record is retried (actions are idempotent). */
export class ActionsFailedError extends ReactorError {
  override name = 'ActionsFailedError' as const;
  readonly retryable = true;
  constructor(readonly failures: readonly { jobId: string; error: string }[]) {
    super(`${failures.length} job action(s) failed: ${failures.map((f) => `${f.jobId}: ${f.error}`).join('; ')}`);
  }
}

/** A dependency (AWS API) failed in a way worth retrying later. */
export class TransientError extends ReactorError {
  override name = 'TransientError' as const;
  readonly retryable = true;
}

/** A job whose copy SubmitJob would refuse, or would run differently (too many tags, an array child alone…). */
export class NotResubmittableError extends ReactorError {
  override name = 'NotResubmittableError' as const;
  readonly retryable = false;
}
