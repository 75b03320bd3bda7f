/** The operators' control record: one item of the ledger table (lib/core/keys.ts), read at every invocation. */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CONTROL_ITEM_KEY } from '../core/keys';
import type { ControlRecord, ControlStore } from '../core/ports';

const FIELDS = ['paused', 'dryRun', 'maxResubmitsPerChange'] as const;

/** Creates the control store over the ledger table. */
export function createControlStore(
  client: DynamoDBDocumentClient,
  options: { readonly tableName: string; readonly clock: () => number },
): ControlStore {
  const toRecord = (item: Record<string, unknown>): ControlRecord => ({
    ...(typeof item.paused === 'boolean' ? { paused: item.paused } : {}),
    ...(typeof item.dryRun === 'boolean' ? { dryRun: item.dryRun } : {}),
    ...(typeof item.maxResubmitsPerChange === 'number' ? { maxResubmitsPerChange: item.maxResubmitsPerChange } : {}),
    updatedAt: Number(item.updatedAt ?? 0),
    updatedBy: String(item.updatedBy ?? 'unknown'),
    ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
  });
  return {
    async read() {
      const out = await client.send(
        new GetCommand({ TableName: options.tableName, Key: CONTROL_ITEM_KEY, ConsistentRead: true }),
      );
      return out.Item ? toRecord(out.Item) : undefined;
    },

    async write(update, by) {
      const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#updatedBy': 'updatedBy' };
      const values: Record<string, unknown> = { ':updatedAt': options.clock(), ':updatedBy': by.who };
      const set = ['#updatedAt = :updatedAt', '#updatedBy = :updatedBy'];
      const remove: string[] = [];
      for (const field of FIELDS) {
        const value = update[field];
        if (value === undefined) continue;
        names[`#${field}`] = field;
        if (value === null) remove.push(`#${field}`);
        else {
          values[`:${field}`] = value;
          set.push(`#${field} = :${field}`);
        }
      }
      names['#reason'] = 'reason';
      if (by.why) {
        values[':reason'] = by.why;
        set.push('#reason = :reason');
      } else remove.push('#reason');
      const out = await client.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: CONTROL_ITEM_KEY,
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(out.Attributes ?? {});
    },
  };
}
