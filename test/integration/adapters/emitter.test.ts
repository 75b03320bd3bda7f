import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createEmitter } from '../../../lib/adapters/emitter';
import type { OutputEvent } from '../../../lib/core/ports';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
let sandbox: Sandbox;
let client: EventBridgeClient;

const events = (count: number): OutputEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    detailType: 'Stale Job Flagged',
    detail: { jobId: `job-${i}`, staleRef: 'arn:aws:ssm:us-east-2:123456789012:parameter/db-password' },
    resources: [`arn:aws:batch:us-east-2:123456789012:job/job-${i}`],
  }));

const anEmitter = (maxAttempts = 3) =>
  createEmitter(client, { eventBusName: 'reactor-bus', maxAttempts, clock: () => NOW, sleep: async () => {} });

beforeAll(async () => {
  sandbox = await startSandbox({ dynamodb: false });
  client = new EventBridgeClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await sandbox.stop();
});

beforeEach(() => {
  sandbox.setFaults({});
  sandbox.resetRequestLog();
});

describe('createEmitter (against the sandbox)', () => {
  it('delivers 25 events in three PutEvents requests, shaped as sent', async () => {
    const before = sandbox.events().length;
    const result = await anEmitter().emit(events(25));
    expect(result.failed).toEqual([]);
    expect(sandbox.countsByOperation().PutEvents).toBe(3);
    const captured = sandbox.events().slice(before);
    expect(captured.map((e) => (e.detail as { jobId: string }).jobId)).toEqual(events(25).map((e) => e.detail.jobId));
    expect(captured[0]).toMatchObject({
      source: 'rotation-reactor',
      detailType: 'Stale Job Flagged',
      eventBusName: 'reactor-bus',
      resources: ['arn:aws:batch:us-east-2:123456789012:job/job-0'],
      time: '2026-01-15T12:00:00Z',
    });
  });

  it('retries entries the service failed until each is delivered exactly once', async () => {
    sandbox.setFaults({ putEventsFailureRate: 0.4, seed: 7 });
    const before = sandbox.events().length;
    const result = await anEmitter(20).emit(events(30));
    expect(result.failed).toEqual([]);
    expect(sandbox.countsByOperation().PutEvents).toBeGreaterThan(3);
    const jobIds = sandbox
      .events()
      .slice(before)
      .map((e) => (e.detail as { jobId: string }).jobId);
    expect(jobIds.sort()).toEqual(
      events(30)
        .map((e) => String(e.detail.jobId))
        .sort(),
    );
  });

  it('reports entries still failing after maxAttempts', async () => {
    sandbox.setFaults({ putEventsFailureRate: 1 });
    const before = sandbox.events().length;
    const sent = events(4);
    const result = await anEmitter(2).emit(sent);
    expect(result.failed).toEqual(
      sent.map((event) => ({ event, error: 'InternalFailure: Internal service failure. (after 2 attempts)' })),
    );
    expect(sandbox.countsByOperation().PutEvents).toBe(2);
    expect(sandbox.events().length).toBe(before);
  });

  it('reports every entry of a request the service rejects as a whole', async () => {
    sandbox.setFaults({ serverErrorRate: 1, operations: ['PutEvents'] });
    const before = sandbox.events().length;
    const sent = events(3);
    const result = await anEmitter().emit(sent);
    expect(result.failed.map((f) => f.event)).toEqual(sent);
    expect(result.failed[0].error).toBe('InternalException: Internal service error');
    expect(sandbox.events().length).toBe(before);
  });
});
