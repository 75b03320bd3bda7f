import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli';

const FLEET = 'events/fleets/sample.json';

const tmp = mkdtempSync(join(tmpdir(), 'rr-plan-'));
const file = (name: string, content: string) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

describe('rotation-reactor plan', () => {
  it('prints one JSON document with changes, rejections, reactions and skips', async () => {
    const { code, stdout } = await runCli(
      'plan',
      '--fleet',
      FLEET,
      '--event',
      'events/ssm/parameter-store-change.update.json',
      '--json',
    );
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(['changes', 'rejected', 'reactions', 'skipped', 'invalidReferences', 'warnings']);
    expect(doc.changes).toEqual([
      expect.objectContaining({
        kind: 'Parameter Store Change/Update',
        resource: 'ssm:aws:us-east-2:123456789012:prod/db/password',
      }),
    ]);
    const byJob = Object.fromEntries(
      doc.reactions.map((r: { jobName: string; action: string }) => [r.jobName, r.action]),
    );
    expect(byJob).toEqual({
      'nightly-etl': 'resubmit',
      'nightly-etl-legacy': 'flag',
      'shard-etl': 'resubmit',
      'broken-refs': 'flag',
    });
    expect(doc.reactions[0]).toEqual(
      expect.objectContaining({
        jobId: expect.any(String),
        jobQueue: expect.any(String),
        jobDefinition: expect.any(String),
        reason: 'stale',
        references: expect.any(Array),
      }),
    );
    const skips = Object.fromEntries(
      doc.skipped.map((s: { jobName: string; reason: string }) => [s.jobName, s.reason]),
    );
    expect(skips).toEqual(
      expect.objectContaining({
        'late-etl': 'started-after-change',
        'queued-etl': 'not-started',
        'weekly-report': 'pinned',
        'finished-etl': 'finished',
      }),
    );
    expect(doc.invalidReferences).toHaveLength(1);
  });

  it('exits 3 and lists rejected events while still planning the rest', async () => {
    const { code, stdout } = await runCli(
      'plan',
      '--fleet',
      FLEET,
      '--event',
      'events/malformed',
      'events/secretsmanager/secret-label-updated.awscurrent.json',
      '--json',
    );
    expect(code).toBe(3);
    const doc = JSON.parse(stdout);
    expect(doc.rejected).toHaveLength(5);
    expect(doc.rejected[0]).toEqual({ source: 'events/malformed/bad-time.json', reason: expect.any(String) });
    expect(doc.reactions.length).toBeGreaterThan(0);
  });

  it('applies --default-policy to untagged jobs', async () => {
    const { stdout } = await runCli(
      'plan',
      '--fleet',
      FLEET,
      '--event',
      'events/secretsmanager/secret-label-updated.awscurrent.json',
      '--default-policy',
      'resubmit',
      '--json',
    );
    const weekly = JSON.parse(stdout).reactions.find((r: { jobName: string }) => r.jobName === 'weekly-report');
    expect(weekly).toMatchObject({ action: 'resubmit', policySource: 'default' });
  });

  it('prints readable tables without --json', async () => {
    const { code, stdout } = await runCli(
      'plan',
      '--fleet',
      FLEET,
      '--event',
      'events/ssm/parameter-store-change.update.json',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('Reactions (4)');
    expect(stdout).toContain('nightly-etl');
  });

  it.each([
    [
      'a missing fleet file',
      ['--fleet', 'nope.json', '--event', 'events/ssm'],
      'cannot read fleet snapshot nope.json: no such file',
    ],
    ['a fleet that is not JSON', ['--fleet', file('bad.json', '{'), '--event', 'events/ssm'], 'is not valid JSON'],
    [
      'a fleet of the wrong shape',
      [
        '--fleet',
        file(
          'shape.json',
          '{"region":"us-east-2","account":"123456789012","jobQueues":[],"jobDefinitions":[],"jobs":[{"jobId":"x"}]}',
        ),
        '--event',
        'events/ssm',
      ],
      'jobs[0].jobName',
    ],
    ['a missing event file', ['--fleet', FLEET, '--event', 'missing.json'], 'cannot read event file missing.json'],
    [
      'an unknown policy',
      ['--fleet', FLEET, '--event', 'events/ssm', '--default-policy', 'restart'],
      'expected one of flag, resubmit, resubmit-on-failure, ignore',
    ],
  ])('exits 2 with one line for %s', async (_name, args, message) => {
    const { code, stderr } = await runCli('plan', ...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('explains itself with --help', async () => {
    const { code, stdout } = await runCli('plan', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Exit codes');
  });

  it('runs as the installed bin with the same exit codes', () => {
    const bin = 'bin/rotation-reactor.js';
    const ok = execFileSync(
      'node',
      [bin, 'plan', '--fleet', FLEET, '--event', 'events/ssm/parameter-store-change.update.json', '--json'],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(ok).reactions).toHaveLength(4);
    const bad = spawnSync('node', [bin, 'plan', '--fleet', 'nope.json', '--event', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
