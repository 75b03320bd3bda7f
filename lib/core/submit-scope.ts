/**
 * Where the deployment may submit replacements: job queue and job definition name patterns with IAM's wildcards
 * (`*`, `?`), the same the stack's IAM policy grants `batch:SubmitJob` on. Deciding it up front turns a resubmission
 * IAM would deny into a flag with reason `not-permitted`, instead of a failure retried forever.
 */

/**
 * Queue names and definition `name:revision`s (IAM wildcards) a replacement may be submitted to, and an opt-in tag:
 * a queue or definition carrying it is in scope too (IAM's `aws:ResourceTag` condition).
 */
export interface SubmitScope {
  readonly queues: readonly string[];
  readonly definitions: readonly string[];
  readonly tag?: { readonly key: string; readonly value: string };
}

/** A queue or definition revision: its name or ARN, and its tags when known. */
export interface ScopedResource {
  readonly ref: string;
  readonly tags?: Readonly<Record<string, string>>;
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

/**
 * True when both the queue and the definition revision are in scope, each by name or by the tag, as IAM evaluates a
 * SubmitJob request on its two resources (no scope: anything may be submitted).
 */
export function isSubmitAllowed(
  scope: SubmitScope | undefined,
  queue: ScopedResource,
  definition: ScopedResource,
): boolean {
  if (!scope) return true;
  const tagged = (resource: ScopedResource) =>
    scope.tag !== undefined && resource.tags?.[scope.tag.key] === scope.tag.value;
  const named = (globs: readonly string[], resource: ScopedResource) =>
    globs.some((glob) => toPattern(glob).test(toResourceName(resource.ref)));
  return (named(scope.queues, queue) || tagged(queue)) && (named(scope.definitions, definition) || tagged(definition));
}
