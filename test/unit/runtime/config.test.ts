import { ConfigError } from '../../../lib/core/errors';
import { loadConfig } from '../../../lib/runtime/config';

const minimal = { AWS_REGION: 'us-east-2', REACTOR_ACCOUNT_ID: '123456789012', REACTOR_LEDGER_TABLE: 'ledger' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(minimal)).toEqual({
      region: 'us-east-2',
      partition: 'aws',
      account: '123456789012',
      ledgerTable: 'ledger',
      eventBus: 'default',
      defaultPolicy: 'flag',
      mode: 'apply',
      paused: false,
      queues: [],
      batchTps: 10,
      maxResubmitsPerChange: 25,
      maxFutureSkewMs: 300_000,
      staleMarginMs: 60_000,
      leaseMs: 300_000,
      ledgerTtlDays: 90,
    });
  });

  it('leaves the submit scope unset when no variable names it', () => {
    expect(loadConfig(minimal)).not.toHaveProperty('submitScope');
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig(minimal))).toBe(true);
  });

  it.each([
    [{ REACTOR_DRY_RUN: 'true' }, { mode: 'dry-run' }],
    [
      { REACTOR_DRY_RUN: 'true', REACTOR_PAUSED: '1' },
      { mode: 'dry-run', paused: true },
    ],
    [
      { REACTOR_SUBMIT_QUEUES: 'etl-*', REACTOR_SUBMIT_DEFINITIONS: 'etl-*,report:3' },
      { submitScope: { queues: ['etl-*'], definitions: ['etl-*', 'report:3'] } },
    ],
    // The stack sets the scope: empty or `none` names nothing (fail closed), absent means "whatever IAM allows".
    [
      { REACTOR_SUBMIT_QUEUES: '', REACTOR_SUBMIT_DEFINITIONS: 'none' },
      { submitScope: { queues: [], definitions: [] } },
    ],
    [
      { REACTOR_SUBMIT_TAG: 'rotation-reactor:resubmittable=yes' },
      { submitScope: { queues: [], definitions: [], tag: { key: 'rotation-reactor:resubmittable', value: 'yes' } } },
    ],
    [{ REACTOR_SUBMIT_TAG: 'rotation-reactor:resubmittable=none' }, { submitScope: { queues: [], definitions: [] } }],
    [{ REACTOR_QUEUES: ' a, b ,,c' }, { queues: ['a', 'b', 'c'] }],
    [
      { REACTOR_DEFAULT_POLICY: 'resubmit', REACTOR_BATCH_TPS: '20' },
      { defaultPolicy: 'resubmit', batchTps: 20 },
    ],
    [{ AWS_REGION: 'cn-north-1' }, { partition: 'aws-cn' }],
    [{ REACTOR_QUEUES: '' }, { queues: [] }],
  ])('reads %j', (env, expected) => {
    expect(loadConfig({ ...minimal, ...env })).toMatchObject(expected);
  });

  it('reports every problem in one ConfigError', () => {
    const env = {
      AWS_REGION: 'nowhere',
      REACTOR_BATCH_TPS: '80',
      REACTOR_DEFAULT_POLICY: 'restart',
      REACTOR_DRY_RUN: 'maybe',
    };
    try {
      loadConfig(env);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of [
        'AWS_REGION',
        'REACTOR_ACCOUNT_ID',
        'REACTOR_LEDGER_TABLE',
        'REACTOR_BATCH_TPS',
        'REACTOR_DEFAULT_POLICY',
        'REACTOR_DRY_RUN',
      ]) {
        expect(problems).toContain(name);
      }
    }
  });
});
