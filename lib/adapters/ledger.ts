/**
 * The ledger on DynamoDB: one item per (job, slot), claimed with a conditional write before any action.
 * Keys `jobId` (S) + `slot` (S); `expiresAt` (epoch seconds) is the TTL attribute. Two GSIs: the sparse
 * `inventory` (`inventory` = 'stale' + `staleSince`) holds done flag entries of jobs not replaced, and
 * `byUpdate` (`ledger` = 'ledger' on every entry + `updatedAt`) lists entries by time without a Scan.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  type UpdateTimeToLiveCommandInput,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidInputError, TransientError } from '../core/errors';
import { toParentJobId } from '../core/fleet';
import type { Claim, Ledger, LedgerEntry } from '../core/ports';

/** Options of {@link createLedger}; times are epoch milliseconds from `clock`. */
export interface LedgerOptions {
  readonly tableName: string;
  readonly leaseMs: number;
  readonly ttlDays: number;
  readonly clock: () => number;
}

/** Name of the GSI that holds the current stale inventory. */
export const INVENTORY_INDEX = 'inventory';
/** Name of the GSI that lists entries by `updatedAt`. */
export const BY_UPDATE_INDEX = 'byUpdate';
/** The TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
/** The sparse attribute that puts an entry in the inventory index; present ('stale') only while it counts. */
export const INVENTORY_ATTRIBUTE = 'inventory';

const RESUBMIT_SLOT = 'resubmit';
const FLAG_SLOT_PREFIX = 'flag#';
const STALE = 'stale';
const LEDGER = 'ledger';
const DAY_SECONDS = 86_400;
const CLAIM_ROUNDS = 3;
const BATCH_GET_LIMIT = 100;
/** How far back reconciliation looks for abandoned claims (older ones are left to the TTL). */
const RECONCILE_WINDOW_MS = 7 * DAY_SECONDS * 1000;

type Item = Record<string, unknown>;
type ClaimInput = Parameters<Ledger['claim']>[0];

const OPTIONAL_FIELDS = ['jobName', 'jobQueue', 'jobDefinition', 'replacementJobId', 'note', 'error'] as const;

/** Creates the DynamoDB ledger over a document client the caller built. */
export function createLedger(client: DynamoDBDocumentClient, options: LedgerOptions): Ledger {
  const { tableName, leaseMs, ttlDays, clock } = options;
  const expiresAt = (updatedAt: number) => Math.floor(updatedAt / 1000) + ttlDays * DAY_SECONDS;

  async function getEntry(jobId: string, slot: string): Promise<Item | undefined> {
    const out = await client.send(new GetCommand({ TableName: tableName, Key: { jobId, slot }, ConsistentRead: true }));
    return out.Item;
  }

  async function tryClaim(entry: ClaimInput): Promise<Claim | undefined> {
    const now = clock();
    const set: Record<string, unknown> = {
      state: 'claimed',
      action: entry.action,
      changeKeys: [...entry.changeKeys],
      references: [...entry.references],
      staleSince: entry.staleSince,
      claimedAt: entry.claimedAt,
      updatedAt: now,
      [TTL_ATTRIBUTE]: expiresAt(now),
      [LEDGER]: LEDGER,
    };
    // An item left by a failed or expired attempt keeps its old outcome fields unless removed here.
    const remove: string[] = [INVENTORY_ATTRIBUTE];
    for (const field of OPTIONAL_FIELDS) {
      if (entry[field] === undefined) remove.push(field);
      else set[field] = entry[field];
    }
    const update = toUpdate(set, remove, ['#attempts = if_not_exists(#attempts, :zero) + :one']);
    try {
      const out = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { jobId: entry.jobId, slot: entry.slot },
          UpdateExpression: update.expression,
          ConditionExpression:
            'attribute_not_exists(#jobId) OR #state = :failed OR (#state = :claimed AND #claimedAt < :leaseCutoff)',
          ExpressionAttributeNames: { ...update.names, '#jobId': 'jobId', '#attempts': 'attempts' },
          ExpressionAttributeValues: {
            ...update.values,
            ':zero': 0,
            ':one': 1,
            ':failed': 'failed',
            ':claimed': 'claimed',
            ':leaseCutoff': now - leaseMs,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const previous = out.Attributes ? toLedgerEntry(out.Attributes) : undefined;
      return previous ? { claimed: true, resumed: true, previous } : { claimed: true, resumed: false };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const holder = await getEntry(entry.jobId, entry.slot);
    return holder ? { claimed: false, holder: toLedgerEntry(holder) } : undefined;
  }

  async function setOutcome(jobId: string, slot: string, set: Item, remove: readonly string[]): Promise<void> {
    const now = clock();
    const update = toUpdate({ ...set, updatedAt: now, [TTL_ATTRIBUTE]: expiresAt(now) }, remove, []);
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { jobId, slot },
          UpdateExpression: update.expression,
          ConditionExpression: 'attribute_exists(#jobId)',
          ExpressionAttributeNames: { ...update.names, '#jobId': 'jobId' },
          ExpressionAttributeValues: update.values,
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new InvalidInputError(`no ledger entry for ${jobId} / ${slot}`);
      throw error;
    }
  }

  async function removeFromInventory(jobId: string, slot: string): Promise<void> {
    try {
      await client.send(
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
    return (await getEntry(toParentJobId(jobId), RESUBMIT_SLOT))?.state === 'done';
  }

  async function clearFlags(jobId: string): Promise<void> {
    const flags = await queryAll({
      TableName: tableName,
      KeyConditionExpression: '#jobId = :jobId AND begins_with(#slot, :flag)',
      FilterExpression: 'attribute_exists(#inventory)',
      ExpressionAttributeNames: { '#jobId': 'jobId', '#slot': 'slot', '#inventory': INVENTORY_ATTRIBUTE },
      ExpressionAttributeValues: { ':jobId': jobId, ':flag': FLAG_SLOT_PREFIX },
      ProjectionExpression: '#jobId, #slot',
      ConsistentRead: true,
    });
    await Promise.all(flags.map((flag) => removeFromInventory(String(flag.jobId), String(flag.slot))));
  }

  async function queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of paginateQuery({ client }, input)) items.push(...(page.Items ?? []));
    return items;
  }

  async function replacedParents(parents: readonly string[]): Promise<Set<string>> {
    const replaced = new Set<string>();
    for (let i = 0; i < parents.length; i += BATCH_GET_LIMIT) {
      let keys: Item[] = parents.slice(i, i + BATCH_GET_LIMIT).map((jobId) => ({ jobId, slot: RESUBMIT_SLOT }));
      // BatchGet may return a subset under load; the rest come back as UnprocessedKeys.
      while (keys.length > 0) {
        const out = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: '#jobId, #state',
                ExpressionAttributeNames: { '#jobId': 'jobId', '#state': 'state' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[tableName] ?? []) {
          if (item.state === 'done') replaced.add(String(item.jobId));
        }
        keys = (out.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined) ?? [];
      }
    }
    return replaced;
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

    async complete(jobId, slot, outcome) {
      const set: Item = { state: 'done' };
      const remove = ['error'];
      if (outcome.replacementJobId !== undefined) set.replacementJobId = outcome.replacementJobId;
      if (outcome.note !== undefined) set.note = outcome.note;
      if (slot.startsWith(FLAG_SLOT_PREFIX)) set[INVENTORY_ATTRIBUTE] = STALE;
      await setOutcome(jobId, slot, set, remove);
      // Write first, then look at the other slot (and the resubmit side does the same in reverse): whichever
      // of the two finishes second sees the other, so a replaced job never stays in the inventory.
      if (slot.startsWith(FLAG_SLOT_PREFIX) && (await isReplaced(jobId))) await removeFromInventory(jobId, slot);
      if (slot === RESUBMIT_SLOT) await clearFlags(jobId);
    },

    async fail(jobId, slot, error) {
      await setOutcome(jobId, slot, { state: 'failed', error }, [INVENTORY_ATTRIBUTE]);
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
        ExpressionAttributeNames: { '#ledger': LEDGER, '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':ledger': LEDGER, ':since': since },
        ScanIndexForward: false,
      });
      return items.map(toLedgerEntry);
    },

    async expiredClaims() {
      const now = clock();
      const items = await queryAll({
        TableName: tableName,
        IndexName: BY_UPDATE_INDEX,
        KeyConditionExpression: '#ledger = :ledger AND #updatedAt BETWEEN :from AND :cutoff',
        FilterExpression: '#state = :claimed',
        ExpressionAttributeNames: { '#ledger': LEDGER, '#updatedAt': 'updatedAt', '#state': 'state' },
        ExpressionAttributeValues: {
          ':ledger': LEDGER,
          ':from': now - RECONCILE_WINDOW_MS,
          ':cutoff': now - leaseMs,
          ':claimed': 'claimed',
        },
      });
      return items.map(toLedgerEntry);
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
      const parents = [...new Set(entries.filter((e) => e.jobId !== toParentJobId(e.jobId)).map((e) => parentOf(e)))];
      if (parents.length === 0) return entries;
      const replaced = await replacedParents(parents);
      return entries.filter((e) => !replaced.has(parentOf(e)));
    },
  };
}

/** The CreateTable input of the ledger table, shared by tests, the sandbox and serverless.yml. */
export function toLedgerTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'jobId', KeyType: 'HASH' },
      { AttributeName: 'slot', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'jobId', AttributeType: 'S' },
      { AttributeName: 'slot', AttributeType: 'S' },
      { AttributeName: INVENTORY_ATTRIBUTE, AttributeType: 'S' },
      { AttributeName: 'staleSince', AttributeType: 'N' },
      { AttributeName: LEDGER, AttributeType: 'S' },
      { AttributeName: 'updatedAt', AttributeType: 'N' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INVENTORY_INDEX,
        KeySchema: [
          { AttributeName: INVENTORY_ATTRIBUTE, KeyType: 'HASH' },
          { AttributeName: 'staleSince', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: BY_UPDATE_INDEX,
        KeySchema: [
          { AttributeName: LEDGER, KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** The UpdateTimeToLive input of the ledger table (TTL is not part of CreateTable). */
export function toLedgerTimeToLive(tableName: string): UpdateTimeToLiveCommandInput {
  return { TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } };
}

/** Creates the ledger table if it is missing and waits until it is active; for local use (sandbox, tests). */
export async function ensureLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(new CreateTableCommand(toLedgerTableDefinition(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  try {
    await client.send(new UpdateTimeToLiveCommand(toLedgerTimeToLive(tableName)));
  } catch (error) {
    // dynalite does not implement UpdateTimeToLive; items still carry the attribute, nothing else depends on it.
    if ((error as { name?: string }).name !== 'UnknownOperationException') throw error;
  }
}

function parentOf(entry: LedgerEntry): string {
  return toParentJobId(entry.jobId);
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
  for (const field of OPTIONAL_FIELDS) if (item[field] !== undefined) entry[field] = item[field];
  return entry as unknown as LedgerEntry;
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string }).name === 'ConditionalCheckFailedException';
}
