import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeJobQueuesCommand } from '@aws-sdk/client-batch';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { serveSandbox } from '../../../lib/sandbox';
import { requireAwsCli } from '../../support/aws-cli';
import { batchClientFor, miniFleetFile } from '../../support/sandbox';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'sandbox-serve-'));

describe('serveSandbox', () => {
  it('serves the fleet file, prints how to reach it, and closes on SIGTERM', async () => {
    const lines: string[] = [];
    const { sandbox, closed } = await serveSandbox({ fleetFile: miniFleetFile, write: (line) => lines.push(line) });
    try {
      expect(lines).toEqual([
        `Batch, EventBridge, SSM and Secrets Manager sandbox: ${sandbox.endpoint}`,
        `DynamoDB (dynalite):          ${sandbox.dynamodbEndpoint}`,
        `Fleet: ${miniFleetFile} (3 queues, 3 definition revisions, 13 jobs; no metadata section: Parameter Store and Secrets Manager start empty, so a sweep finds every reference missing)`,
        `Try: aws batch describe-job-queues --endpoint-url ${sandbox.endpoint} --region us-east-2`,
      ]);
      const batch = batchClientFor(sandbox);
      expect((await batch.send(new DescribeJobQueuesCommand({}))).jobQueues).toHaveLength(3);
      batch.destroy();
      const dynamodb = new DynamoDBClient({
        endpoint: sandbox.dynamodbEndpoint,
        region: sandbox.region,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'ledger',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['ledger']);
      dynamodb.destroy();
    } finally {
      process.emit('SIGTERM');
      await closed;
    }
    await expect(fetch(`${sandbox.endpoint}/v1/listjobs`, { method: 'POST' })).rejects.toThrow();
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('prints an example command that the AWS CLI can run as printed', async () => {
    requireAwsCli();
    const lines: string[] = [];
    const { sandbox, closed } = await serveSandbox({ fleetFile: miniFleetFile, write: (line) => lines.push(line) });
    try {
      const command = lines.find((line) => line.startsWith('Try: '))?.slice('Try: '.length) ?? '';
      const [program, ...args] = command.split(' ');
      const { stdout } = await run(program, [...args, '--output', 'json'], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
        timeout: 30_000,
      });
      expect((JSON.parse(stdout) as { jobQueues: unknown[] }).jobQueues).toHaveLength(3);
    } finally {
      await sandbox.stop();
      await closed;
    }
  });

  it.each([
    ['a missing file', join(scratch, 'missing.json'), /^cannot read fleet snapshot .*missing\.json: /],
    ['invalid JSON', join(scratch, 'broken.json'), /^fleet snapshot .*broken\.json is not valid JSON: /],
    ['an invalid snapshot', join(scratch, 'invalid.json'), /^fleet snapshot .*invalid\.json is invalid: .*region/],
  ])('rejects %s with one line naming the file', async (_, file, message) => {
    writeFileSync(join(scratch, 'broken.json'), '{"region": ');
    writeFileSync(join(scratch, 'invalid.json'), JSON.stringify({ account: '123456789012', jobQueues: [] }));
    const error = await serveSandbox({ fleetFile: file, write: () => undefined }).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.name).toBe('InvalidInputError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });
});
