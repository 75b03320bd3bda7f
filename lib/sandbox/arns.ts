/** Where the sandbox's resources live: every ARN it builds or parses uses these. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The kinds of Batch resource the sandbox names by ARN. */
export type BatchResourceType = 'job' | 'job-queue' | 'job-definition';

/** Builds `arn:PARTITION:batch:REGION:ACCOUNT:TYPE/ID`. */
export function toBatchArn(scope: ArnScope, type: BatchResourceType, id: string): string {
  return `arn:${scope.partition}:batch:${scope.region}:${scope.account}:${type}/${id}`;
}

/** The resource type and id of a Batch ARN in this scope; undefined for anything else. */
export function parseBatchArn(scope: ArnScope, arn: string): { type: BatchResourceType; id: string } | undefined {
  const prefix = `arn:${scope.partition}:batch:${scope.region}:${scope.account}:`;
  if (!arn.startsWith(prefix)) return undefined;
  const rest = arn.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const type = rest.slice(0, slash);
  const id = rest.slice(slash + 1);
  if (id === '' || (type !== 'job' && type !== 'job-queue' && type !== 'job-definition')) return undefined;
  return { type, id };
}
