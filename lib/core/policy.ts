/** The per-job policy, read from the `rotation-reactor:policy` tag with job > definition > queue > default precedence. */

/** What the reactor does to a job holding a stale value. */
export type Policy = 'flag' | 'resubmit' | 'resubmit-on-failure' | 'ignore';

/** Where a job's policy came from. */
export type PolicySource = 'job' | 'definition' | 'queue' | 'default';

/** The tag operators set on jobs, job definitions or job queues. */
export const POLICY_TAG = 'rotation-reactor:policy';

/** Every policy value, for validation and help texts. */
export const POLICIES: readonly Policy[] = ['flag', 'resubmit', 'resubmit-on-failure', 'ignore'];

/** True when the text is a policy value. */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'string' && (POLICIES as readonly string[]).includes(value);
}

type Tags = Readonly<Record<string, string>> | undefined;

/** A resolved policy; `invalid` lists tag values that were ignored because they are not policies. */
export interface ResolvedPolicy {
  readonly policy: Policy;
  readonly source: PolicySource;
  readonly invalid: readonly string[];
}

/** Resolves a job's policy: the first valid tag among job, definition and queue tags, else the default. */
export function resolvePolicy(tags: { job?: Tags; definition?: Tags; queue?: Tags }, fallback: Policy): ResolvedPolicy {
  const invalid: string[] = [];
  for (const source of ['job', 'definition', 'queue'] as const) {
    const value = tags[source]?.[POLICY_TAG];
    if (value === undefined) continue;
    const normalized = value.trim().toLowerCase();
    if (isPolicy(normalized)) return { policy: normalized, source, invalid };
    invalid.push(`${source} tag ${POLICY_TAG}=${JSON.stringify(value)} is not one of ${POLICIES.join(', ')}`);
  }
  return { policy: fallback, source: 'default', invalid };
}
