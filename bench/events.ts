/** Change events shaped like events/ssm/*.json and events/secretsmanager/*.json, for generated resources. */
import type { Random } from '../lib/sandbox/random';

/** Where the events come from. */
export interface EventHome {
  readonly region: string;
  readonly account: string;
}

/** What an event says about its resource. */
export type EventKind = 'ssm-update' | 'ssm-label' | 'secret-awscurrent';

const hex = (random: Random, n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

/** A random v4-shaped UUID from a seeded source. */
export function toUuid(random: Random): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-8${hex(random, 3)}-${hex(random, 12)}`;
}

/** EventBridge time: ISO-8601 to the second. */
const toEventTime = (epochMs: number) => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One change event. `resource` is a parameter name with its leading slash, or a complete secret id
 * (`name-AbCdEf`) as the fleet generator makes them.
 */
export function toChangeEvent(
  kind: EventKind,
  resource: string,
  at: number,
  home: EventHome,
  random: Random,
): Record<string, unknown> {
  const envelope = {
    version: '0',
    id: toUuid(random),
    account: home.account,
    time: toEventTime(at),
    region: home.region,
  };
  if (kind === 'secret-awscurrent') {
    return {
      ...envelope,
      'detail-type': 'Secret Label Updated',
      source: 'aws.secretsmanager',
      resources: [`arn:aws:secretsmanager:${home.region}:${home.account}:secret:${resource}`],
      detail: { name: resource.slice(0, -7), labelUpdated: 'AWSCURRENT', versionId: toUuid(random) },
    };
  }
  const detail =
    kind === 'ssm-update'
      ? { operation: 'Update', name: resource, type: 'SecureString' }
      : { operation: 'LabelParameterVersion', name: resource, type: 'SecureString', label: 'prod', toVersion: '2' };
  return {
    ...envelope,
    'detail-type': 'Parameter Store Change',
    source: 'aws.ssm',
    resources: [`arn:aws:ssm:${home.region}:${home.account}:parameter/${resource.replace(/^\//, '')}`],
    detail,
  };
}
