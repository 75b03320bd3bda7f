/**
 * The event patterns of the compiled template, loaded into moto's EventBridge with one SQS queue per rule: every
 * sample under events/ is put on the default bus and must reach exactly the rules it should. Real EventBridge
 * refuses PutEvents with an `aws.*` source, so only an emulator can run this end to end.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CreateArchiveCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { parseChange } from '../../../lib/core/change';
import { type Envelope, toPutEventsEntry } from '../../support/events';
import { type Moto, startMoto } from '../../support/moto';
import { type CfnTemplate, loadPackagedService, resolveIntrinsics } from '../../support/serverless-template';

const REGION = 'us-east-2';
const ACCOUNT = '123456789012';
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
const EVENTS_DIR = resolve(__dirname, '../../../events');

type RuleId =
  | 'ParameterStoreRule'
  | 'SecretLabelRule'
  | 'SecretsManagerCloudTrailRule'
  | 'ReplayRule'
  | 'JobStateChangeRule';
const RULES: readonly RuleId[] = [
  'ParameterStoreRule',
  'SecretLabelRule',
  'SecretsManagerCloudTrailRule',
  'ReplayRule',
  'JobStateChangeRule',
];

type Route = { readonly to: readonly RuleId[] } | { readonly notAnEntry: string };
const PS = 'ParameterStoreRule';
const SL = 'SecretLabelRule';
const CT = 'SecretsManagerCloudTrailRule';
const JS = 'JobStateChangeRule';
const nowhere: Route = { to: [] };

// Where each sample must arrive with cloudTrailFallback on. "nowhere" = the reactor would only reject or ignore it.
const ROUTES: Record<string, Route> = {
  'ssm/parameter-store-change.create': { to: [PS] },
  'ssm/parameter-store-change.delete': { to: [PS] },
  'ssm/parameter-store-change.hierarchical': { to: [PS] },
  'ssm/parameter-store-change.label': { to: [PS] },
  'ssm/parameter-store-change.update': { to: [PS] },
  'ssm/parameter-store-policy-action.expiration': { to: [PS] },
  'ssm/parameter-store-policy-action.expiration-notification': nowhere,
  'ssm/parameter-store-policy-action.no-change-notification': nowhere,
  'secretsmanager/secret-label-updated.awscurrent': { to: [SL] },
  'secretsmanager/secret-label-updated.custom-label': { to: [SL] },
  'secretsmanager/cloudtrail.aRN': { to: [CT] },
  'secretsmanager/cloudtrail.delete-secret': { to: [CT] },
  'secretsmanager/cloudtrail.put-secret-value': { to: [CT] },
  'secretsmanager/cloudtrail.put-secret-value-staged': { to: [CT] },
  'secretsmanager/cloudtrail.rotation-succeeded': { to: [CT] },
  'secretsmanager/cloudtrail.update-secret': { to: [CT] },
  'secretsmanager/cloudtrail.update-secret-version-stage': { to: [CT] },
  'secretsmanager/cloudtrail.update-secret-token': { to: [CT] },
  'secretsmanager/cloudtrail.put-secret-value-reloader': { to: [CT] },
  'secretsmanager/cloudtrail.put-secret-value-no-response': { to: [CT] },
  'secretsmanager/cloudtrail.put-secret-value-stages': { to: [CT] },
  'secretsmanager/cloudtrail.delete-secret-by-name': { to: [CT] },
  'secretsmanager/secret-label-updated.aws-docs': { to: [SL] },
  'secretsmanager/cloudtrail.error': nowhere,
  'secretsmanager/cloudtrail.restore-secret': nowhere,
  'secretsmanager/cloudtrail.rotate-secret': nowhere,
  'secretsmanager/cloudtrail.rotation-failed': nowhere,
  'secretsmanager/cloudtrail.update-secret-metadata': nowhere,
  // The bus stamps every event with its own valid `time`: a malformed time cannot travel through EventBridge and
  // reaches the parser's rejection only by hand (onReplay) or a queue redrive. The detail is a good Update.
  'malformed/bad-time': { to: [PS] },
  'malformed/ec2-event': nowhere,
  'malformed/missing-detail-name': nowhere,
  'malformed/unknown-source': nowhere,
  'malformed/not-json-object': {
    notAnEntry: 'PutEvents needs Source, DetailType and a JSON-object Detail; a JSON string has none of them',
  },
};

// No aws.batch sample lives under events/ (the reactor does not parse them); these two are shaped after the
// Batch "Batch Job State Change" documentation sample, trimmed to what the rule and the handler read.
const jobStateChange = (status: string) => ({
  version: '0',
  id: `c8f9c4b5-76e5-d76a-f980-7011e206042b-${status.toLowerCase()}`,
  'detail-type': 'Batch Job State Change',
  source: 'aws.batch',
  account: ACCOUNT,
  time: '2026-11-28T12:10:00Z',
  region: REGION,
  resources: [`arn:aws:batch:${REGION}:${ACCOUNT}:job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8`],
  detail: {
    jobName: 'nightly-etl',
    jobId: '4c7599ae-0a82-49aa-ba5a-4727fcce14a8',
    jobQueue: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/prod`,
    status,
    attempts: [],
    createdAt: 1795867200000,
    dependsOn: [],
    jobDefinition: `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/nightly-etl:3`,
    parameters: {},
  },
});
const BATCH_SAMPLES: Record<string, { event: unknown; route: Route }> = {
  'batch/job-state-change.failed': { event: jobStateChange('FAILED'), route: { to: [JS] } },
  'batch/job-state-change.succeeded': { event: jobStateChange('SUCCEEDED'), route: nowhere },
};

function loadSamples(): Record<string, unknown> {
  const samples: Record<string, unknown> = {};
  for (const dir of ['ssm', 'secretsmanager', 'malformed']) {
    for (const file of readdirSync(join(EVENTS_DIR, dir)).filter((name) => name.endsWith('.json'))) {
      samples[`${dir}/${file.replace(/\.json$/, '')}`] = JSON.parse(readFileSync(join(EVENTS_DIR, dir, file), 'utf8'));
    }
  }
  for (const [name, { event }] of Object.entries(BATCH_SAMPLES)) samples[name] = event;
  return samples;
}

const routeOf = (name: string): Route => BATCH_SAMPLES[name]?.route ?? ROUTES[name];

type Delivered = Envelope & { id: string; 'replay-name'?: string };
type SqsAnswer = { QueueUrl?: string; Attributes?: Record<string, string>; Messages?: { Body: string }[] };

/** Moto's SQS over the JSON protocol, without a client (test/deploy uses @aws-sdk/client-sqs). */
function sqs(moto: Moto) {
  const call = async (action: string, body: object): Promise<SqsAnswer> => {
    const response = await fetch(moto.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
        authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`SQS ${action} answered HTTP ${response.status}: ${await response.text()}`);
    return (await response.json()) as SqsAnswer;
  };
  return {
    async createQueue(name: string): Promise<{ url: string; arn: string }> {
      const { QueueUrl = '' } = await call('CreateQueue', { QueueName: name });
      const { Attributes = {} } = await call('GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] });
      return { url: QueueUrl, arn: Attributes.QueueArn };
    },
    async drain(url: string): Promise<Delivered[]> {
      const bodies: Delivered[] = [];
      for (;;) {
        const { Messages = [] } = await call('ReceiveMessage', {
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 600,
        });
        if (Messages.length === 0) return bodies;
        bodies.push(...Messages.map((message) => JSON.parse(message.Body) as Delivered));
      }
    },
  };
}

let template: CfnTemplate;
const eventPatternOf = (id: string) => (template.Resources[id].Properties as { EventPattern: unknown }).EventPattern;
let moto: Moto;
let events: EventBridgeClient;
const samples = loadSamples();

beforeAll(async () => {
  // moto first: when it cannot start, the test fails at once, with no packaging left running behind it.
  moto = await startMoto();
  ({ template } = await loadPackagedService());
  events = new EventBridgeClient({
    endpoint: moto.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}, 180_000);

afterAll(async () => {
  events?.destroy();
  await moto?.stop();
});

describe('the expected-routes table', () => {
  it('covers every sample under events/ssm, events/secretsmanager and events/malformed', () => {
    const files = Object.keys(samples).filter((name) => !name.startsWith('batch/'));
    expect(files.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  // The table itself is checked against the parser: a sample is routed exactly when the reactor would act on it.
  it.each(Object.keys(ROUTES))('agrees with parseChange for %s', (name) => {
    const route = ROUTES[name];
    const parsed = parseChange(samples[name]);
    const actionable = parsed.ok && parsed.changes.some((change) => change.effect.kind !== 'none');
    if (name === 'malformed/bad-time') {
      expect(parsed).toEqual({ ok: false, reason: 'time is not an ISO-8601 timestamp' });
      return;
    }
    expect('to' in route && route.to.length > 0).toBe(actionable);
  });
});

describe.each([
  { cloudTrailFallback: true, scenario: 'with the CloudTrail fallback' },
  { cloudTrailFallback: false, scenario: 'without the CloudTrail fallback (the default)' },
])('routing through moto EventBridge $scenario', ({ cloudTrailFallback }) => {
  const delivered = new Map<RuleId, Delivered[]>();
  const eventIds = new Map<string, string>();
  const queues = new Map<RuleId, string>();
  const deployed: RuleId[] = [];
  let archiveArn: string;

  const expectedRules = (name: string): RuleId[] => {
    const route = routeOf(name);
    if (!('to' in route)) return [];
    return route.to.filter((rule) => cloudTrailFallback || rule !== CT);
  };

  beforeAll(async () => {
    await moto.reset();
    const context = { conditions: { CloudTrailFallback: cloudTrailFallback } };
    const queue = sqs(moto);
    for (const id of RULES) {
      const rule = template.Resources[id];
      if (rule.Condition && !context.conditions[rule.Condition as 'CloudTrailFallback']) continue;
      const pattern = resolveIntrinsics(eventPatternOf(id), context);
      const { url, arn } = await queue.createQueue(`rule-${id}`);
      await events.send(new PutRuleCommand({ Name: id, EventPattern: JSON.stringify(pattern), State: 'ENABLED' }));
      await events.send(new PutTargetsCommand({ Rule: id, Targets: [{ Id: 'queue', Arn: arn }] }));
      queues.set(id, url);
      deployed.push(id);
    }
    const archivePattern = resolveIntrinsics(eventPatternOf('ChangeArchive'), context);
    ({ ArchiveArn: archiveArn = '' } = await events.send(
      new CreateArchiveCommand({
        ArchiveName: 'changes',
        EventSourceArn: BUS_ARN,
        EventPattern: JSON.stringify(archivePattern),
      }),
    ));

    const puttable = Object.entries(samples).flatMap(([name, sample]) => {
      const entry = toPutEventsEntry(sample);
      return entry ? [{ name, entry }] : [];
    });
    for (let i = 0; i < puttable.length; i += 10) {
      const chunk = puttable.slice(i, i + 10);
      const out = await events.send(new PutEventsCommand({ Entries: chunk.map((c) => c.entry) }));
      expect(out.FailedEntryCount).toBe(0);
      for (const [j, entry] of (out.Entries ?? []).entries()) eventIds.set(entry.EventId ?? '', chunk[j].name);
    }
    for (const [id, url] of queues) delivered.set(id, await queue.drain(url));
  }, 60_000);

  it('deploys the CloudTrail rule only when the fallback is on', () => {
    expect(deployed.includes(CT)).toBe(cloudTrailFallback);
  });

  it.each(Object.keys(samples).filter((name) => 'to' in routeOf(name)))('routes %s to exactly its rules', (name) => {
    const reached = [...delivered]
      .filter(([, bodies]) => bodies.some((b) => eventIds.get(b.id) === name))
      .map(([id]) => id);
    expect(reached.sort()).toEqual(expectedRules(name).sort());
    for (const [, bodies] of delivered) {
      expect(bodies.filter((b) => eventIds.get(b.id) === name).length).toBeLessThanOrEqual(1);
    }
  });

  it.each(Object.keys(samples).filter((name) => 'notAnEntry' in routeOf(name)))('cannot put %s on a bus', (name) => {
    expect(toPutEventsEntry(samples[name])).toBeUndefined();
  });

  it('delivers the event as EventBridge received it: source, detail-type and detail intact', () => {
    for (const [, bodies] of delivered) {
      for (const body of bodies) {
        const sample = samples[eventIds.get(body.id) ?? ''] as Envelope;
        expect({ source: body.source, 'detail-type': body['detail-type'], detail: body.detail }).toEqual({
          source: sample.source,
          'detail-type': sample['detail-type'],
          detail: sample.detail,
        });
      }
    }
  });

  it('replays archived change events through ReplayRule only, never through a live rule', async () => {
    await events.send(
      new StartReplayCommand({
        ReplayName: `replay-${cloudTrailFallback}`,
        EventSourceArn: archiveArn,
        EventStartTime: new Date(0),
        EventEndTime: new Date(Date.now() + 3_600_000),
        Destination: { Arn: BUS_ARN },
      }),
    );
    const queue = sqs(moto);
    const replayed = new Map<RuleId, Delivered[]>();
    for (const [id, url] of queues) replayed.set(id, await queue.drain(url));

    for (const [id, bodies] of replayed) if (id !== 'ReplayRule') expect({ id, bodies }).toEqual({ id, bodies: [] });
    const key = (e: { source: string; 'detail-type': string; detail: unknown }) =>
      JSON.stringify([e.source, e['detail-type'], e.detail]);
    const bodies = replayed.get('ReplayRule') ?? [];
    for (const body of bodies) expect(body['replay-name']).toBe(`replay-${cloudTrailFallback}`);
    const changeRules: RuleId[] = [PS, SL, CT];
    const archived = Object.keys(samples)
      .filter((name) => expectedRules(name).some((rule) => changeRules.includes(rule)))
      .map((name) => key(samples[name] as Envelope));
    expect(bodies.map(key).sort()).toEqual(archived.sort());
    expect(bodies.length).toBeGreaterThan(0);
  });
});
