/**
 * The ledger on DynamoDB: one item per (job, slot), claimed with a conditional write before any action, every later
 * transition conditional on the claim's token. Leases are judged by the ledger clock (DynamoDB's `Date`), never by
 * the caller's. Keys `jobId` (S) + `slot` (S); the table's shape is in ledger-table.ts. Blast-radius budgets live in
 * the same table under reserved keys (lib/core/keys.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { FencedOutError, TransientError } from '../core/errors';
import { toParentJobId } from '../core/fleet';
import {
  type ChangeKey,
  FLAG_SLOT_NAME_PREFIX,
  parseSlotName,
  RESUBMIT,
  toBudgetItemKey,
  toSlotName,
} from '../core/keys';
import type { Budget, Claim, ClaimRequest, ClaimTicket, Fence, Ledger, LedgerEntry } from '../core/ports';
import { createLedgerClock, type LocalClocks, SYSTEM_CLOCKS } from './ledger-clock';
import { BY_UPDATE_INDEX, INVENTORY_ATTRIBUTE, INVENTORY_INDEX, LEDGER_ATTRIBUTE, TTL_ATTRIBUTE } from './ledger-table';

/** Options of {@link createLedger}. */
export interface LedgerOptions {
  readonly tableName: string;
  readonly leaseMs: number;
  readonly ttlDays: number;
  /** The caller's clock: used only until the first DynamoDB response tells the server's time. */
  readonly clock: () => number;
  /** The process's monotonic and wall clocks (default: the system's); tests move them with the server's. */
  readonly localClocks?: LocalClocks;
}

const STALE = 'stale';
const DAY_SECONDS = 86_400;
const CLAIM_ROUNDS = 3;
const BATCH_GET_LIMIT = 100;
/** How far back reconciliation looks for abandoned claims (older ones are left to the TTL). */
const RECONCILE_WINDOW_MS = 7 * DAY_SECONDS * 1000;
const RESUBMIT_SLOT = toSlotName(RESUBMIT);

type Item = Record<string, unknown>;

const OPTIONAL_FIELDS = ['jobName', 'jobQueue', 'jobDefinition', 'replacementJobId', 'note', 'error'] as const;
const CLAIMED_FIELDS = ['jobName', 'jobQueue', 'jobDefinition'] as const;

/**
 * A fence expires at half the lease after the renewal that made it, measured by both the monotonic and the wall
 * clock (whichever moved more: a suspended process or a clock jump both count), so a SubmitJob attempt never
 * leaves the process after another attempt could have taken the claim over.
 */
function createFence(leaseMs: number, ticket: ClaimTicket, local: LocalClocks): Fence {
  const since = { monotonic: local.monotonic(), wall: local.wall() };
  return {
    check() {
      const elapsed = Math.max(local.monotonic() - since.monotonic, local.wall() - since.wall);
      if (elapsed >= leaseMs / 2) {
        throw new FencedOutError(
          `claim ${ticket.jobId} / ${ticket.slot} renewed ${Math.round(elapsed / 1000)} s ago: not acting on it any more`,
        );
      }
    },
  };
}

/** Creates the DynamoDB ledger over a document client the caller built. */
export function createLedger(client: DynamoDBDocumentClient, options: LedgerOptions): Ledger {
  const { tableName, leaseMs, ttlDays } = options;
  const local = options.localClocks ?? SYSTEM_CLOCKS;
  const time = createLedgerClock(options.clock, local);
  const expiresAt = (updatedAt: number) => Math.floor(updatedAt / 1000) + ttlDays * DAY_SECONDS;

  // Every command records the server's time of its response (lease decisions use it), and a failed condition is an
  // answer, not a fault: never retried.
  const send = <T = Record<string, unknown>>(command: GetCommand | QueryCommand | UpdateCommand | BatchGetCommand) =>
    client.send(noRetryOnFailedCondition(time.watch(command)) as never) as Promise<T>;

  async function getItem(key: { jobId: string; slot: string }): Promise<Item | undefined> {
    const out = await send<{ Item?: Item }>(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  async function queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
        new QueryCommand({ ...input, ExclusiveStartKey }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** The server's time, asked again first when the last observation may be stale. */
  async function serverNow(key: { jobId: string; slot: string }): Promise<number> {
    if (!time.isFresh()) await getItem({ jobId: key.jobId, slot: key.slot });
    return time.now();
  }

  async function tryClaim(entry: ClaimRequest): Promise<Claim | undefined> {
    const now = await serverNow({ jobId: entry.jobId, slot: entry.slot });
    const token = randomUUID();
    const set: Item = {
      state: 'claimed',
      action: entry.action,
      changeKeys: [...entry.changeKeys],
      references: [...entry.references],
      staleSince: entry.staleSince,
      token,
      claimedAt: now,
      leaseUntil: now + leaseMs,
      updatedAt: now,
      [TTL_ATTRIBUTE]: expiresAt(now),
      [LEDGER_ATTRIBUTE]: LEDGER_ATTRIBUTE,
    };
    // An item left by a failed or abandoned attempt keeps its old outcome fields unless removed here.
    const remove: string[] = [INVENTORY_ATTRIBUTE, 'replacementJobId', 'note', 'error'];
    for (const field of CLAIMED_FIELDS) {
      if (entry[field] === undefined) remove.push(field);
      else set[field] = entry[field];
    }
    const update = toUpdate(set, remove, ['#attempts = if_not_exists(#attempts, :zero) + :one']);
    try {
      const out = await send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: tableName,
          Key: { jobId: entry.jobId, slot: entry.slot },
          UpdateExpression: update.expression,
          // A claim written before leases were fenced has no leaseUntil: its claimedAt plus the lease stands in.
          ConditionExpression:
            'attribute_not_exists(#jobId) OR #state = :failed OR (#state = :claimed AND #leaseUntil < :now) OR ' +
            '(#state = :claimed AND attribute_not_exists(#leaseUntil) AND #claimedAt < :legacyCutoff)',
          ExpressionAttributeNames: { ...update.names, '#jobId': 'jobId', '#attempts': 'attempts' },
          ExpressionAttributeValues: {
            ...update.values,
            ':zero': 0,
            ':one': 1,
            ':failed': 'failed',
            ':claimed': 'claimed',
            ':now': now,
            ':legacyCutoff': now - leaseMs,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const ticket = { jobId: entry.jobId, slot: entry.slot, token };
      const previous = out.Attributes ? toLedgerEntry(out.Attributes) : undefined;
      return previous ? { claimed: true, ticket, resumed: true, previous } : { claimed: true, ticket, resumed: false };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const holder = await getItem({ jobId: entry.jobId, slot: entry.slot });
    return holder ? { claimed: false, holder: toLedgerEntry(holder) } : undefined;
  }

  /** Applies a transition to a claim this process holds; false when the token or state no longer match. */
  async function transition(ticket: ClaimTicket, set: Item, remove: readonly string[]): Promise<boolean> {
    const now = await serverNow(ticket);
    const update = toUpdate({ ...set, updatedAt: now, [TTL_ATTRIBUTE]: expiresAt(now) }, remove, []);
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { jobId: ticket.jobId, slot: ticket.slot },
          UpdateExpression: update.expression,
          ConditionExpression: '#token = :token AND #state = :claimed',
          ExpressionAttributeNames: { ...update.names, '#token': 'token', '#state': 'state' },
          ExpressionAttributeValues: { ...update.values, ':token': ticket.token, ':claimed': 'claimed' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async function fencedOut(ticket: ClaimTicket, doing: string): Promise<FencedOutError> {
    const holder = await getItem({ jobId: ticket.jobId, slot: ticket.slot });
    const now = holder ? `${holder.state} by ${holder.token === ticket.token ? 'this' : 'another'} attempt` : 'gone';
    return new FencedOutError(`cannot ${doing} ${ticket.jobId} / ${ticket.slot}: the slot is ${now}`);
  }

  async function removeFromInventory(jobId: string, slot: string): Promise<void> {
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { jobId, slot },
          UpdateExpression: 'REMOVE #inventory',
          // Without the condition an entry deleted meanwhile (TTL) would come back as a bare key.
          ConditionExpression: 'attribute_exists(#jobId)',
          ExpressionAttributeNames: { '#inventory': INVENTORY_ATTRIBUTE, '#jobId': 'jobId' },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async function isReplaced(jobId: string): Promise<boolean> {
    // Array children and multi-node nodes are never resubmitted themselves: their parent is.
    return (await getItem({ jobId: toParentJobId(jobId), slot: RESUBMIT_SLOT }))?.state === 'done';
  }

  async function clearFlags(jobId: string): Promise<void> {
    const flags = await queryAll({
      TableName: tableName,
      KeyConditionExpression: '#jobId = :jobId AND begins_with(#slot, :flag)',
      FilterExpression: 'attribute_exists(#inventory)',
      ExpressionAttributeNames: { '#jobId': 'jobId', '#slot': 'slot', '#inventory': INVENTORY_ATTRIBUTE },
      ExpressionAttributeValues: { ':jobId': jobId, ':flag': FLAG_SLOT_NAME_PREFIX },
      ProjectionExpression: '#jobId, #slot',
      ConsistentRead: true,
    });
    await Promise.all(flags.map((flag) => removeFromInventory(String(flag.jobId), String(flag.slot))));
  }

  /** Reads items by key in BatchGet pages, following UnprocessedKeys (DynamoDB may return a subset under load). */
  async function batchGet(keys: readonly Item[], projection?: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    const names = Object.fromEntries((projection ?? []).map((field) => [`#${field}`, field]));
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      let pending: Item[] = keys.slice(i, i + BATCH_GET_LIMIT);
      while (pending.length > 0) {
        const out = await send<{
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
        }>(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ConsistentRead: true,
                ...(projection
                  ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names }
                  : {}),
              },
            },
          }),
        );
        items.push(...(out.Responses?.[tableName] ?? []));
        pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }
    return items;
  }

  async function completeFlagOrResubmit(jobId: string, slot: string): Promise<void> {
    // Write first, then look at the other slot (and the resubmit side does the same in reverse): whichever of the
    // two finishes second sees the other, so a replaced job never stays in the inventory.
    if (parseSlotName(slot)?.kind === 'flag' && (await isReplaced(jobId))) await removeFromInventory(jobId, slot);
    if (slot === RESUBMIT_SLOT) await clearFlags(jobId);
  }

  return {
    async claim(entry) {
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        const claim = await tryClaim(entry);
        if (claim) return claim;
      }
      // The holder vanished between the failed write and the read each time: only TTL deletion or a human.
      throw new TransientError(`ledger claim of ${entry.jobId} / ${entry.slot} did not settle`);
    },

    async renew(ticket) {
      const renewed = await transition(ticket, { leaseUntil: (await serverNow(ticket)) + leaseMs }, []);
      return renewed ? createFence(leaseMs, ticket, local) : undefined;
    },

    async complete(ticket, outcome) {
      const set: Item = { state: 'done' };
      if (outcome.replacementJobId !== undefined) set.replacementJobId = outcome.replacementJobId;
      if (outcome.note !== undefined) set.note = outcome.note;
      if (parseSlotName(ticket.slot)?.kind === 'flag') set[INVENTORY_ATTRIBUTE] = STALE;
      if (!(await transition(ticket, set, ['error']))) throw await fencedOut(ticket, 'complete');
      await completeFlagOrResubmit(ticket.jobId, ticket.slot);
    },

    async fail(ticket, error, failOptions = {}) {
      const state = failOptions.refused ? 'refused' : 'failed';
      if (!(await transition(ticket, { state, error }, [INVENTORY_ATTRIBUTE]))) throw await fencedOut(ticket, 'fail');
    },

    async settle(entry, outcome) {
      if (entry.token === undefined) return false;
      const now = await serverNow(entry);
      const set: Item =
        'error' in outcome
          ? { state: 'failed', error: outcome.error }
          : { state: 'done', replacementJobId: outcome.replacementJobId, note: outcome.note };
      const update = toUpdate({ ...set, updatedAt: now, [TTL_ATTRIBUTE]: expiresAt(now) }, [], []);
      try {
        await send(
          new UpdateCommand({
            TableName: tableName,
            Key: { jobId: entry.jobId, slot: entry.slot },
            UpdateExpression: update.expression,
            // Only the attempt reconciliation looked at, and only once its lease has passed by the ledger's clock.
            ConditionExpression: '#token = :token AND #state = :claimed AND #leaseUntil < :now',
            ExpressionAttributeNames: { ...update.names, '#token': 'token', '#leaseUntil': 'leaseUntil' },
            ExpressionAttributeValues: { ...update.values, ':token': entry.token, ':claimed': 'claimed', ':now': now },
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
      if (!('error' in outcome)) await completeFlagOrResubmit(entry.jobId, entry.slot);
      return true;
    },

    async entriesOf(jobId) {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: '#jobId = :jobId',
        ExpressionAttributeNames: { '#jobId': 'jobId' },
        ExpressionAttributeValues: { ':jobId': jobId },
        ConsistentRead: true,
      });
      return items.map(toLedgerEntry);
    },

    async listSince(since) {
      const items = await queryAll({
        TableName: tableName,
        IndexName: BY_UPDATE_INDEX,
        KeyConditionExpression: '#ledger = :ledger AND #updatedAt >= :since',
        ExpressionAttributeNames: { '#ledger': LEDGER_ATTRIBUTE, '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':ledger': LEDGER_ATTRIBUTE, ':since': since },
        ScanIndexForward: false,
      });
      return items.map(toLedgerEntry);
    },

    async expiredClaims() {
      // The query's own response carries the server time: ask for a wide window, then judge leases by that time.
      const items = await queryAll({
        TableName: tableName,
        IndexName: BY_UPDATE_INDEX,
        KeyConditionExpression: '#ledger = :ledger AND #updatedAt >= :from',
        FilterExpression: '#state = :claimed',
        ExpressionAttributeNames: { '#ledger': LEDGER_ATTRIBUTE, '#updatedAt': 'updatedAt', '#state': 'state' },
        ExpressionAttributeValues: {
          ':ledger': LEDGER_ATTRIBUTE,
          ':from': time.now() - RECONCILE_WINDOW_MS,
          ':claimed': 'claimed',
        },
      });
      const now = time.now();
      return items.map(toLedgerEntry).filter((entry) => (entry.leaseUntil ?? entry.claimedAt + leaseMs) < now);
    },

    async staleInventory() {
      const entries = (
        await queryAll({
          TableName: tableName,
          IndexName: INVENTORY_INDEX,
          KeyConditionExpression: '#inventory = :stale',
          ExpressionAttributeNames: { '#inventory': INVENTORY_ATTRIBUTE },
          ExpressionAttributeValues: { ':stale': STALE },
        })
      ).map(toLedgerEntry);
      // A replaced array parent or multi-node job does not clear its children's partitions (no cheap way to
      // find them), so children of a replaced parent are filtered out here instead.
      const parents = [
        ...new Set(entries.filter((e) => e.jobId !== toParentJobId(e.jobId)).map((e) => toParentJobId(e.jobId))),
      ];
      if (parents.length === 0) return entries;
      const items = await batchGet(
        parents.map((jobId) => ({ jobId, slot: RESUBMIT_SLOT })),
        ['jobId', 'state'],
      );
      const replaced = new Set(items.filter((item) => item.state === 'done').map((item) => String(item.jobId)));
      return entries.filter((e) => !replaced.has(toParentJobId(e.jobId)));
    },

    async budgetsOf(changes) {
      const keys = [...new Set(changes)].map((change) => toBudgetItemKey(change));
      const byJobId = new Map(changes.map((change) => [toBudgetItemKey(change).jobId, change]));
      const budgets = new Map<ChangeKey, Budget>();
      for (const item of await batchGet(keys)) {
        const change = byJobId.get(String(item.jobId));
        if (change) budgets.set(change, toBudget(item));
      }
      return budgets;
    },

    async reserve(change, jobId, weight, cap) {
      const key = toBudgetItemKey(change);
      if (weight > cap) return { reserved: false, used: toBudget((await getItem(key)) ?? {}).used };
      const now = time.now();
      try {
        const out = await send<{ Attributes?: Item }>(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'ADD #jobs :job, #used :weight SET #expiresAt = :expiresAt',
            ConditionExpression: '(attribute_not_exists(#used) OR #used <= :room) AND NOT contains(#jobs, :jobId)',
            ExpressionAttributeNames: { '#jobs': 'jobs', '#used': 'used', '#expiresAt': TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':job': new Set([jobId]),
              ':jobId': jobId,
              ':weight': weight,
              ':room': cap - weight,
              ':expiresAt': expiresAt(now),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { reserved: true, used: toBudget(out.Attributes ?? {}).used };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      const budget = toBudget((await getItem(key)) ?? {});
      // Reserved by an earlier attempt for the same job: it keeps its place (a retry never counts twice).
      return { reserved: budget.jobs.has(jobId), used: budget.used };
    },
  };
}

/**
 * The SDK retries any error it saw while correcting the caller's clock skew (a caller more than 4 minutes off the
 * server, e.g. an operator's laptop, or the sandbox's clock): for a failed condition that only repeats the same
 * answer up to `maxAttempts` times with backoff. The flag is cleared between the signer and the retry loop.
 */
function noRetryOnFailedCondition<C extends object>(command: C): C {
  const stack = (command as unknown as { middlewareStack: { addRelativeTo(m: unknown, o: unknown): void } })
    .middlewareStack;
  stack.addRelativeTo(
    (next: (args: object) => Promise<unknown>) => async (args: object) => {
      try {
        return await next(args);
      } catch (error) {
        const metadata = (error as { $metadata?: { clockSkewCorrected?: boolean } }).$metadata;
        if (isConditionFailed(error) && metadata) metadata.clockSkewCorrected = false;
        throw error;
      }
    },
    {
      name: 'rotationReactorNoRetryOnFailedCondition',
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      override: true,
    },
  );
  return command;
}

function toBudget(item: Item): Budget {
  const jobs = item.jobs instanceof Set ? (item.jobs as Set<string>) : new Set<string>();
  return { used: typeof item.used === 'number' ? item.used : 0, jobs };
}

function toUpdate(set: Item, remove: readonly string[], extraSet: readonly string[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments = [...extraSet];
  for (const [field, value] of Object.entries(set)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    assignments.push(`#${field} = :${field}`);
  }
  for (const field of remove) names[`#${field}`] = field;
  const removal = remove.length > 0 ? ` REMOVE ${remove.map((field) => `#${field}`).join(', ')}` : '';
  return { expression: `SET ${assignments.join(', ')}${removal}`, names, values };
}

function toLedgerEntry(item: Item): LedgerEntry {
  const entry: Record<string, unknown> = {
    jobId: item.jobId,
    slot: item.slot,
    state: item.state,
    action: item.action,
    changeKeys: item.changeKeys ?? [],
    references: item.references ?? [],
    staleSince: item.staleSince,
    claimedAt: item.claimedAt,
    updatedAt: item.updatedAt,
    attempts: item.attempts ?? 0,
  };
  if (typeof item.leaseUntil === 'number') entry.leaseUntil = item.leaseUntil;
  if (typeof item.token === 'string') entry.token = item.token;
  for (const field of OPTIONAL_FIELDS) if (item[field] !== undefined) entry[field] = item[field];
  return entry as unknown as LedgerEntry;
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string }).name === 'ConditionalCheckFailedException';
}
