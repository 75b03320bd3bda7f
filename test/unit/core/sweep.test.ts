import type { Discovered } from '../../../lib/core/discover';
import type { BatchJob, BatchJobDefinition } from '../../../lib/core/fleet';
import type { Emitter, JobActions, JobSource, MetadataSource, ResourceMetadata } from '../../../lib/core/ports';
import type { ReactOptions } from '../../../lib/core/react';
import type { Resource } from '../../../lib/core/reference';
import { sweep, toSweepChanges, toSweptResources } from '../../../lib/core/sweep';
import { aDefinition, aJob, aQueue, HOME, MINUTE, secret, ssm, T0 } from '../../support/builders';
import { aMemoryLedger } from '../../support/fakes';

const SM = 'arn:aws:secretsmanager:us-east-2:123456789012:secret';
const PARAM = 'arn:aws:ssm:us-east-2:123456789012:parameter';

const discoveredOf = (
  definitions: BatchJobDefinition[],
  live = definitions.map((d) => aJob({ jobDefinition: d.jobDefinitionArn })),
): Discovered => ({
  queues: [aQueue()],
  live,
  definitions,
});

const keysOf = (resources: readonly Resource[]) =>
  resources.map((r) =>
    r.kind === 'ssm' ? `ssm ${r.region} ${r.name}` : `secret ${r.region} ${r.secretId} ${r.complete}`,
  );

describe('toSweptResources', () => {
  it.each([
    [
      'a bare parameter name, in the home region without its slash',
      ['/prod/db/password'],
      ['ssm us-east-2 prod/db/password'],
    ],
    ['a parameter ARN of another region', ['arn:aws:ssm:eu-west-1:123456789012:parameter/a/b'], ['ssm eu-west-1 a/b']],
    ['a version- or label-pinned parameter, by its name', ['/a/b:3', '/a/b:blue'], ['ssm us-east-2 a/b']],
    [
      'a name and the ARN of the same parameter, once',
      ['single', `${PARAM}/single`, '/single'],
      ['ssm us-east-2 single'],
    ],
    [
      'a complete secret ARN, not known to be complete',
      [`${SM}:prod/db-AbCdEf`],
      ['secret us-east-2 prod/db-AbCdEf false'],
    ],
    ['a secret ARN with a json key and stage', [`${SM}:prod/db:user:AWSPREVIOUS:`], ['secret us-east-2 prod/db false']],
    [
      'a secret through Parameter Store',
      ['/aws/reference/secretsmanager/prod/api'],
      ['secret us-east-2 prod/api false'],
    ],
    ['nothing for an invalid reference', ['arn:aws:s3:::bucket/key', ''], []],
  ])('returns %s', (_name, valueFroms, expected) => {
    expect(keysOf(toSweptResources(discoveredOf([aDefinition(valueFroms)]), HOME))).toEqual(expected);
  });

  it('reads log-driver secret options and repository credentials too', () => {
    const definition = aDefinition([], {
      containerProperties: {
        logConfiguration: { logDriver: 'splunk', secretOptions: [{ name: 'splunk-token', valueFrom: '/ecs/splunk' }] },
        repositoryCredentials: { credentialsParameter: `${SM}:registry-XyZ123` },
      },
    });
    expect(keysOf(toSweptResources(discoveredOf([definition]), HOME))).toEqual([
      'ssm us-east-2 ecs/splunk',
      'secret us-east-2 registry-XyZ123 false',
    ]);
  });

  it('merges the references of every live job, each resource once', () => {
    const first = aDefinition(['/a', '/b']);
    const second = aDefinition(['/b', `${SM}:c`], { revision: 2 });
    const live = [first, first, second].map((d) => aJob({ jobDefinition: d.jobDefinitionArn }));
    expect(keysOf(toSweptResources(discoveredOf([first, second], live), HOME))).toEqual([
      'ssm us-east-2 a',
      'ssm us-east-2 b',
      'secret us-east-2 c false',
    ]);
  });

  it('ignores definitions no live job uses and reads a job’s own spec when its definition is unknown', () => {
    const unused = aDefinition(['/unused'], { revision: 7 });
    const orphan = aJob({
      jobDefinition: `${aDefinition().jobDefinitionArn}9`,
      container: { secrets: [{ name: 'X', valueFrom: '/from-job' }] },
    });
    expect(keysOf(toSweptResources(discoveredOf([unused], [orphan]), HOME))).toEqual(['ssm us-east-2 from-job']);
  });

  it('returns nothing without live jobs', () => {
    expect(toSweptResources(discoveredOf([aDefinition()], []), HOME)).toEqual([]);
  });
});

describe('toSweepChanges', () => {
  const NOW = T0 + 60 * MINUTE;

  it.each<[string, ResourceMetadata, object]>([
    [
      'a last-modified value change for a parameter',
      { resource: ssm('/a/b'), exists: true, lastChangedAt: T0, version: '3' },
      {
        service: 'ssm',
        kind: 'Sweep/last-modified',
        effect: { kind: 'value-changed' },
        changedAt: T0,
        eventId: 'sweep:ssm:aws:us-east-2:123456789012:a/b',
        version: '3',
      },
    ],
    [
      'a last-modified value change for a secret',
      { resource: secret('prod/db-AbCdEf'), exists: true, lastChangedAt: T0 },
      {
        service: 'secretsmanager',
        kind: 'Sweep/last-modified',
        effect: { kind: 'value-changed' },
        changedAt: T0,
        eventId: 'sweep:secret:aws:us-east-2:123456789012:prod/db-AbCdEf',
      },
    ],
    [
      'a deletion now for a missing resource',
      { resource: secret('gone', false), exists: false },
      {
        service: 'secretsmanager',
        kind: 'Sweep/missing',
        effect: { kind: 'deleted' },
        changedAt: NOW,
        eventId: 'sweep:secret:aws:us-east-2:123456789012:gone',
      },
    ],
  ])('returns %s', (_name, metadata, expected) => {
    const [sourced] = toSweepChanges([metadata], NOW);
    expect(sourced.source).toBe(sourced.change.eventId);
    expect(sourced.change).toEqual({ ...expected, resource: metadata.resource });
  });

  it('returns nothing for a resource that exists without a known change time', () => {
    expect(toSweepChanges([{ resource: ssm('a'), exists: true }], T0)).toEqual([]);
  });
});

describe('sweep', () => {
  const NOW = T0 + 30 * MINUTE;
  const options: ReactOptions = {
    home: HOME,
    plan: { defaultPolicy: 'flag', staleMarginMs: 0, maxResubmitsPerChange: 25 },
    mode: 'apply',
  };

  function setup(fleet: { definitions: BatchJobDefinition[]; live: BatchJob[] }, metadata: MetadataSource) {
    const flagged: string[] = [];
    const emitted: string[] = [];
    const jobs: JobSource = {
      listQueues: async () => [aQueue()],
      listLiveJobs: async () => fleet.live,
      getDefinitions: async (arns) => fleet.definitions.filter((d) => arns.includes(d.jobDefinitionArn)),
      describeJobs: async (ids) => fleet.live.filter((j) => ids.includes(j.jobId)),
      findReplacement: async () => undefined,
      findDependents: async () => new Map(),
    };
    const actions: JobActions = {
      flag: async (job) => {
        flagged.push(job.jobId);
        return { tagged: true };
      },
      submitReplacement: async () => {
        throw new Error('the sweep tests never resubmit');
      },
      terminate: async () => {},
    };
    const { ledger } = aMemoryLedger({ now: () => NOW });
    const emitter: Emitter = {
      emit: async (events) => {
        emitted.push(...events.map((e) => e.detailType));
        return { failed: [] };
      },
    };
    const deps = { jobs, actions, ledger, emitter, clock: () => NOW, metadata };
    return { deps, flagged, emitted };
  }

  const metadataOf = (found: ResourceMetadata[], failed: { resource: Resource; why: string }[] = []) => {
    const asked: Resource[][] = [];
    const source: MetadataSource = {
      describe: async (resources) => {
        asked.push([...resources]);
        return { found, failed };
      },
    };
    return { source, asked };
  };

  it('flags a job started before the parameter last changed and skips one started after', async () => {
    const definition = aDefinition(['/prod/db/password']);
    const live = [aJob({ jobId: 'old', startedAt: T0 - MINUTE }), aJob({ jobId: 'new', startedAt: T0 + MINUTE })];
    const metadata = metadataOf([
      { resource: ssm('/prod/db/password'), exists: true, lastChangedAt: T0, version: '2' },
    ]);
    const { deps, flagged, emitted } = setup({ definitions: [definition], live }, metadata.source);
    const result = await sweep(deps, options);
    expect(metadata.asked).toEqual([[ssm('prod/db/password')]]);
    expect(flagged).toEqual(['old']);
    expect(result.report.plan.skipped.map((s) => `${s.jobId}:${s.reason}`)).toEqual(['new:started-after-change']);
    expect(result.report.changes.map((c) => c.source)).toEqual([
      'sweep:ssm:aws:us-east-2:123456789012:prod/db/password',
    ]);
    expect(emitted).toEqual(['Change Processed', 'Stale Job Flagged']);
    expect(result).toMatchObject({ resources: 1, notSwept: [] });
  });

  it('flags, never resubmits, a job reading a secret that is gone, as of now', async () => {
    const definition = aDefinition([`${SM}:prod/db`], { tags: { 'rotation-reactor:policy': 'resubmit' } });
    const job = aJob({ jobId: 'j', startedAt: T0 });
    const metadata = metadataOf([{ resource: secret('prod/db', false), exists: false }]);
    const { deps, flagged } = setup({ definitions: [definition], live: [job] }, metadata.source);
    const result = await sweep(deps, options);
    expect(flagged).toEqual(['j']);
    expect(result.report.plan.reactions.map((r) => `${r.action}:${r.reason}:${r.staleSince}`)).toEqual([
      `flag:deleted:${NOW}`,
    ]);
  });

  it('matches a complete secret ARN found by name to a job that reads it by name', async () => {
    const definition = aDefinition([`${SM}:prod/db::AWSCURRENT:`]);
    const metadata = metadataOf([{ resource: secret('prod/db-AbCdEf'), exists: true, lastChangedAt: T0 }]);
    const { deps, flagged } = setup({ definitions: [definition], live: [aJob({ jobId: 'j' })] }, metadata.source);
    await sweep(deps, options);
    expect(flagged).toEqual(['j']);
  });

  it('reports what it could not sweep and still reacts to the rest', async () => {
    const definition = aDefinition(['/local', 'arn:aws:ssm:eu-west-1:123456789012:parameter/far']);
    const far = ssm('far', { region: 'eu-west-1' });
    const metadata = metadataOf(
      [{ resource: ssm('local'), exists: true, lastChangedAt: T0 }],
      [{ resource: far, why: 'another region/account: not swept' }],
    );
    const { deps, flagged } = setup({ definitions: [definition], live: [aJob({ jobId: 'j' })] }, metadata.source);
    const result = await sweep(deps, options);
    expect(flagged).toEqual(['j']);
    expect(result.resources).toBe(2);
    expect(result.notSwept).toEqual([
      { resource: 'ssm:aws:eu-west-1:123456789012:far', why: 'another region/account: not swept' },
    ]);
  });

  it('does not flag a job twice when the next sweep finds the same change', async () => {
    const metadata = metadataOf([{ resource: ssm('prod/db/password'), exists: true, lastChangedAt: T0 }]);
    const { deps, flagged } = setup({ definitions: [aDefinition()], live: [aJob({ jobId: 'j' })] }, metadata.source);
    await sweep(deps, options);
    const second = await sweep(deps, options);
    expect(flagged).toEqual(['j']);
    expect(second.report.outcomes.map((o) => o.status)).toEqual(['duplicate']);
  });

  it('only plans in dry-run', async () => {
    const metadata = metadataOf([{ resource: ssm('prod/db/password'), exists: true, lastChangedAt: T0 }]);
    const { deps, flagged } = setup({ definitions: [aDefinition()], live: [aJob({ jobId: 'j' })] }, metadata.source);
    const result = await sweep(deps, { ...options, mode: 'dry-run' });
    expect(flagged).toEqual([]);
    expect(result.report.outcomes.map((o) => o.status)).toEqual(['dry-run']);
  });

  it('does nothing without live jobs', async () => {
    const metadata = metadataOf([]);
    const { deps, flagged, emitted } = setup({ definitions: [aDefinition()], live: [] }, metadata.source);
    const result = await sweep(deps, options);
    expect(metadata.asked).toEqual([[]]);
    expect(flagged).toEqual([]);
    expect(emitted).toEqual([]);
    expect(result).toMatchObject({ resources: 0, notSwept: [] });
  });
});
