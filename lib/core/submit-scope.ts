/**
 * Where the deployment may submit replacements: job queue and job definition name patterns with IAM's wildcards
 * (`*`, `?`), the same the stack's IAM policy grants `batch:SubmitJob` on. Deciding it up front turns a resubmission
 * IAM would deny into a flag with reason `not-permitted`, instead of a failure retried forever.
 */

/** Queue names and definition `name:revision`s (IAM wildcards) a replacement may be submitted to. */
export interface SubmitScope {
  readonly queues: readonly string[];
  readonly definitions: readonly string[];
}

/** Converts an IAM resource wildcard pattern into a regular expression over the whole text. */
function toPattern(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** The part of a Batch ARN after `resource-type/` (a name or `name:revision`); the text itself when not an ARN. */
function toResourceName(value: string): string {
  const slash = value.indexOf('/');
  return value.startsWith('arn:') && slash >= 0 ? value.slice(slash + 1) : value;
}

/** True when both the queue and the definition revision are in scope (no scope: anything may be submitted). */
export function isSubmitAllowed(scope: SubmitScope | undefined, jobQueue: string, jobDefinition: string): boolean {
  if (!scope) return true;
  const queue = toResourceName(jobQueue);
  const definition = toResourceName(jobDefinition);
  return (
    scope.queues.some((glob) => toPattern(glob).test(queue)) &&
    scope.definitions.some((glob) => toPattern(glob).test(definition))
  );
}
