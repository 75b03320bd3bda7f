import { createServer } from 'node:net';
import { ListJobsCommand } from '@aws-sdk/client-batch';
import { startSandbox } from '../../../lib/sandbox';
import { batchClientFor, loadMiniFleet, rejectionOf } from '../../support/sandbox';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('startSandbox', () => {
  it('serves an empty us-east-2 fleet on an ephemeral loopback port by default, with dynalite', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.dynamodbEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect([sandbox.region, sandbox.account]).toEqual(['us-east-2', '123456789012']);
      expect(sandbox.jobs()).toEqual([]);
      expect(sandbox.job('nope')).toBeUndefined();
    } finally {
      await sandbox.stop();
      await sandbox.stop();
    }
  });

  it('listens on the given port and skips dynalite when asked', async () => {
    const port = await freePort();
    const sandbox = await startSandbox({ port, dynamodb: false });
    try {
      expect(sandbox.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(sandbox.dynamodbEndpoint).toBeUndefined();
    } finally {
      await sandbox.stop();
    }
  });

  it('keeps manual time still until advanced, and lets real time run from startTime', async () => {
    const manual = await startSandbox({ clock: 'manual', startTime: 1_000, dynamodb: false });
    const real = await startSandbox({ startTime: 5_000_000, dynamodb: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(manual.now()).toBe(1_000);
      manual.advance(500);
      expect(manual.now()).toBe(1_500);
      expect(() => manual.advance(-1)).toThrow(RangeError);
      expect(real.now()).toBeGreaterThanOrEqual(5_000_015);
      expect(real.now()).toBeLessThan(5_000_000 + 5_000);
    } finally {
      await Promise.all([manual.stop(), real.stop()]);
    }
  });

  it('applies the faults it was started with', async () => {
    const sandbox = await startSandbox({ fleet: loadMiniFleet(), faults: { throttleRate: 1 }, dynamodb: false });
    const batch = batchClientFor(sandbox, { maxAttempts: 1 });
    try {
      expect((await rejectionOf(batch.send(new ListJobsCommand({ jobQueue: 'mini-prod' })))).name).toBe(
        'TooManyRequestsException',
      );
    } finally {
      batch.destroy();
      await sandbox.stop();
    }
  });

  it('rejects an invalid fleet or lifecycle before listening', async () => {
    const fleet = { ...loadMiniFleet(), account: 'abc' };
    await expect(startSandbox({ fleet, dynamodb: false })).rejects.toThrow(/fleet is invalid: account/);
    await expect(startSandbox({ lifecycle: { runnableMs: -1 }, dynamodb: false })).rejects.toThrow(
      /lifecycle.runnableMs/,
    );
  });
});

describe('startSandbox (one endpoint for every service)', () => {
  it('forwards DynamoDB calls sent to the Batch endpoint to dynalite, outside the Batch request log', async () => {
    const { DynamoDBClient, ListTablesCommand, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const sandbox = await startSandbox();
    const client = new DynamoDBClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'through-sandbox',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const direct = new DynamoDBClient({
        endpoint: sandbox.dynamodbEndpoint,
        region: 'us-east-2',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      expect((await direct.send(new ListTablesCommand({}))).TableNames).toEqual(['through-sandbox']);
      direct.destroy();
      expect(sandbox.requests()).toEqual([]);
    } finally {
      client.destroy();
      await sandbox.stop();
    }
  });
});
