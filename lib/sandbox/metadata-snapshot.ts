/**
 * The optional `metadata` section of a fleet snapshot: Parameter Store parameters and Secrets Manager secrets as their
 * metadata APIs describe them (names, versions, stages, dates), never a value. Times are ISO-8601 strings or epoch ms.
 */
import { z } from 'zod';
import type { FleetSnapshot } from '../core/fleet';

/** A parameter as `DescribeParameters` lists it. */
export interface ParameterSnapshot {
  /** As created: hierarchical names start with `/`; `x` and `/x` are the same single-level parameter. */
  readonly name: string;
  readonly type: 'String' | 'StringList' | 'SecureString';
  readonly version: number;
  /** Epoch ms. */
  readonly lastModifiedDate: number;
  readonly description?: string;
}

/** One version of a secret, as `ListSecretVersionIds` lists it. */
export interface SecretVersionSnapshot {
  readonly versionId: string;
  /** Staging labels (`AWSCURRENT`, `AWSPREVIOUS`, custom); none for a deprecated version. */
  readonly stages: readonly string[];
  /** Epoch ms. */
  readonly createdDate: number;
}

/** A secret as `DescribeSecret` describes it. */
export interface SecretSnapshot {
  readonly name: string;
  /** The complete ARN, `…:secret:NAME-XXXXXX`; generated when absent. */
  readonly arn?: string;
  readonly description?: string;
  /** Epoch ms; default: the oldest version's, else the last change. */
  readonly createdDate?: number;
  /** Epoch ms; default: the newest version's, else the creation. */
  readonly lastChangedDate?: number;
  readonly lastRotatedDate?: number;
  /** Set for a secret scheduled for deletion (DescribeSecret still answers; a sweep reports it missing). */
  readonly deletedDate?: number;
  readonly versions: readonly SecretVersionSnapshot[];
}

/** The metadata the sandbox serves through SSM and Secrets Manager. */
export interface FleetMetadata {
  readonly parameters: readonly ParameterSnapshot[];
  readonly secrets: readonly SecretSnapshot[];
}

/** A fleet snapshot, optionally with the metadata of the parameters and secrets its jobs reference. */
export type SandboxFleet = FleetSnapshot & { readonly metadata?: FleetMetadata };

const SUFFIX = /^[A-Za-z0-9]{6}$/;
const time = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
]);
const parameter = z.strictObject({
  name: z.string().regex(/^(\/[^/]+)+$|^[^/]+$/, 'a name without a slash, or one starting with / (no empty level)'),
  type: z.enum(['String', 'StringList', 'SecureString']).default('SecureString'),
  version: z.number().int().min(1).default(1),
  lastModifiedDate: time,
  description: z.string().optional(),
});
const version = z.strictObject({
  versionId: z.string().min(32).max(64),
  stages: z.array(z.string().min(1).max(256)).max(20),
  createdDate: time,
});
const secret = z.strictObject({
  name: z.string().min(1).max(512),
  arn: z.string().optional(),
  description: z.string().optional(),
  createdDate: time.optional(),
  lastChangedDate: time.optional(),
  lastRotatedDate: time.optional(),
  deletedDate: time.optional(),
  versions: z.array(version).default([]),
});
const metadata = z.strictObject({
  parameters: z.array(parameter).default([]),
  secrets: z.array(secret).default([]),
});

/**
 * Validates a snapshot's `metadata` section (absent: none) against the fleet's region and account: one line naming
 * the first bad fields, or the metadata with times in epoch ms.
 */
export function parseFleetMetadata(
  value: unknown,
  fleet: Pick<FleetSnapshot, 'partition' | 'region' | 'account'>,
): { ok: true; metadata: FleetMetadata | undefined } | { ok: false; reason: string } {
  if (value === undefined) return { ok: true, metadata: undefined };
  const result = metadata.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = ['metadata', ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))];
    return { ok: false, reason: `${path.join('').replace(/\.\[/g, '[')}: ${issue.message}` };
  }
  const parsed = result.data as FleetMetadata;
  const problem = findProblem(parsed, fleet);
  return problem ? { ok: false, reason: problem } : { ok: true, metadata: parsed };
}

function findProblem(parsed: FleetMetadata, fleet: Pick<FleetSnapshot, 'partition' | 'region' | 'account'>) {
  const names = new Set<string>();
  for (const [i, p] of parsed.parameters.entries()) {
    const key = p.name.replace(/^\/(?=[^/]+$)/, '');
    if (names.has(key)) return `metadata.parameters[${i}].name: ${p.name} appears twice (x and /x are one parameter)`;
    names.add(key);
  }
  const secretPrefix = `arn:${fleet.partition ?? 'aws'}:secretsmanager:${fleet.region}:${fleet.account}:secret:`;
  const secretNames = new Set<string>();
  for (const [i, s] of parsed.secrets.entries()) {
    const where = `metadata.secrets[${i}]`;
    if (secretNames.has(s.name)) return `${where}.name: ${s.name} appears twice`;
    secretNames.add(s.name);
    const arnPrefix = `${secretPrefix}${s.name}-`;
    if (s.arn !== undefined && !(s.arn.startsWith(arnPrefix) && SUFFIX.test(s.arn.slice(arnPrefix.length)))) {
      return `${where}.arn: must be ${secretPrefix}${s.name}-XXXXXX (the fleet's region and account, the name, a 6-character suffix)`;
    }
    const holders = new Map<string, string>();
    for (const v of s.versions) {
      for (const stage of v.stages) {
        const other = holders.get(stage);
        if (other !== undefined) return `${where}.versions: stage ${stage} is on ${other} and ${v.versionId}`;
        holders.set(stage, v.versionId);
      }
    }
  }
  return undefined;
}
