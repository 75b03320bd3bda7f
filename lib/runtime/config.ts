/** Configuration, read once from the environment at cold start: every problem reported in one ConfigError. */
import { z } from 'zod';
import type { Mode } from '../core/apply';
import { ConfigError } from '../core/errors';
import { POLICIES, type Policy } from '../core/policy';
import { toPartition } from '../core/reference';
import type { SubmitScope } from '../core/submit-scope';

/** The reactor's typed, frozen configuration. */
export interface Config {
  readonly region: string;
  readonly partition: string;
  readonly account: string;
  readonly ledgerTable: string;
  readonly eventBus: string;
  readonly defaultPolicy: Policy;
  readonly mode: Mode;
  /** Deploy-time default of the control record's `paused`. */
  readonly paused: boolean;
  readonly queues: readonly string[];
  /** Where replacements may be submitted (the stack's IAM scope); undefined: anywhere the caller's IAM allows. */
  readonly submitScope?: SubmitScope;
  readonly batchTps: number;
  readonly maxResubmitsPerChange: number;
  /** A change time later than its arrival plus this is refused (a forged or broken event). */
  readonly maxFutureSkewMs: number;
  readonly staleMarginMs: number;
  readonly leaseMs: number;
  readonly ledgerTtlDays: number;
}

const flag = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1');
const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegative = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

// Comma-separated; `none` names nothing (the stack's default for where replacements may be submitted).
const names = z.string().transform((v) =>
  v
    .split(',')
    .map((q) => q.trim())
    .filter((q) => q !== '' && q !== 'none'),
);
const list = names.default([]);

const required = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') });

const schema = z.object({
  AWS_REGION: required().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-2'),
  REACTOR_ACCOUNT_ID: required().regex(/^\d{12}$/, 'must be the 12-digit account id of the fleet'),
  REACTOR_LEDGER_TABLE: required().min(3, 'must name the DynamoDB ledger table'),
  REACTOR_EVENT_BUS: z.string().min(1).default('default'),
  REACTOR_DEFAULT_POLICY: z.enum(POLICIES as [Policy, ...Policy[]]).default('flag'),
  REACTOR_DRY_RUN: flag.default(false),
  REACTOR_PAUSED: flag.default(false),
  REACTOR_QUEUES: list,
  REACTOR_SUBMIT_QUEUES: names.optional(),
  REACTOR_SUBMIT_DEFINITIONS: names.optional(),
  REACTOR_SUBMIT_TAG: z
    .string()
    .regex(/^(none|[^=]*=.*)?$/, 'must be key=value (or none)')
    .optional(),
  REACTOR_BATCH_TPS: positive(10).refine((n) => n <= 50, 'must be at most 50 (the Batch account limit)'),
  REACTOR_MAX_RESUBMITS_PER_CHANGE: nonNegative(25),
  REACTOR_MAX_FUTURE_SKEW_SECONDS: nonNegative(300),
  REACTOR_STALE_MARGIN_SECONDS: nonNegative(60),
  REACTOR_LEASE_SECONDS: positive(300),
  REACTOR_LEDGER_TTL_DAYS: positive(90),
});

const SCOPE_VARIABLES = ['REACTOR_SUBMIT_QUEUES', 'REACTOR_SUBMIT_DEFINITIONS', 'REACTOR_SUBMIT_TAG'];

/** The variables `loadConfig` reads, for documentation and the CLI. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

/** Reads and validates the configuration; throws one ConfigError listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means "unset", except the submit scope: set but empty, it names nothing (fail closed).
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => v !== undefined && (v !== '' || SCOPE_VARIABLES.includes(k))),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const c = parsed.data;
  return Object.freeze({
    region: c.AWS_REGION,
    partition: toPartition(c.AWS_REGION),
    account: c.REACTOR_ACCOUNT_ID,
    ledgerTable: c.REACTOR_LEDGER_TABLE,
    eventBus: c.REACTOR_EVENT_BUS,
    defaultPolicy: c.REACTOR_DEFAULT_POLICY,
    mode: c.REACTOR_DRY_RUN ? 'dry-run' : 'apply',
    paused: c.REACTOR_PAUSED,
    queues: Object.freeze(c.REACTOR_QUEUES),
    ...(c.REACTOR_SUBMIT_QUEUES !== undefined ||
    c.REACTOR_SUBMIT_DEFINITIONS !== undefined ||
    c.REACTOR_SUBMIT_TAG !== undefined
      ? { submitScope: toSubmitScope(c.REACTOR_SUBMIT_QUEUES, c.REACTOR_SUBMIT_DEFINITIONS, c.REACTOR_SUBMIT_TAG) }
      : {}),
    batchTps: c.REACTOR_BATCH_TPS,
    maxResubmitsPerChange: c.REACTOR_MAX_RESUBMITS_PER_CHANGE,
    maxFutureSkewMs: c.REACTOR_MAX_FUTURE_SKEW_SECONDS * 1000,
    staleMarginMs: c.REACTOR_STALE_MARGIN_SECONDS * 1000,
    leaseMs: c.REACTOR_LEASE_SECONDS * 1000,
    ledgerTtlDays: c.REACTOR_LEDGER_TTL_DAYS,
  });
}

/** The submit scope the stack grants: names (none = nothing) and the opt-in `key=value` tag (value none = no tag). */
function toSubmitScope(
  queues: readonly string[] | undefined,
  definitions: readonly string[] | undefined,
  tag: string | undefined,
): SubmitScope {
  const at = tag?.indexOf('=') ?? -1;
  const key = tag && at > 0 ? tag.slice(0, at) : undefined;
  const value = tag && at > 0 ? tag.slice(at + 1) : undefined;
  return Object.freeze({
    queues: Object.freeze([...(queues ?? [])]),
    definitions: Object.freeze([...(definitions ?? [])]),
    ...(key && value && value !== 'none' ? { tag: Object.freeze({ key, value }) } : {}),
  });
}
