import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

import dynalite = require('dynalite');

import { createLedger, ensureLedgerTable, TTL_ATTRIBUTE } from '../../../lib/adapters/ledger';
import type { Ledger, LedgerEntry } from '../../../lib/core/ports';

const server = dynalite({ createTableMs: 0 });
const LEASE_MS = 60_000;
const TTL_DAYS = 30;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let tableCount = 0;

type ClaimInput = Parameters<Ledger['claim']>[0];

const aClaim = (overrides: Partial<ClaimInput> = {}): ClaimInput => ({
  jobId: 'job-1',
  slot: 'resubmit',
  action: 'resubmit',
  jobName: 'nightly-etl',
  jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/main',
  jobDefinition: 'arn:aws:batch:us-east-2:123456789012:job-definition/etl:3',
  changeKeys: ['ssm|us-east-2|123456789012|db-password@2026-01-15T11:59:00Z'],
  references: ['arn:aws:ssm:us-east-2:123456789012:parameter/db-password'],
  staleSince: T0 - 60_000,
  claimedAt: T0,
  ...overrides,
});

const aFlag = (jobId: string, overrides: Partial<ClaimInput> = {}): ClaimInput =>
  aClaim({ jobId, slot: `flag#change-${jobId}`, action: 'flag', ...overrides });

/** A ledger on a fresh table, with a clock the test moves by hand. */
async function aLedger() {
  const tableName = `ledger-${++tableCount}`;
  await ensureLedgerTable(raw, tableName);
  let now = T0;
  const clock = {
    set: (ms: number) => {
      now = ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
  const ledger = createLedger(documents, { tableName, leaseMs: LEASE_MS, ttlDays: TTL_DAYS, clock: () => now });
  const rawItem = async (jobId: string, slot: string) =>
    (await documents.send(new GetCommand({ TableName: tableName, Key: { jobId, slot } }))).Item;
  return { ledger, clock, tableName, rawItem };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  documents = DynamoDBDocumentClient.from(raw);
});

afterAll(async () => {
  documents.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('ensureLedgerTable', () => {
  it('is idempotent', async () => {
    const { tableName } = await aLedger();
    await expect(ensureLedgerTable(raw, tableName)).resolves.toBeUndefined();
  });
});

describe('createLedger', () => {
  describe('claim', () => {
    it('claims an absent entry once, with attempts 1', async () => {
      const { ledger, rawItem } = await aLedger();
      await expect(ledger.claim(aClaim())).resolves.toEqual({ claimed: true, resumed: false });
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ state: 'claimed', attempts: 1, updatedAt: T0 });
    });

    it('lets exactly one of ten concurrent claims win', async () => {
      const { ledger } = await aLedger();
      const claims = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(aClaim())));
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      for (const loser of claims.filter((c) => !c.claimed)) {
        expect(loser).toMatchObject({ claimed: false, holder: { jobId: 'job-1', slot: 'resubmit', state: 'claimed' } });
      }
    });

    it('returns the holder while its lease runs', async () => {
      const { ledger, clock } = await aLedger();
      await ledger.claim(aClaim());
      clock.advance(LEASE_MS - 1);
      const second = await ledger.claim(aClaim({ claimedAt: T0 + LEASE_MS - 1 }));
      expect(second).toEqual({
        claimed: false,
        holder: expect.objectContaining({ state: 'claimed', claimedAt: T0, attempts: 1, action: 'resubmit' }),
      });
    });

    it('takes over an expired lease and returns the previous attempt', async () => {
      const { ledger, clock, rawItem } = await aLedger();
      await ledger.claim(aClaim());
      clock.advance(LEASE_MS + 1);
      const takeover = await ledger.claim(aClaim({ claimedAt: T0 + LEASE_MS + 1 }));
      expect(takeover).toEqual({
        claimed: true,
        resumed: true,
        previous: expect.objectContaining({ state: 'claimed', claimedAt: T0, attempts: 1 }),
      });
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ attempts: 2, claimedAt: T0 + LEASE_MS + 1 });
    });

    it('reclaims a failed entry and clears its error', async () => {
      const { ledger, clock, rawItem } = await aLedger();
      await ledger.claim(aClaim());
      await ledger.fail('job-1', 'resubmit', 'SubmitJob: AccessDenied');
      clock.advance(1_000);
      const retry = await ledger.claim(aClaim({ claimedAt: T0 + 1_000 }));
      expect(retry).toEqual({
        claimed: true,
        resumed: true,
        previous: expect.objectContaining({ state: 'failed', error: 'SubmitJob: AccessDenied' }),
      });
      const item = await rawItem('job-1', 'resubmit');
      expect(item).toMatchObject({ state: 'claimed', attempts: 2 });
      expect(item).not.toHaveProperty('error');
    });

    it('never reclaims a done entry, however old', async () => {
      const { ledger, clock } = await aLedger();
      await ledger.claim(aClaim());
      await ledger.complete('job-1', 'resubmit', { replacementJobId: 'job-2' });
      clock.advance(10 * LEASE_MS);
      await expect(ledger.claim(aClaim())).resolves.toEqual({
        claimed: false,
        holder: expect.objectContaining({ state: 'done', replacementJobId: 'job-2' }),
      });
    });

    it('keeps slots of one job independent', async () => {
      const { ledger } = await aLedger();
      await ledger.claim(aClaim());
      await expect(ledger.claim(aFlag('job-1'))).resolves.toMatchObject({ claimed: true });
    });
  });

  describe('complete', () => {
    it('records the outcome and sets the TTL from updatedAt', async () => {
      const { ledger, clock, rawItem } = await aLedger();
      await ledger.claim(aClaim());
      clock.advance(5_000);
      await ledger.complete('job-1', 'resubmit', { replacementJobId: 'job-2', note: 'terminated job-1' });
      const item = await rawItem('job-1', 'resubmit');
      expect(item).toMatchObject({
        state: 'done',
        replacementJobId: 'job-2',
        note: 'terminated job-1',
        updatedAt: T0 + 5_000,
        [TTL_ATTRIBUTE]: Math.floor((T0 + 5_000) / 1000) + TTL_DAYS * 86_400,
      });
    });

    it('rejects an entry that was never claimed', async () => {
      const { ledger, rawItem } = await aLedger();
      await expect(ledger.complete('ghost', 'resubmit', {})).rejects.toThrow('no ledger entry for ghost / resubmit');
      expect(await rawItem('ghost', 'resubmit')).toBeUndefined();
    });
  });

  describe('fail', () => {
    it('records the error', async () => {
      const { ledger, rawItem } = await aLedger();
      await ledger.claim(aClaim());
      await ledger.fail('job-1', 'resubmit', 'boom');
      expect(await rawItem('job-1', 'resubmit')).toMatchObject({ state: 'failed', error: 'boom', attempts: 1 });
    });

    it('rejects an entry that was never claimed', async () => {
      const { ledger } = await aLedger();
      await expect(ledger.fail('ghost', 'resubmit', 'boom')).rejects.toThrow('no ledger entry');
    });
  });

  describe('staleInventory', () => {
    it('lists done flag entries, oldest stale first, and nothing claimed, failed or resubmitted', async () => {
      const { ledger } = await aLedger();
      await ledger.claim(aFlag('job-a', { staleSince: T0 - 1_000 }));
      await ledger.claim(aFlag('job-b', { staleSince: T0 - 9_000, action: 'resubmit-on-failure' }));
      await ledger.claim(aFlag('job-c'));
      await ledger.claim(aFlag('job-d'));
      await ledger.claim(aClaim({ jobId: 'job-e' }));
      await ledger.complete('job-a', 'flag#change-job-a', {});
      await ledger.complete('job-b', 'flag#change-job-b', {});
      await ledger.fail('job-d', 'flag#change-job-d', 'tagging denied');
      await ledger.complete('job-e', 'resubmit', { replacementJobId: 'job-e2' });
      const inventory = await ledger.staleInventory();
      expect(inventory.map((e) => e.jobId)).toEqual(['job-b', 'job-a']);
      expect(inventory[0]).toMatchObject({ action: 'resubmit-on-failure', state: 'done' });
    });

    it('drops a job once its resubmit completes', async () => {
      const { ledger } = await aLedger();
      await ledger.claim(aFlag('job-1', { action: 'resubmit-on-failure' }));
      await ledger.complete('job-1', 'flag#change-job-1', {});
      expect(await ledger.staleInventory()).toHaveLength(1);
      await ledger.claim(aClaim());
      expect(await ledger.staleInventory()).toHaveLength(1);
      await ledger.complete('job-1', 'resubmit', { replacementJobId: 'job-2' });
      expect(await ledger.staleInventory()).toEqual([]);
    });

    it('does not list a flag completed after the job was already replaced', async () => {
      const { ledger } = await aLedger();
      await ledger.claim(aClaim());
      await ledger.complete('job-1', 'resubmit', { replacementJobId: 'job-2' });
      await ledger.claim(aFlag('job-1'));
      await ledger.complete('job-1', 'flag#change-job-1', {});
      expect(await ledger.staleInventory()).toEqual([]);
    });

    it('drops array children and multi-node nodes once their parent is replaced', async () => {
      const { ledger } = await aLedger();
      for (const child of ['parent:0', 'parent:1', 'mnp#0', 'other:0']) {
        await ledger.claim(aFlag(child));
        await ledger.complete(child, `flag#change-${child}`, {});
      }
      await ledger.claim(aClaim({ jobId: 'parent' }));
      await ledger.complete('parent', 'resubmit', { replacementJobId: 'parent-2' });
      await ledger.claim(aClaim({ jobId: 'mnp' }));
      await ledger.complete('mnp', 'resubmit', { replacementJobId: 'mnp-2' });
      expect((await ledger.staleInventory()).map((e) => e.jobId)).toEqual(['other:0']);
    });

    it('drops an entry that is claimed again after failing', async () => {
      const { ledger, clock } = await aLedger();
      await ledger.claim(aFlag('job-1'));
      await ledger.complete('job-1', 'flag#change-job-1', {});
      await ledger.claim(aFlag('job-2'));
      await ledger.fail('job-2', 'flag#change-job-2', 'boom');
      clock.advance(1);
      await ledger.claim(aFlag('job-2'));
      expect((await ledger.staleInventory()).map((e) => e.jobId)).toEqual(['job-1']);
    });
  });

  describe('expiredClaims', () => {
    it('lists claims older than the lease that no attempt finished, and nothing else', async () => {
      const { ledger, clock } = await aLedger();
      await ledger.claim(aClaim({ jobId: 'crashed' }));
      await ledger.claim(aClaim({ jobId: 'finished' }));
      await ledger.complete('finished', 'resubmit', { replacementJobId: 'new' });
      await ledger.claim(aClaim({ jobId: 'failed' }));
      await ledger.fail('failed', 'resubmit', 'boom');
      expect(await ledger.expiredClaims()).toEqual([]);
      clock.advance(LEASE_MS + 1);
      await ledger.claim(aClaim({ jobId: 'recent', claimedAt: T0 + LEASE_MS + 1 }));
      expect((await ledger.expiredClaims()).map((e) => e.jobId)).toEqual(['crashed']);
    });
  });

  describe('listSince', () => {
    it('lists entries updated at or after a time, newest first, across pages', async () => {
      const { ledger, clock } = await aLedger();
      const written: string[] = [];
      for (let i = 0; i < 30; i++) {
        clock.set(T0 + i * 1_000);
        const jobId = `job-${String(i).padStart(2, '0')}`;
        await ledger.claim(aFlag(jobId, { note: 'x'.repeat(40_000) }));
        written.push(jobId);
      }
      clock.set(T0 + 60_000);
      await ledger.complete('job-03', 'flag#change-job-03', {});
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
      await ledger.claim(aFlag('job-1'));
      await ledger.complete('job-1', 'flag#change-job-1', { note: 'tagged' });
      const [entry] = await ledger.listSince(0);
      const expected: LedgerEntry = {
        ...aFlag('job-1'),
        state: 'done',
        updatedAt: T0,
        attempts: 1,
        note: 'tagged',
      };
      expect(entry).toEqual(expected);
    });
  });
});
