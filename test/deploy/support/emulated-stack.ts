/**
 * The packaged service deployed into moto the way `sls deploy` deploys it: CreateStack with the create template
 * (the deployment bucket), the function zips uploaded to the keys the update template names, then UpdateStack
 * with the update template, all through the SDK's CloudFormation and S3 clients. Then the few adjustments moto
 * needs to run the stack, each one a moto gap, never a change to what the template says:
 *
 * 1. An `AWS::Events::Archive` `EventPattern` must be a JSON string for moto (CloudFormation takes an object):
 *    `toMotoTemplate` serialises it, hoisting `Fn::If` out of the string.
 * 2. moto matches every event against a schedule rule (it has no pattern) and cannot deliver to a Lambda target,
 *    so a PutEvents that reaches one fails as a whole: the schedule rule's target is removed (in AWS it fires on its
 *    schedule only), and every other Lambda target is pointed at a stand-in SQS queue (same target id, retry policy
 *    and dead-letter queue), from which the harness invokes the packaged function with the event as delivered.
 * 3. moto runs a function of an enabled SQS event source mapping in Docker when a message arrives: the mapping is
 *    disabled and `deliverChangeBatch` polls the queue and invokes the function the way Lambda's poller does
 *    (ReportBatchItemFailures: only the failed records stay on the queue).
 * 4. moto's EventBridge → SQS delivery drops the event's `account` (its default input template has no such field):
 *    the poller puts the stack's account back, and counts how often it had to.
 * 5. moto has no CloudFormation support for `AWS::SQS::QueuePolicy` (it skips them) and enforces no IAM or resource
 *    policy anyway: what the policies allow is checked on the template (test/integration/serverless), not here.
 *    Its ListStackResources leaves out or names no logical id for some types (Lambda permissions, versions and
 *    event invoke configurations, archives, bucket policies): the tests look those up by what they do instead.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Parameter,
  type Stack,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Moto } from '../../support/moto';
import type { CfnTemplate, PackagedService } from '../../support/serverless-template';
import type { FunctionProcess, Invocation } from './lambda-runtime';

const CREATE_TEMPLATE = 'cloudformation-template-create-stack.json';
const STACK_TIMEOUT_MS = 60_000;

/** SDK clients for moto, built once per test file. */
export interface MotoClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  destroy(): void;
}

/** Real SDK clients pointed at moto. */
export function createMotoClients(moto: Moto, region: string): MotoClients {
  const config = { endpoint: moto.endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const clients = {
    cloudFormation: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    lambda: new LambdaClient(config),
    // Queue URLs from CloudFormation name the real SQS host: send to moto whatever the URL says.
    sqs: new SQSClient({ ...config, useQueueUrlAsEndpoint: false }),
    events: new EventBridgeClient(config),
    dynamodb: new DynamoDBClient(config),
  };
  return {
    ...clients,
    destroy: () => {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** A stack deployed into moto: what the tests read and the functions they run. */
export interface DeployedStack {
  readonly name: string;
  readonly region: string;
  readonly account: string;
  /** Logical id → physical id, of the resources moto names (quirk 5). */
  readonly resources: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  /** The deployed configuration of each function, by logical id, as Lambda returns it. */
  readonly functions: Readonly<Record<string, FunctionConfiguration>>;
  /** The packaged zip of each function, by logical id. */
  readonly zipFiles: Readonly<Record<string, string>>;
  /** Stand-in queue URL of each function a rule targets (moto cannot deliver to Lambda), by function logical id. */
  readonly standIns: Readonly<Record<string, string>>;
}

/** Deploys the packaged service like `sls deploy` (create, upload, update), then adapts the stack to moto. */
export async function deployStack(
  clients: MotoClients,
  packaged: PackagedService,
  options: { readonly name: string; readonly region: string; readonly parameters?: Readonly<Record<string, string>> },
): Promise<DeployedStack> {
  const { cloudFormation, s3 } = clients;
  const createTemplate = readFileSync(join(packaged.dir, CREATE_TEMPLATE), 'utf8');
  await cloudFormation.send(new CreateStackCommand({ StackName: options.name, TemplateBody: createTemplate }));
  const created = await settle(cloudFormation, options.name, 'CREATE_COMPLETE');
  const bucket = outputsOf(created).ServerlessDeploymentBucketName;

  const zipFiles: Record<string, string> = {};
  for (const [id, resource] of Object.entries(packaged.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = (resource.Properties?.Code as { S3Key: string }).S3Key;
    const file = join(packaged.dir, basename(key));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
    zipFiles[id] = file;
  }

  await cloudFormation.send(
    new UpdateStackCommand({
      StackName: options.name,
      TemplateBody: JSON.stringify(toMotoTemplate(packaged.template)),
      Parameters: Object.entries(options.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const updated = await settle(cloudFormation, options.name, 'UPDATE_COMPLETE');
  const resources = await resourcesOf(cloudFormation, options.name);
  const functions: Record<string, FunctionConfiguration> = {};
  for (const id of Object.keys(zipFiles)) {
    functions[id] = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: resources[id] }));
  }
  const standIns = await adaptToMoto(clients, packaged.template, resources, functions);
  return {
    name: options.name,
    region: options.region,
    account: (updated.StackId ?? '').split(':')[4],
    resources,
    outputs: outputsOf(updated),
    parameters: parametersOf(updated),
    functions,
    zipFiles,
    standIns,
  };
}

/** UpdateStack with the previous template and new parameter values (no repackaging); returns the new resources. */
export async function updateStackParameters(
  clients: MotoClients,
  stack: DeployedStack,
  parameters: Readonly<Record<string, string>>,
): Promise<{ resources: Record<string, string>; parameters: Record<string, string> }> {
  // The other parameters keep the values the stack has (moto answers UsePreviousValue with a 500: given explicitly).
  const values: Parameter[] = Object.entries({ ...stack.parameters, ...parameters }).map(
    ([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }),
  );
  await clients.cloudFormation.send(
    new UpdateStackCommand({
      StackName: stack.name,
      UsePreviousTemplate: true,
      Parameters: values,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const updated = await settle(clients.cloudFormation, stack.name, 'UPDATE_COMPLETE');
  return {
    resources: await resourcesOf(clients.cloudFormation, stack.name),
    parameters: parametersOf(updated),
  };
}

/** The update template as moto accepts it: archive event patterns as JSON strings (see quirk 1 above). */
export function toMotoTemplate(template: CfnTemplate): CfnTemplate {
  const resources = Object.fromEntries(
    Object.entries(template.Resources).map(([id, resource]) => {
      if (resource.Type !== 'AWS::Events::Archive' || !resource.Properties?.EventPattern) return [id, resource];
      const EventPattern = toJsonPattern(resource.Properties.EventPattern);
      return [id, { ...resource, Properties: { ...resource.Properties, EventPattern } }];
    }),
  );
  return { ...template, Resources: resources };
}

/** A pattern as a JSON string, with every `Fn::If` inside it hoisted outside (a string cannot hold intrinsics). */
function toJsonPattern(pattern: unknown): unknown {
  const condition = firstCondition(pattern);
  if (condition === undefined) {
    if (JSON.stringify(pattern).includes('"Fn::') || JSON.stringify(pattern).includes('"Ref"')) {
      throw new Error(`toMotoTemplate: an archive pattern holds an intrinsic other than Fn::If`);
    }
    return JSON.stringify(pattern);
  }
  return {
    'Fn::If': [
      condition,
      toJsonPattern(chooseBranch(pattern, condition, true)),
      toJsonPattern(chooseBranch(pattern, condition, false)),
    ],
  };
}

function firstCondition(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = firstCondition(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const entries = Object.entries(node);
  if (entries.length === 1 && entries[0][0] === 'Fn::If') return (entries[0][1] as [string])[0];
  for (const [, value] of entries) {
    const found = firstCondition(value);
    if (found) return found;
  }
  return undefined;
}

function chooseBranch(node: unknown, condition: string, value: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => chooseBranch(item, condition, value));
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  if (entries.length === 1 && entries[0][0] === 'Fn::If') {
    const [name, whenTrue, whenFalse] = entries[0][1] as [string, unknown, unknown];
    if (name === condition) return chooseBranch(value ? whenTrue : whenFalse, condition, value);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, chooseBranch(item, condition, value)]));
}

/** Quirks 2 and 3: stand-in queues for Lambda targets, no target for schedules, event source mappings disabled. */
async function adaptToMoto(
  clients: MotoClients,
  template: CfnTemplate,
  resources: Readonly<Record<string, string>>,
  functions: Readonly<Record<string, FunctionConfiguration>>,
): Promise<Record<string, string>> {
  const functionIdByArn = new Map(Object.entries(functions).map(([id, config]) => [config.FunctionArn ?? '', id]));
  for (const config of Object.values(functions)) {
    const { EventSourceMappings = [] } = await clients.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: config.FunctionName }),
    );
    for (const mapping of EventSourceMappings) {
      await clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
    }
  }
  const standIns: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Events::Rule' || !resources[id]) continue;
    const rule = resources[id];
    const { Targets = [] } = await clients.events.send(new ListTargetsByRuleCommand({ Rule: rule }));
    for (const target of Targets) {
      const functionId = functionIdByArn.get(target.Arn ?? '');
      if (!functionId) continue;
      if (resource.Properties?.ScheduleExpression) {
        await clients.events.send(new RemoveTargetsCommand({ Rule: rule, Ids: [target.Id ?? ''] }));
        continue;
      }
      const queue = await createQueue(clients.sqs, `stand-in-${functionId}`);
      await clients.events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ ...target, Arn: queue.arn }] }));
      standIns[functionId] = queue.url;
    }
  }
  return standIns;
}

/** Creates an SQS queue in moto; returns its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes.QueueArn ?? '' };
}

/** URL (as moto answers it) and ARN of a queue CloudFormation created; its physical id names the real SQS host. */
export async function queueOf(sqs: SQSClient, physicalId: string): Promise<{ url: string; arn: string }> {
  const name = physicalId.split('/').pop() ?? physicalId;
  const { QueueUrl = '' } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes.QueueArn ?? '' };
}

/** Every message on a queue right now, removed from it (bodies parsed as JSON where they are JSON). */
export async function drainQueue(sqs: SQSClient, url: string): Promise<unknown[]> {
  const messages = await receiveAll(sqs, url);
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return messages.map((message) => parseBody(message.Body ?? ''));
}

/** One delivery of the change queue to its function, as Lambda's SQS poller makes it (quirks 3 and 4). */
export interface ChangeBatchDelivery {
  readonly records: readonly SQSRecord[];
  readonly invocation: Invocation;
  /** Records whose body lacked `account` (moto drops it) and got the stack's account back. */
  readonly accountRestored: number;
}

/**
 * Receives every message waiting on the queue, invokes the function once with them as an SQS event, and deletes the
 * records the function did not report as failed (ReportBatchItemFailures). Undefined when the queue was empty.
 */
export async function deliverChangeBatch(
  sqs: SQSClient,
  stack: DeployedStack,
  queue: { url: string; arn: string },
  fn: FunctionProcess,
): Promise<ChangeBatchDelivery | undefined> {
  const messages = await receiveAll(sqs, queue.url);
  if (messages.length === 0) return undefined;
  let accountRestored = 0;
  const records = messages.map((message): SQSRecord => {
    let body = message.Body ?? '';
    const parsed = parseBody(body);
    if (parsed && typeof parsed === 'object' && 'detail-type' in parsed && !('account' in parsed)) {
      body = JSON.stringify({ ...parsed, account: stack.account });
      accountRestored++;
    }
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body,
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: stack.region,
    };
  });
  const invocation = await fn.invoke({ Records: records });
  const failed = new Set(
    ((invocation.result as { batchItemFailures?: { itemIdentifier: string }[] } | null)?.batchItemFailures ?? []).map(
      (failure) => failure.itemIdentifier,
    ),
  );
  // A thrown invocation fails the whole batch: every record stays on the queue.
  const done = invocation.error ? [] : records.filter((record) => !failed.has(record.messageId));
  for (let i = 0; i < done.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: done.slice(i, i + 10).map((record, j) => ({ Id: String(j), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }
  return { records, invocation, accountRestored };
}

async function receiveAll(sqs: SQSClient, url: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

async function settle(client: CloudFormationClient, name: string, wanted: string): Promise<Stack> {
  const deadline = Date.now() + STACK_TIMEOUT_MS;
  for (;;) {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (status === wanted) return stack;
    if (!status.endsWith('_IN_PROGRESS') || Date.now() > deadline) {
      throw new Error(`stack ${name} is ${status} (wanted ${wanted}): ${stack?.StackStatusReason ?? 'no reason'}`);
    }
    await sleep(100);
  }
}

async function resourcesOf(client: CloudFormationClient, name: string): Promise<Record<string, string>> {
  const resources: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListStackResourcesCommand({ StackName: name, NextToken }));
    for (const summary of page.StackResourceSummaries ?? []) {
      if (summary.LogicalResourceId && summary.PhysicalResourceId) {
        resources[summary.LogicalResourceId] = summary.PhysicalResourceId;
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return resources;
}

const outputsOf = (stack: Stack): Record<string, string> =>
  Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));

const parametersOf = (stack: Stack): Record<string, string> =>
  Object.fromEntries(
    (stack.Parameters ?? []).map((parameter) => [parameter.ParameterKey ?? '', parameter.ParameterValue ?? '']),
  );
