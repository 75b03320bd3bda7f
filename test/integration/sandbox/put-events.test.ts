import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { eventBridgeClientFor, rejectionOf } from '../../support/sandbox';

const START = Date.UTC(2026, 0, 2, 3, 4, 5);

let sandbox: Sandbox;
let events: ReturnType<typeof eventBridgeClientFor>;

beforeAll(async () => {
  sandbox = await startSandbox({ clock: 'manual', startTime: START, dynamodb: false });
  events = eventBridgeClientFor(sandbox, { maxAttempts: 1 });
});

afterAll(async () => {
  events.destroy();
  await sandbox.stop();
});

beforeEach(() => sandbox.setFaults({}));

const anEntry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'rotation-reactor',
  DetailType: 'Stale Job Flagged',
  Detail: JSON.stringify({ jobId: 'j-1', reason: 'stale' }),
  Resources: ['arn:aws:batch:us-east-2:123456789012:job/j-1'],
  ...overrides,
});

describe('PutEvents', () => {
  it('accepts entries, returns an EventId each, and captures them with parsed detail', async () => {
    const before = sandbox.events().length;
    const response = await events.send(
      new PutEventsCommand({
        Entries: [
          anEntry(),
          anEntry({ DetailType: 'Change Processed', EventBusName: 'ops', Time: new Date(START - 60_000) }),
        ],
      }),
    );
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries?.every((entry) => typeof entry.EventId === 'string')).toBe(true);
    expect(sandbox.events().slice(before)).toEqual([
      {
        id: response.Entries?.[0].EventId,
        source: 'rotation-reactor',
        detailType: 'Stale Job Flagged',
        detail: { jobId: 'j-1', reason: 'stale' },
        resources: ['arn:aws:batch:us-east-2:123456789012:job/j-1'],
        eventBusName: 'default',
        time: '2026-01-02T03:04:05Z',
      },
      expect.objectContaining({ detailType: 'Change Processed', eventBusName: 'ops', time: '2026-01-02T03:03:05Z' }),
    ]);
  });

  it('fails entries without Detail or with a non-object Detail (InvalidArgument) or unparseable Detail (MalformedDetail), index by index', async () => {
    const response = await events.send(
      new PutEventsCommand({
        Entries: [anEntry(), anEntry({ Detail: undefined }), anEntry({ Detail: '[1, 2]' }), anEntry({ Detail: '{' })],
      }),
    );
    expect(response.FailedEntryCount).toBe(3);
    expect(response.Entries?.map((entry) => entry.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
    ]);
    expect(response.Entries?.[1].ErrorMessage).toMatch(/Detail/);
  });

  it.each([
    ['no entries', []],
    ['11 entries', Array.from({ length: 11 }, () => anEntry())],
    ['only entries missing required fields', [anEntry({ Source: undefined })]],
  ])('rejects %s with a ValidationException', async (_, Entries) => {
    const error = await rejectionOf(events.send(new PutEventsCommand({ Entries })));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('fails entries with InternalFailure at putEventsFailureRate, deterministically per seed', async () => {
    const outcomes = async () => {
      sandbox.setFaults({ putEventsFailureRate: 0.5, seed: 42 });
      const response = await events.send(
        new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => anEntry({ Detail: `{"i":${i}}` })) }),
      );
      return response.Entries?.map((entry) => entry.ErrorCode ?? 'ok');
    };
    const first = await outcomes();
    expect(first).toContain('InternalFailure');
    expect(first).toContain('ok');
    expect(await outcomes()).toEqual(first);
  });

  it('does not capture failed entries', async () => {
    sandbox.setFaults({ putEventsFailureRate: 1 });
    const before = sandbox.events().length;
    const response = await events.send(new PutEventsCommand({ Entries: [anEntry(), anEntry()] }));
    expect(response.FailedEntryCount).toBe(2);
    expect(sandbox.events()).toHaveLength(before);
  });

  it('surfaces throttling as ThrottlingException', async () => {
    sandbox.setFaults({ throttleRate: 1 });
    const error = await rejectionOf(events.send(new PutEventsCommand({ Entries: [anEntry()] })));
    expect(error.name).toBe('ThrottlingException');
  });
});
