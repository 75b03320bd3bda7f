import 'aws-sdk-client-mock-jest';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { createEmitter, MAX_REQUEST_BYTES, toEntrySize } from '../../../lib/adapters/emitter';
import type { OutputEvent } from '../../../lib/core/ports';

const eventBridge = mockClient(EventBridgeClient);
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

const anEvent = (overrides: Partial<OutputEvent> = {}): OutputEvent => ({
  detailType: 'Stale Job Flagged',
  detail: { jobId: 'job-1' },
  resources: ['arn:aws:batch:us-east-2:123456789012:job/job-1'],
  ...overrides,
});

const events = (count: number) => Array.from({ length: count }, (_, i) => anEvent({ detail: { jobId: `job-${i}` } }));

const ok = (entries: readonly unknown[]) => ({
  FailedEntryCount: 0,
  Entries: entries.map((_, i) => ({ EventId: `id-${i}` })),
});

const sentEntries = (call: number): PutEventsRequestEntry[] =>
  eventBridge.commandCalls(PutEventsCommand)[call].args[0].input.Entries ?? [];

function setup(overrides: { maxAttempts?: number } = {}) {
  const sleep = jest.fn(async (_ms: number) => {});
  const emitter = createEmitter(new EventBridgeClient({}), {
    eventBusName: 'reactor-bus',
    clock: () => NOW,
    sleep,
    ...overrides,
  });
  return { emitter, sleep };
}

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input) => ok(input.Entries ?? []));
});

describe('createEmitter', () => {
  it('sends nothing for no events', async () => {
    const { emitter } = setup();
    await expect(emitter.emit([])).resolves.toEqual({ failed: [] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('maps an event to one entry with source, bus, JSON detail, resources and the clock time', async () => {
    const { emitter } = setup();
    await emitter.emit([anEvent({ detail: { jobId: 'job-1', references: ['a'] } })]);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'rotation-reactor',
          DetailType: 'Stale Job Flagged',
          Detail: '{"jobId":"job-1","references":["a"]}',
          Resources: ['arn:aws:batch:us-east-2:123456789012:job/job-1'],
          EventBusName: 'reactor-bus',
          Time: new Date(NOW),
        },
      ],
    });
  });

  it('uses a configured source', async () => {
    const emitter = createEmitter(new EventBridgeClient({}), { eventBusName: 'b', source: 'custom.source' });
    await emitter.emit([anEvent()]);
    expect(sentEntries(0)[0].Source).toBe('custom.source');
  });

  it('sends 25 events in three requests of 10, 10 and 5', async () => {
    const { emitter } = setup();
    const result = await emitter.emit(events(25));
    expect(result.failed).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect([0, 1, 2].map((call) => sentEntries(call).length)).toEqual([10, 10, 5]);
    const details = [0, 1, 2].flatMap((call) => sentEntries(call).map((e) => JSON.parse(e.Detail ?? '{}').jobId));
    expect(details).toEqual(events(25).map((e) => e.detail.jobId));
  });

  it('splits a request before its entries reach 256 KB', async () => {
    const { emitter } = setup();
    const big = 'x'.repeat(100 * 1024);
    const result = await emitter.emit(events(5).map((e) => ({ ...e, detail: { ...e.detail, big } })));
    expect(result.failed).toEqual([]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([2, 2, 1]);
    for (const call of calls) {
      const total = (call.args[0].input.Entries ?? []).reduce((sum, e) => sum + toEntrySize(e), 0);
      expect(total).toBeLessThan(MAX_REQUEST_BYTES);
    }
  });

  it('reports an entry too large for any request without sending it', async () => {
    const { emitter } = setup();
    const huge = anEvent({ detail: { big: 'x'.repeat(MAX_REQUEST_BYTES) } });
    const result = await emitter.emit([huge, anEvent()]);
    expect(result.failed).toEqual([{ event: huge, error: expect.stringContaining('entry too large') }]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sentEntries(0)).toHaveLength(1);
  });

  it('retries only the entries that failed with a retryable code, then succeeds', async () => {
    const { emitter, sleep } = setup();
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
          { EventId: 'c' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      })
      .callsFake((input) => ok(input.Entries ?? []));
    const sent = events(4);
    const result = await emitter.emit(sent);
    expect(result.failed).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(sentEntries(1).map((e) => JSON.parse(e.Detail ?? '{}').jobId)).toEqual(['job-1', 'job-3']);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('reports a non-retryable failure at once, without retrying it', async () => {
    const { emitter, sleep } = setup();
    eventBridge.on(PutEventsCommand).resolvesOnce({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad detail' }],
    });
    const sent = events(2);
    const result = await emitter.emit(sent);
    expect(result.failed).toEqual([{ event: sent[1], error: 'MalformedDetail: bad detail' }]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('reports entries still failing after maxAttempts, backing off between attempts', async () => {
    const { emitter, sleep } = setup({ maxAttempts: 3 });
    eventBridge.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 1,
      Entries: (input.Entries ?? []).map((e: PutEventsRequestEntry) =>
        e.Detail?.includes('job-0')
          ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }
          : { EventId: 'x' },
      ),
    }));
    const sent = events(2);
    const result = await emitter.emit(sent);
    expect(result.failed).toEqual([{ event: sent[0], error: 'ThrottlingException: slow down (after 3 attempts)' }]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect(sentEntries(1)).toHaveLength(1);
    expect(sleep).toHaveBeenCalledTimes(2);
    const [first, second] = sleep.mock.calls.map(([ms]) => ms);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
  });

  it('reports every entry of a request that throws, and still sends the other requests', async () => {
    const { emitter } = setup();
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' }))
      .callsFake((input) => ok(input.Entries ?? []));
    const sent = events(12);
    const result = await emitter.emit(sent);
    expect(result.failed).toEqual(
      sent.slice(0, 10).map((event) => ({ event, error: 'ServiceUnavailable: service unavailable' })),
    );
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('returns failures in the order the events were given', async () => {
    const { emitter } = setup({ maxAttempts: 1 });
    eventBridge.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: input.Entries?.length,
      Entries: (input.Entries ?? []).map(() => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' })),
    }));
    const sent = events(23);
    const result = await emitter.emit(sent);
    expect(result.failed.map((f) => f.event)).toEqual(sent);
  });
});

describe('toEntrySize', () => {
  it('counts 14 bytes for Time plus the UTF-8 bytes of source, detail-type, detail and resources', () => {
    const size = toEntrySize({
      Time: new Date(),
      Source: 'src',
      DetailType: 'dt',
      Detail: '{"a":"é"}',
      Resources: ['r1', 'r2'],
    });
    expect(size).toBe(14 + 3 + 2 + 10 + 4);
  });
});
