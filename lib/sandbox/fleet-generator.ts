/**
 * Deterministic synthetic fleets for the demo and the benchmark: queues, definition revisions using every
 * reference form and location, and live jobs (RUNNING, STARTING, array children) plus queued ones.
 */
import type { BatchContainer, BatchJob, BatchJobDefinition, BatchJobQueue } from '../core/fleet';
import { POLICY_TAG, type Policy } from '../core/policy';
import type { FleetMetadata, SandboxFleet } from './metadata-snapshot';
import { createRandom, type Random } from './random';

/** How big a fleet to generate. */
export interface FleetShape {
  readonly queues: number;
  /** Job definition revisions (several revisions per definition name). */
  readonly definitions: number;
  /** Live jobs (RUNNING / STARTING, array children counted). */
  readonly liveJobs: number;
  /** Jobs in SUBMITTED / RUNNABLE, which discovery never lists. */
  readonly queuedJobs?: number;
  /**
   * Share (0–1) of live jobs still running on a deregistered (INACTIVE) revision; the others run on ACTIVE ones.
   * Unset: each live job uses any revision, uniformly.
   */
  readonly inactiveJobShare?: number;
  readonly parameters: number;
  readonly secrets: number;
  /** Sandbox time the jobs are relative to (epoch ms). */
  readonly now: number;
  readonly seed?: number;
  readonly region?: string;
  readonly account?: string;
  /** Names that must be referenced (e.g. those of the sample events), placed first. */
  readonly extraParameters?: readonly string[];
  /** Complete secret ids (`name-AbCdEf`) that must be referenced, placed first. */
  readonly extraSecrets?: readonly string[];
  /** Parameter names referenced, but rarely (placed last). */
  readonly rareParameters?: readonly string[];
  /** Complete secret ids referenced, but rarely (placed last). */
  readonly rareSecrets?: readonly string[];
  /** Referenced parameter names and complete secret ids left out of the metadata: they were deleted. */
  readonly deleted?: readonly string[];
}

/** A generated fleet (with the metadata of what it references) and the resources its definitions reference. */
export interface GeneratedFleet {
  readonly fleet: SandboxFleet & { readonly metadata: FleetMetadata };
  /** Parameter names with a leading slash. */
  readonly parameters: readonly string[];
  /** Complete secret ids (`name-AbCdEf`). */
  readonly secrets: readonly string[];
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const POLICY_MIX: readonly (Policy | undefined)[] = [
  undefined,
  undefined,
  undefined,
  'resubmit',
  'flag',
  'resubmit-on-failure',
  'ignore',
];

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const suffix = (random: Random) => Array.from({ length: 6 }, () => pick(random, [...ALPHANUMERIC])).join('');
const hex = (random: Random, n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (random: Random) =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-8${hex(random, 3)}-${hex(random, 12)}`;

/** Generates a fleet of the given shape; the same shape and seed give the same fleet. */
export function generateFleet(shape: FleetShape): GeneratedFleet {
  const random = createRandom(shape.seed ?? 42);
  const region = shape.region ?? 'us-east-2';
  const account = shape.account ?? '123456789012';
  const arn = (service: string, resource: string, r = region) => `arn:aws:${service}:${r}:${account}:${resource}`;

  const parameters = [...(shape.extraParameters ?? [])];
  const rareParameters = shape.rareParameters ?? [];
  for (let i = parameters.length; i < shape.parameters - rareParameters.length; i++)
    parameters.push(`/app${i % 40}/service${i}/config`);
  parameters.push(...rareParameters);
  const secrets = [...(shape.extraSecrets ?? [])];
  const rareSecrets = shape.rareSecrets ?? [];
  for (let i = secrets.length; i < shape.secrets - rareSecrets.length; i++)
    secrets.push(`svc${i % 25}/credentials${i}-${suffix(random)}`);
  secrets.push(...rareSecrets);

  const valueFromParameter = (name: string): string => {
    const bare = name.slice(1);
    return pick(random, [
      name,
      name,
      bare,
      arn('ssm', `parameter/${bare}`),
      `${name}:prod`,
      `${name}:${1 + Math.floor(random() * 5)}`,
    ]);
  };
  const valueFromSecret = (id: string): string => {
    const name = id.slice(0, -7);
    return pick(random, [
      arn('secretsmanager', `secret:${id}`),
      arn('secretsmanager', `secret:${id}`),
      arn('secretsmanager', `secret:${name}`),
      arn('secretsmanager', `secret:${id}:password::`),
      arn('secretsmanager', `secret:${id}::AWSPREVIOUS:`),
      arn('secretsmanager', `secret:${id}:::${uuid(random)}`),
      `/aws/reference/secretsmanager/${name}`,
    ]);
  };
  // Resources are drawn with a bias towards the first ones, so a few are shared by many definitions.
  const draw = <T>(items: readonly T[]) => items[Math.floor(random() ** 2 * items.length)];
  const container = (): BatchContainer => {
    const refs = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      random() < 0.55 ? valueFromParameter(draw(parameters)) : valueFromSecret(draw(secrets)),
    );
    return {
      image: 'public.ecr.aws/docker/library/busybox:stable',
      command: ['sh', '-c', 'run-job'],
      environment: [{ name: 'STAGE', value: 'prod' }],
      resourceRequirements: [
        { type: 'VCPU', value: '1' },
        { type: 'MEMORY', value: '2048' },
      ],
      secrets: refs.map((valueFrom, i) => ({ name: `SECRET_${i}`, valueFrom })),
      ...(random() < 0.2
        ? {
            logConfiguration: {
              logDriver: 'splunk',
              secretOptions: [{ name: 'splunk-token', valueFrom: valueFromParameter(draw(parameters)) }],
            },
          }
        : {}),
      ...(random() < 0.1
        ? { repositoryCredentials: { credentialsParameter: arn('secretsmanager', `secret:${draw(secrets)}`) } }
        : {}),
    };
  };

  const jobQueues: BatchJobQueue[] = Array.from({ length: shape.queues }, (_, i) => {
    const tags: Record<string, string> = i % 2 === 1 ? { [POLICY_TAG]: 'resubmit' } : {};
    return {
      jobQueueName: `queue-${i}`,
      jobQueueArn: arn('batch', `job-queue/queue-${i}`),
      state: 'ENABLED',
      status: 'VALID',
      priority: 1,
      jobQueueType: 'ECS',
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: arn('batch', `compute-environment/ce-${i}`) }],
      tags,
    };
  });

  const jobDefinitions: BatchJobDefinition[] = [];
  const revisionsPerName = 4;
  for (let i = 0; i < shape.definitions; i++) {
    const name = `job-def-${Math.floor(i / revisionsPerName)}`;
    const revision = (i % revisionsPerName) + 1;
    const kind = random();
    const policy = pick(random, POLICY_MIX);
    const spec =
      kind < 0.1
        ? {
            type: 'multinode',
            nodeProperties: {
              numNodes: 2,
              mainNode: 0,
              nodeRangeProperties: [
                { targetNodes: '0:0', container: container() },
                { targetNodes: '1:', container: container() },
              ],
            },
          }
        : kind < 0.2
          ? {
              type: 'container',
              ecsProperties: {
                taskProperties: [
                  {
                    containers: [
                      { name: 'app', essential: true, ...container() },
                      { name: 'sidecar', ...container() },
                    ],
                  },
                ],
              },
            }
          : { type: 'container', containerProperties: container() };
    jobDefinitions.push({
      jobDefinitionName: name,
      jobDefinitionArn: arn('batch', `job-definition/${name}:${revision}`),
      revision,
      // Older revisions are deregistered, yet jobs submitted with them still run.
      status: revision < revisionsPerName && i + 1 < shape.definitions ? 'INACTIVE' : 'ACTIVE',
      platformCapabilities: ['EC2'],
      retryStrategy: { attempts: 2 },
      timeout: { attemptDurationSeconds: 7200 },
      tags: policy ? { [POLICY_TAG]: policy } : {},
      ...spec,
    } as BatchJobDefinition);
  }

  const jobs: BatchJob[] = [];
  const containerDefinitions = jobDefinitions.filter((d) => d.containerProperties);
  const byStatus = new Map<readonly BatchJobDefinition[], Record<'ACTIVE' | 'INACTIVE', BatchJobDefinition[]>>();
  const pickDefinition = (definitions: readonly BatchJobDefinition[]): BatchJobDefinition => {
    const share = shape.inactiveJobShare;
    if (share === undefined) return pick(random, definitions);
    let split = byStatus.get(definitions);
    if (!split) {
      split = { ACTIVE: [], INACTIVE: [] };
      for (const d of definitions) split[d.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE'].push(d);
      byStatus.set(definitions, split);
    }
    const pool = split[random() < share ? 'INACTIVE' : 'ACTIVE'];
    return pick(random, pool.length > 0 ? pool : definitions);
  };
  let n = 0;
  const job = (definition: BatchJobDefinition, queue: BatchJobQueue, fields: Partial<BatchJob>): BatchJob => {
    const jobId = fields.jobId ?? uuid(random);
    return {
      jobArn: arn('batch', `job/${jobId}`),
      jobName: `${definition.jobDefinitionName}-run-${n++}`,
      jobId,
      jobQueue: queue.jobQueueArn,
      jobDefinition: definition.jobDefinitionArn,
      status: 'RUNNING',
      createdAt: shape.now - 7 * 3_600_000,
      parameters: {},
      tags: random() < 0.1 ? { [POLICY_TAG]: pick(random, ['resubmit', 'ignore', 'flag'] as const) } : {},
      ...(definition.containerProperties ? { container: definition.containerProperties } : {}),
      ...(definition.nodeProperties ? { nodeProperties: definition.nodeProperties } : {}),
      ...(definition.ecsProperties ? { ecsProperties: definition.ecsProperties } : {}),
      ...fields,
    };
  };
  while (jobs.length < shape.liveJobs) {
    const queue = pick(random, jobQueues);
    const startedAt = shape.now - Math.floor(60_000 + random() * 6 * 3_600_000);
    if (random() < 0.05 && containerDefinitions.length > 0) {
      const definition = pickDefinition(containerDefinitions);
      const parent = job(definition, queue, { status: 'PENDING', arrayProperties: { size: 3 } });
      jobs.push(parent);
      for (let i = 0; i < 3 && jobs.length < shape.liveJobs + 1; i++) {
        jobs.push(
          job(definition, queue, {
            jobId: `${parent.jobId}:${i}`,
            jobName: parent.jobName,
            startedAt,
            arrayProperties: { index: i },
            tags: parent.tags,
          }),
        );
      }
      continue;
    }
    const status = random() < 0.05 ? 'STARTING' : 'RUNNING';
    jobs.push(job(pickDefinition(jobDefinitions), queue, { status, ...(status === 'RUNNING' ? { startedAt } : {}) }));
  }
  for (let i = 0; i < (shape.queuedJobs ?? 0); i++) {
    jobs.push(
      job(pick(random, jobDefinitions), pick(random, jobQueues), {
        status: pick(random, ['SUBMITTED', 'RUNNABLE'] as const),
      }),
    );
  }
  const gone = new Set(shape.deleted);
  const metadata = toMetadata(parameters, secrets, shape.now, (id) => arn('secretsmanager', `secret:${id}`), gone);
  return { fleet: { region, account, jobQueues, jobDefinitions, jobs, metadata }, parameters, secrets };
}

const HALF_HOUR = 1_800_000;

/**
 * Metadata of every referenced parameter and secret, without drawing from the fleet's random sequence (the same seed
 * still gives the same jobs): each last changed between 30 minutes and 6 hours before `now`, as the live jobs
 * started, so a sweep finds some jobs stale and others not.
 */
function toMetadata(
  parameters: readonly string[],
  secrets: readonly string[],
  now: number,
  toSecretArn: (id: string) => string,
  deleted: ReadonlySet<string>,
): FleetMetadata {
  const changedAt = (i: number) => now - (((i * 7) % 12) + 1) * HALF_HOUR;
  const versionId = (i: number, n: number) =>
    `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    parameters: parameters.flatMap((name, i) =>
      deleted.has(name)
        ? []
        : [{ name, type: 'SecureString' as const, version: 1 + (i % 5), lastModifiedDate: changedAt(i) }],
    ),
    secrets: secrets.flatMap((id, i) =>
      deleted.has(id)
        ? []
        : [
            {
              name: id.slice(0, -7),
              arn: toSecretArn(id),
              versions: [
                { versionId: versionId(i, 1), stages: ['AWSPREVIOUS'], createdDate: now - 30 * 48 * HALF_HOUR },
                { versionId: versionId(i, 2), stages: ['AWSCURRENT'], createdDate: changedAt(i + 3) },
              ],
            },
          ],
    ),
  };
}
