/**
 * Parameter Store / Secrets Manager metadata for the sweep: when the value a new container would read last changed.
 * Only DescribeParameters, DescribeSecret and ListSecretVersionIds: never an API that returns a value (the reactor's
 * role has no ssm:GetParameter*, no secretsmanager:GetSecretValue).
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  paginateListSecretVersionIds,
  type SecretsManagerClient,
  type SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import { type ParameterMetadata, paginateDescribeParameters, type SSMClient } from '@aws-sdk/client-ssm';
import type { MetadataSource, ResourceMetadata } from '../core/ports';
import { type Home, type Resource, toResourceArn, toResourceKey, toSecretNameGuess } from '../core/reference';

/** The SDK commands this adapter may send; a test asserts nothing else goes out. */
export const METADATA_COMMANDS = [
  'DescribeParametersCommand',
  'DescribeSecretCommand',
  'ListSecretVersionIdsCommand',
] as const;

/** DescribeParameters takes at most 50 values per filter (API reference: ParameterStringFilter.Values). */
export const MAX_FILTER_VALUES = 50;

/** Why a resource outside the clients' region and account is reported instead of described. */
export const NOT_SWEPT_ELSEWHERE = 'another region/account: not swept';

type SsmResource = Extract<Resource, { kind: 'ssm' }>;
type SecretResource = Extract<Resource, { kind: 'secret' }>;
type Outcome = { readonly found: ResourceMetadata } | { readonly failed: string };

const AWSCURRENT = 'AWSCURRENT';
/** DescribeParameters MaxResults is 1–50; ListSecretVersionIds MaxResults is 1–100. */
const PARAMETERS_PAGE = 50;
const VERSIONS_PAGE = 100;
const SECRET_CONCURRENCY = 4;
const SECRET_ARN = /^arn:([a-z-]+):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

const bare = (name: string) => (name.startsWith('/') ? name.slice(1) : name);
const toWhy = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
const isNotFound = (error: unknown) => error instanceof Error && error.name === 'ResourceNotFoundException';
const missing = (resource: Resource): Outcome => ({ found: { resource, exists: false } });

/** Creates the metadata reader over clients of the home region and account. */
export function createMetadataSource(
  clients: { ssm: SSMClient; secrets: SecretsManagerClient },
  home: Home,
): MetadataSource {
  const inHome = (r: Resource) =>
    r.partition === home.partition && r.region === home.region && r.account === home.account;

  async function describeParameters(resources: readonly SsmResource[]): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    for (const group of toFilterGroups(resources)) {
      try {
        const newest = new Map<string, ParameterMetadata>();
        const Values = group.flatMap((r) => toNameVariants(r.name));
        for await (const page of paginateDescribeParameters(
          { client: clients.ssm, pageSize: PARAMETERS_PAGE },
          { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values }] },
        )) {
          for (const parameter of page.Parameters ?? []) {
            if (!parameter.Name) continue;
            const kept = newest.get(bare(parameter.Name));
            if (!kept || time(parameter.LastModifiedDate) > time(kept.LastModifiedDate)) {
              newest.set(bare(parameter.Name), parameter);
            }
          }
        }
        for (const resource of group) {
          const parameter = newest.get(bare(resource.name));
          outcomes.set(
            toResourceKey(resource),
            parameter ? toParameterOutcome(resource, parameter) : missing(resource),
          );
        }
      } catch (error) {
        for (const resource of group) outcomes.set(toResourceKey(resource), { failed: toWhy(error) });
      }
    }
    return outcomes;
  }

  async function describeById(resource: SecretResource): Promise<DescribeSecretCommandOutput | undefined> {
    // A partial ARN whose name ends in `-XXXXXX` is taken for a complete one; the plain name is then asked too.
    const ids =
      resource.complete || toSecretNameGuess(resource.secretId) === undefined
        ? [toResourceArn(resource)]
        : [toResourceArn(resource), resource.secretId];
    for (const SecretId of ids) {
      try {
        return await clients.secrets.send(new DescribeSecretCommand({ SecretId }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return undefined;
  }

  async function findCurrentVersion(SecretId: string): Promise<SecretVersionsListEntry | undefined> {
    for await (const page of paginateListSecretVersionIds(
      { client: clients.secrets, pageSize: VERSIONS_PAGE },
      { SecretId },
    )) {
      const current = page.Versions?.find((v) => v.VersionStages?.includes(AWSCURRENT));
      if (current) return current;
    }
    return undefined;
  }

  async function describeSecret(resource: SecretResource): Promise<Outcome> {
    try {
      const described = await describeById(resource);
      if (!described) return missing(resource);
      const named = toCompleteSecret(described.ARN) ?? resource;
      if (described.DeletedDate) return missing(named);
      const current = await findCurrentVersion(described.ARN ?? toResourceArn(resource));
      if (!current) return { failed: 'no AWSCURRENT version: a container could not read this secret' };
      // Rotation creates the new version (AWSPENDING) at its first step and moves AWSCURRENT only at its last: a job
      // started in between read the old value although it started after the version's CreatedDate. LastChangedDate
      // is no help: tags and descriptions move it too.
      const lastChangedAt = Math.max(time(current.CreatedDate), time(described.LastRotatedDate));
      if (lastChangedAt === 0) return { failed: 'ListSecretVersionIds returned no CreatedDate for AWSCURRENT' };
      const version = current.VersionId ? { version: current.VersionId } : {};
      return { found: { resource: named, exists: true, lastChangedAt, ...version } };
    } catch (error) {
      // Deleted for good between DescribeSecret and ListSecretVersionIds.
      if (isNotFound(error)) return missing(resource);
      return { failed: toWhy(error) };
    }
  }

  return {
    async describe(resources) {
      const unique = [...new Map(resources.map((r) => [toResourceKey(r), r])).values()];
      const local = unique.filter(inHome);
      const outcomes = await describeParameters(local.filter((r): r is SsmResource => r.kind === 'ssm'));
      const secrets = local.filter((r): r is SecretResource => r.kind === 'secret');
      const described = await mapConcurrently(secrets, SECRET_CONCURRENCY, describeSecret);
      for (const [i, secret] of secrets.entries()) outcomes.set(toResourceKey(secret), described[i]);

      const found: ResourceMetadata[] = [];
      const failed: { resource: Resource; why: string }[] = [];
      for (const resource of unique) {
        const outcome: Outcome | undefined = inHome(resource)
          ? outcomes.get(toResourceKey(resource))
          : { failed: NOT_SWEPT_ELSEWHERE };
        if (!outcome) continue;
        if ('found' in outcome) found.push(outcome.found);
        else failed.push({ resource, why: outcome.failed });
      }
      return { found, failed };
    },
  };
}

function toParameterOutcome(resource: SsmResource, parameter: ParameterMetadata): Outcome {
  if (!parameter.LastModifiedDate) return { failed: 'DescribeParameters returned no LastModifiedDate' };
  return {
    found: {
      resource: { ...resource, name: parameter.Name ?? resource.name },
      exists: true,
      lastChangedAt: parameter.LastModifiedDate.getTime(),
      ...(parameter.Version !== undefined ? { version: String(parameter.Version) } : {}),
    },
  };
}

/**
 * The names to ask for: a hierarchical name exists only with its leading slash; `x` and `/x` are the same
 * single-level parameter (aws-semantics §1.3), stored as created, so both spellings are asked.
 */
function toNameVariants(name: string): string[] {
  const without = bare(name);
  return without.includes('/') ? [`/${without}`] : [without, `/${without}`];
}

/** Resources grouped so that no DescribeParameters filter carries more than 50 values. */
function toFilterGroups(resources: readonly SsmResource[]): SsmResource[][] {
  const groups: SsmResource[][] = [];
  let group: SsmResource[] = [];
  let values = 0;
  for (const resource of resources) {
    const count = toNameVariants(resource.name).length;
    if (values + count > MAX_FILTER_VALUES) {
      groups.push(group);
      group = [];
      values = 0;
    }
    group.push(resource);
    values += count;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function toCompleteSecret(arn: string | undefined): SecretResource | undefined {
  const match = arn ? SECRET_ARN.exec(arn) : null;
  if (!match) return undefined;
  const [, partition, region, account, secretId] = match;
  return { kind: 'secret', partition, region, account, secretId, complete: true };
}

function time(date: Date | undefined): number {
  return date ? date.getTime() : 0;
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await map(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
