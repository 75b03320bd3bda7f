/**
 * The ledger table's shape (keys, GSIs, TTL), shared by serverless.yml's test, the sandbox, the CLI and the tests,
 * and its creation where no stack made it (the local sandbox).
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

/** Name of the GSI that holds the current stale inventory. */
export const INVENTORY_INDEX = 'inventory';
/** Name of the GSI that lists entries by `updatedAt`. */
export const BY_UPDATE_INDEX = 'byUpdate';
/** The TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
/** The sparse attribute that puts an entry in the inventory index; present ('stale') only while it counts. */
export const INVENTORY_ATTRIBUTE = 'inventory';
/** The attribute (always `ledger`) that puts job entries, and only those, in the `byUpdate` index. */
export const LEDGER_ATTRIBUTE = 'ledger';

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
      { AttributeName: LEDGER_ATTRIBUTE, AttributeType: 'S' },
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
          { AttributeName: LEDGER_ATTRIBUTE, KeyType: 'HASH' },
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
