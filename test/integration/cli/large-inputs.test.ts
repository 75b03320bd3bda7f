import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sample from '../../../events/fleets/sample.json';
import { TABLE_ROW_LIMIT } from '../../../lib/cli/format';
import type { FleetSnapshot } from '../../../lib/core/fleet';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { runBinary, sandboxFlags } from '../../support/cli';

const run = promisify(execFile);
const EVENTS = 15_000;
const tmp = mkdtempSync(join(tmpdir(), 'rr-large-'));
const bigFile = join(tmp, 'big.json');
const bigFolder = join(tmp, 'many');

/**
 * The binary, with a twelfth of Node's default stack: a spread of the input (`push(...events)`, `Math.min(...times)`,
 * cli-table3's `push.apply` of every row) overflows at 15,000 elements as it does at ~130,000 with the default, so a
 * small input proves the large one passes. No time is asserted: the machine is shared.
 */
const rotationReactor = (...args: string[]) => runBinary(args, { nodeFlags: ['--stack-size=80'] });

const notShown = (understood: number) =>
  `  … ${understood - TABLE_ROW_LIMIT} more not shown (first ${TABLE_ROW_LIMIT} of ${understood} above; --json prints every row)`;

beforeAll(async () => {
  await run('node', ['scripts/make-big-events.js', '--events', String(EVENTS), '--out', bigFile]);
  await run('node', ['scripts/make-big-events.js', '--events', String(EVENTS), '--out', bigFolder, '--files', '40']);
}, 120_000);

describe('rotation-reactor plan and replay on large event inputs', () => {
  let json: { changes: unknown[]; rejected: unknown[]; reactions: { jobId: string }[] };

  it('plans a file of 15,000 events as one JSON document listing every change', async () => {
    const { code, stdout, stderr } = await rotationReactor(
      'plan',
      '--fleet',
      'events/fleets/sample.json',
      '--event',
      bigFile,
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(3); // one event in 100 is malformed
    json = JSON.parse(stdout);
    expect(json.changes.length + json.rejected.length).toBe(EVENTS);
    expect(json.rejected).toHaveLength(EVENTS / 100);
    expect(json.reactions.length).toBeGreaterThan(0);
  }, 300_000);

  it('prints tables of the first rows and says how many more --json has', async () => {
    const { code, stdout, stderr } = await rotationReactor(
      'plan',
      '--fleet',
      'events/fleets/sample.json',
      '--event',
      bigFile,
    );
    expect(stderr).toBe('');
    expect(code).toBe(3);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Changes \\(${json.changes.length} understood, \\d+ after coalescing\\)$`));
    expect(lines).toContain(notShown(json.changes.length));
    expect(lines).toContain(`Rejected events (${json.rejected.length})`);
    expect(lines).toContain(`Reactions (${json.reactions.length})`);
    for (const { jobId } of json.reactions) expect(stdout).toContain(jobId);
    expect(lines.length).toBeLessThan(2_000);
  }, 300_000);

  it('plans a folder of 40 files holding the same events the same way', async () => {
    const { code, stdout } = await rotationReactor(
      'plan',
      '--fleet',
      'events/fleets/sample.json',
      '--event',
      bigFolder,
      '--json',
    );
    expect(code).toBe(3);
    const doc = JSON.parse(stdout);
    expect(doc.changes).toHaveLength(json.changes.length);
    expect(doc.reactions).toEqual(json.reactions);
  }, 300_000);

  describe('replay --dry-run against the sandbox', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ fleet: sample as FleetSnapshot, clock: 'manual' });
    });
    afterAll(() => sandbox.stop());

    it.each([
      ['tables', []],
      ['--json', ['--json']],
    ])(
      'replays 15,000 events and prints %s',
      async (_, extra) => {
        const { code, stdout, stderr } = await rotationReactor(
          'replay',
          bigFile,
          '--dry-run',
          ...extra,
          ...sandboxFlags(sandbox.endpoint),
        );
        expect(stderr).not.toMatch(/unexpected error/);
        expect(code).toBe(3);
        if (extra.length > 0) {
          const doc = JSON.parse(stdout);
          expect(doc.changes).toHaveLength(json.changes.length);
          expect(doc.reactions.map((r: { jobId: string }) => r.jobId).sort()).toEqual(
            json.reactions.map((r) => r.jobId).sort(),
          );
        } else {
          expect(stdout.split('\n')).toContain(notShown(json.changes.length));
        }
        expect(sandbox.countsByOperation().SubmitJob).toBeUndefined();
      },
      300_000,
    );
  });
});
