import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createLedger } from '../../../lib/adapters/ledger';
import { ensureLedgerTable, TTL_ATTRIBUTE } from '../../../lib/adapters/ledger-table';
import { FencedOutError } from '../../../lib/core/errors';
import type { ChangeKey } from '../../../lib/core/keys';
import type { Claim, ClaimRequest, ClaimTicket, Ledger, LedgerEntry } from '../../../lib/core/ports';
import { type LocalDynamoDb, startDynamoDb } from '../../../lib/sandbox/dynamodb';

const LEASE_MS = 60_000;
const TTL_DAYS = 30;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const CHANGE = 'ssm:aws:us-east-2:123456789012:db-password|value-changed|2026-01-15T11:59:00.000Z' as ChangeKey;

/** A time the ledger clock read: the server's `Date` (whole seconds) plus the few ms elapsed since it. */
const near = (ms: number) => ({
  asymmetricMatch: (actual: unknown) => typeof actual === 'number' && actual >= ms && actual < ms + 1_000,
  toString: () => `near(${new Date(ms).toISOString()})`,
});

/** The DynamoDB server's clock (what its `Date` header says): the ledger judges leases by it. */
let serverNow = T0;
let dynamodb: LocalDynamoDb;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let tableCount = 0;

const aClaim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  jobId: 'job-1',
  slot: 'resubmit',
  action: 'resubmit',
  jobName: 'nightly-etl',
  jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/main',
  jobDefinition: 'arn:aws:batch:us-east-2:123456789012:job-definition/etl:3',
  changeKeys: [CHANGE],
  references: ['arn:aws:ssm:us-east-2:123456789012:parameter/db-password'],
  staleSince: T0 - 60_000,
  ...overrides,
});

const aFlag = (jobId: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest =>
  aClaim({ jobId, slot: `flag#change-${jobId}`, action: 'flag', ...overrides });

function ticketOf(claim: Claim): ClaimTicket {
  if (!claim.claimed) throw new Error(`expected a claim, the slot is held: ${JSON.stringify(claim.holder)}`);
  return claim.ticket;
}

/**
 * A ledger on a fresh table. Time passes for the process as it does for the server (the test moves both), but the
 * caller's wall clock is `callerOffset` ms away from the server's. `system` uses the real local clocks instead.
 */
async function aLedger(options: { callerOffset?: number; leaseMs?: number; system?: boolean } = {}) {
  const tableName = `ledger-${++tableCount}`;
  await ensureLedgerTable(raw, tableName);
  const make = (callerOffset = options.callerOffset ?? 0) =>
    createLedger(documents, {
      tableName,
      leaseMs: options.leaseMs ?? LEASE_MS,
      ttlDays: TTL_DAYS,
      clock: () => serverNow + callerOffset,
      ...(options.system ? {} : { localClocks: { monotonic: () => serverNow, wall: () => serverNow + callerOffset } }),
    });
  const rawItem = async (jobId: string, slot: string) =>
    (await documents.send(new GetCommand({ TableName: tableName, Key: { jobId, slot } }))).Item;
  const claimAndDo = async (ledger: Ledger, request: ClaimRequest, then: 'complete' | 'fail', error = 'boom') => {
    const ticket = ticketOf(await ledger.claim(request));
    if (then === 'complete') await ledger.complete(ticket, {});
    else await ledger.fail(ticket, error);
    return ticket;
  };
  return { ledger: make(), make, tableName, rawItem, claimAndDo };
}

beforeAll(async () => {
  dynamodb = await startDynamoDb(() => serverNow);
  raw = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: 'us-east-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  documents = DynamoDBDocumentClient.from(raw);
});

beforeEach(() => {
  serverNow = T0;
});

afterAll(async () => {
  documents.destroy();
  await dynamodb.stop();
});

describe('ensureLedgerTable', () => {
  it('is idempotent', async () => {
    const { tableName } = await aLedger();
    await expect(ensureLedgerTable(raw, tableName)).resolves.toBeUndefined();
  });
});

describe('createLedger', () => {
  describe('claim', () => {
    it('claims an absent entry once, with a token, attempts 1 and a lease in ledger time', async () => {
      const { ledger, rawItem } = await aLedger();
      const claim = await ledger.claim(aClaim());
      expect(claim).toEqual({
        claimed: true,
        resumed: false,
        ticket: { jobId: 'job-1', slot: 'resubmit', token: expect.any(String) },
      });
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({
        state: 'claimed',
        attempts: 1,
        token: ticketOf(claim).token,
        claimedAt: near(T0),
        leaseUntil: near(T0 + LEASE_MS),
        updatedAt: near(T0),
      });
    });

    it('lets exactly one of ten concurrent claims win', async () => {
      const { ledger } = await aLedger();
      const claims = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(aClaim())));
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      for (const loser of claims.filter((c) => !c.claimed)) {
        expect(loser).toMatchObject({ claimed: false, holder: { jobId: 'job-1', slot: 'resubmit', state: 'claimed' } });
      }
    });

    it('returns the holder while its lease runs by the server clock', async () => {
      const { ledger } = await aLedger();
      await ledger.claim(aClaim());
      serverNow += LEASE_MS - 1_000;
      const second = await ledger.claim(aClaim());
      expect(second).toEqual({
        claimed: false,
        holder: expect.objectContaining({ state: 'claimed', claimedAt: near(T0), attempts: 1, action: 'resubmit' }),
      });
    });

    it('ignores a caller clock that runs ahead: a fresh claim is never taken over', async () => {
      const { ledger, make } = await aLedger();
      await ledger.claim(aClaim());
      // An operator's laptop an hour ahead (the lease is one minute).
      const skewed = make(60 * 60_000);
      await expect(skewed.claim(aClaim())).resolves.toMatchObject({ claimed: false });
    });

    it('takes over a lease that passed by the server clock, even for a caller whose clock lags behind', async () => {
      const { ledger, make, rawItem } = await aLedger();
      const first = ticketOf(await ledger.claim(aClaim()));
      serverNow += LEASE_MS + 2_000;
      const lagging = make(-60 * 60_000);
      const takeover = await lagging.claim(aClaim());
      expect(takeover).toEqual({
        claimed: true,
        resumed: true,
        ticket: expect.objectContaining({ jobId: 'job-1', slot: 'resubmit' }),
        previous: expect.objectContaining({ state: 'claimed', claimedAt: near(T0), attempts: 1, token: first.token }),
      });
      expect(ticketOf(takeover).token).not.toBe(first.token);
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ attempts: 2, claimedAt: near(serverNow) });
    });

    it('reclaims a failed entry and clears its error', async () => {
      const { ledger, claimAndDo, rawItem } = await aLedger();
      await claimAndDo(ledger, aClaim(), 'fail', 'SubmitJob: AccessDenied');
      serverNow += 1_000;
      const retry = await ledger.claim(aClaim());
      expect(retry).toMatchObject({
        claimed: true,
        resumed: true,
        previous: expect.objectContaining({ state: 'failed', error: 'SubmitJob: AccessDenied' }),
      });
      const item = await rawItem('job-1', 'resubmit');
      expect(item).toMatchObject({ state: 'claimed', attempts: 2 });
      expect(item).not.toHaveProperty('error');
    });

    it.each(['complete', 'refused'] as const)('never reclaims a %s entry, however old', async (outcome) => {
      const { ledger } = await aLedger();
      const ticket = ticketOf(await ledger.claim(aClaim()));
      if (outcome === 'complete') await ledger.complete(ticket, { replacementJobId: 'job-2' });
      else await ledger.fail(ticket, 'ClientException: bad queue', { refused: true });
      serverNow += 10 * LEASE_MS;
      await expect(ledger.claim(aClaim())).resolves.toMatchObject({ claimed: false });
    });

    it('keeps slots of one job independent', async () => {
      const { ledger } = await aLedger();
      await ledger.claim(aClaim());
      await expect(ledger.claim(aFlag('job-1'))).resolves.toMatchObject({ claimed: true });
    });
  });

  describe('renew', () => {
    it('extends the lease of the holder, so a takeover waits for a full lease after it', async () => {
      const { ledger, rawItem } = await aLedger();
      const ticket = ticketOf(await ledger.claim(aClaim()));
      serverNow += LEASE_MS - 5_000;
      await expect(ledger.renew(ticket)).resolves.toBeDefined();
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ leaseUntil: near(serverNow + LEASE_MS) });
      serverNow += LEASE_MS - 5_000;
      await expect(ledger.claim(aClaim())).resolves.toMatchObject({ claimed: false });
    });

    it('returns nothing to a holder whose claim was taken over (a slow-but-alive or paused holder)', async () => {
      const { ledger, make } = await aLedger();
      const slow = ticketOf(await ledger.claim(aClaim()));
      serverNow += LEASE_MS + 2_000;
      ticketOf(await make().claim(aClaim()));
      await expect(ledger.renew(slow)).resolves.toBeUndefined();
    });

    it('gives a fence that holds right after the renewal and stops acting after half a lease', async () => {
      const { ledger } = await aLedger({ leaseMs: 60, system: true });
      const ticket = ticketOf(await ledger.claim(aClaim()));
      const fence = await ledger.renew(ticket);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(() => fence?.check()).toThrow(FencedOutError);
      const long = await aLedger({ leaseMs: 10 * 60_000, system: true });
      const held = await long.ledger.renew(ticketOf(await long.ledger.claim(aClaim())));
      expect(() => held?.check()).not.toThrow();
    });
  });

  describe('complete', () => {
    it('records the outcome and sets the TTL from updatedAt (ledger time)', async () => {
      const { ledger, rawItem } = await aLedger({ callerOffset: -3_600_000 });
      const ticket = ticketOf(await ledger.claim(aClaim()));
      serverNow += 5_000;
      await ledger.complete(ticket, { replacementJobId: 'job-2', note: 'terminated job-1' });
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({
        state: 'done',
        replacementJobId: 'job-2',
        note: 'terminated job-1',
        updatedAt: near(T0 + 5_000),
        [TTL_ATTRIBUTE]: Math.floor((T0 + 5_000) / 1000) + TTL_DAYS * 86_400,
      });
    });

    it('refuses a stale token: the attempt that took the claim over keeps it', async () => {
      const { ledger, make, rawItem } = await aLedger();
      const paused = ticketOf(await ledger.claim(aClaim()));
      serverNow += LEASE_MS + 2_000;
      const taker = ticketOf(await make().claim(aClaim()));
      await expect(ledger.complete(paused, { replacementJobId: 'second-copy' })).rejects.toThrow(FencedOutError);
      await expect(ledger.fail(paused, 'late')).rejects.toThrow(FencedOutError);
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ state: 'claimed', token: taker.token });
    });

    it('refuses an entry that was never claimed and does not create it', async () => {
      const { ledger, rawItem } = await aLedger();
      await expect(ledger.complete({ jobId: 'ghost', slot: 'resubmit', token: 't' }, {})).rejects.toThrow(
        FencedOutError,
      );
      expect(await rawItem('ghost', 'resubmit')).toBeUndefined();
    });
  });

  describe('fail', () => {
    it('records the error', async () => {
      const { ledger, claimAndDo, rawItem } = await aLedger();
      await claimAndDo(ledger, aClaim(), 'fail', 'boom');
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ state: 'failed', error: 'boom', attempts: 1 });
    });
  });

  describe('settle', () => {
    it('settles an abandoned claim only once its lease has passed, and only the attempt it observed', async () => {
      const { ledger, make, rawItem } = await aLedger();
      ticketOf(await ledger.claim(aClaim()));
      const [observed] = (await ledger.entriesOf('job-1')).filter((e) => e.slot === 'resubmit');
      await expect(ledger.settle(observed, { replacementJobId: 'r', note: 'n' })).resolves.toBe(false);
      serverNow += LEASE_MS + 2_000;
      const taker = ticketOf(await make().claim(aClaim()));
      await expect(ledger.settle(observed, { replacementJobId: 'r', note: 'n' })).resolves.toBe(false);
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ state: 'claimed', token: taker.token });
      serverNow += LEASE_MS + 2_000;
      const [abandoned] = await ledger.expiredClaims();
      await expect(ledger.settle(abandoned, { replacementJobId: 'r', note: 'n' })).resolves.toBe(true);
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ state: 'done', replacementJobId: 'r' });
    });
  });

  describe('staleInventory', () => {
    it('lists done flag entries, oldest stale first, and nothing claimed, failed or resubmitted', async () => {
      const { ledger, claimAndDo } = await aLedger();
      await claimAndDo(ledger, aFlag('job-a', { staleSince: T0 - 1_000 }), 'complete');
      await claimAndDo(ledger, aFlag('job-b', { staleSince: T0 - 9_000, action: 'resubmit-on-failure' }), 'complete');
      await ledger.claim(aFlag('job-c'));
      await claimAndDo(ledger, aFlag('job-d'), 'fail', 'tagging denied');
      await claimAndDo(ledger, aClaim({ jobId: 'job-e' }), 'complete');
      const inventory = await ledger.staleInventory();
      expect(inventory.map((e) => e.jobId)).toEqual(['job-b', 'job-a']);
      expect(inventory[0]).toMatchObject({ action: 'resubmit-on-failure', state: 'done' });
    });

    it('drops a job once its resubmit completes', async () => {
      const { ledger, claimAndDo } = await aLedger();
      await claimAndDo(ledger, aFlag('job-1', { action: 'resubmit-on-failure' }), 'complete');
      expect(await ledger.staleInventory()).toHaveLength(1);
      const ticket = ticketOf(await ledger.claim(aClaim()));
      expect(await ledger.staleInventory()).toHaveLength(1);
      await ledger.complete(ticket, { replacementJobId: 'job-2' });
      expect(await ledger.staleInventory()).toEqual([]);
    });

    it('does not list a flag completed after the job was already replaced', async () => {
      const { ledger, claimAndDo } = await aLedger();
      await claimAndDo(ledger, aClaim(), 'complete');
      await claimAndDo(ledger, aFlag('job-1'), 'complete');
      expect(await ledger.staleInventory()).toEqual([]);
    });

    it('drops array children and multi-node nodes once their parent is replaced', async () => {
      const { ledger, claimAndDo } = await aLedger();
      for (const child of ['parent:0', 'parent:1', 'mnp#0', 'other:0'])
        await claimAndDo(ledger, aFlag(child), 'complete');
      await claimAndDo(ledger, aClaim({ jobId: 'parent' }), 'complete');
      await claimAndDo(ledger, aClaim({ jobId: 'mnp' }), 'complete');
      expect((await ledger.staleInventory()).map((e) => e.jobId)).toEqual(['other:0']);
    });

    it('drops an entry that is claimed again after failing', async () => {
      const { ledger, claimAndDo } = await aLedger();
      await claimAndDo(ledger, aFlag('job-1'), 'complete');
      await claimAndDo(ledger, aFlag('job-2'), 'fail');
      serverNow += 1;
      await ledger.claim(aFlag('job-2'));
      expect((await ledger.staleInventory()).map((e) => e.jobId)).toEqual(['job-1']);
    });
  });

  describe('expiredClaims', () => {
    it('lists claims whose lease passed by the server clock that no attempt finished, and nothing else', async () => {
      const { ledger, claimAndDo, make } = await aLedger();
      await ledger.claim(aClaim({ jobId: 'crashed' }));
      await claimAndDo(ledger, aClaim({ jobId: 'finished' }), 'complete');
      await claimAndDo(ledger, aClaim({ jobId: 'failed' }), 'fail');
      expect(await ledger.expiredClaims()).toEqual([]);
      // A caller whose clock runs a day ahead sees nothing expired either.
      expect(await make(86_400_000).expiredClaims()).toEqual([]);
      serverNow += LEASE_MS + 2_000;
      await ledger.claim(aClaim({ jobId: 'recent' }));
      expect((await ledger.expiredClaims()).map((e) => e.jobId)).toEqual(['crashed']);
    });
  });

  describe('budgets', () => {
    it('reserves a change budget up to the cap, counting weights, once per job', async () => {
      const { ledger } = await aLedger();
      await expect(ledger.reserve(CHANGE, 'array', 3, 4)).resolves.toEqual({ reserved: true, used: 3 });
      await expect(ledger.reserve(CHANGE, 'array', 3, 4)).resolves.toEqual({ reserved: true, used: 3 });
      await expect(ledger.reserve(CHANGE, 'other', 2, 4)).resolves.toEqual({ reserved: false, used: 3 });
      await expect(ledger.reserve(CHANGE, 'small', 1, 4)).resolves.toEqual({ reserved: true, used: 4 });
      await expect(ledger.reserve(CHANGE, 'huge', 5, 4)).resolves.toEqual({ reserved: false, used: 4 });
      const budgets = await ledger.budgetsOf([CHANGE, 'other|value-changed|2026-01-01T00:00:00.000Z' as ChangeKey]);
      expect([...budgets]).toEqual([[CHANGE, { used: 4, jobs: new Set(['array', 'small']) }]]);
    });

    it('lets exactly the cap through among concurrent reservations of different jobs', async () => {
      const { ledger } = await aLedger();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.reserve(CHANGE, `job-${i}`, 1, 3)));
      expect(results.filter((r) => r.reserved)).toHaveLength(3);
    });
  });

  describe('listSince', () => {
    it('lists entries updated at or after a time, newest first, across pages', async () => {
      const { ledger } = await aLedger();
      const written: string[] = [];
      const tickets = new Map<string, ClaimTicket>();
      for (let i = 0; i < 30; i++) {
        serverNow = T0 + i * 1_000;
        const jobId = `job-${String(i).padStart(2, '0')}`;
        tickets.set(jobId, ticketOf(await ledger.claim(aFlag(jobId, { jobName: 'x'.repeat(40_000) }))));
        written.push(jobId);
      }
      serverNow = T0 + 60_000;
      await ledger.complete(tickets.get('job-03')!, {});
      const send = jest.spyOn(documents, 'send');
      const entries = await ledger.listSince(T0 + 3_000);
      // 27 items of ~40 KB exceed a query page's 1 MB.
      expect(send.mock.calls.filter(([command]) => command instanceof QueryCommand).length).toBeGreaterThan(1);
      send.mockRestore();
      expect(entries.map((e) => e.jobId)).toEqual(['job-03', ...written.slice(4).reverse()]);
      expect(entries.map((e) => e.updatedAt)).toEqual([...entries.map((e) => e.updatedAt)].sort((a, b) => b - a));
    });

    it('returns entries shaped like LedgerEntry, without table-only attributes', async () => {
      const { ledger } = await aLedger();
      const ticket = ticketOf(await ledger.claim(aFlag('job-1')));
      await ledger.complete(ticket, { note: 'tagged' });
      const [entry] = await ledger.listSince(0);
      const expected: LedgerEntry = {
        ...aFlag('job-1'),
        state: 'done',
        claimedAt: near(T0) as unknown as number,
        updatedAt: near(T0) as unknown as number,
        leaseUntil: near(T0 + LEASE_MS) as unknown as number,
        token: ticket.token,
        attempts: 1,
        note: 'tagged',
      };
      expect(entry).toEqual(expected);
    });
  });
});
