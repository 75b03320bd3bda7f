import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { loadMiniFleet } from '../../support/sandbox';

const run = promisify(execFile);

// A second, non-JS AWS client (botocore) proves the sandbox speaks the wire protocols, not just what the JS SDK tolerates.
const script = `
import json, sys, boto3
from botocore.config import Config
endpoint = sys.argv[1]
kwargs = dict(endpoint_url=endpoint, region_name='us-east-2', aws_access_key_id='test', aws_secret_access_key='test',
              config=Config(retries={'max_attempts': 1, 'mode': 'standard'}))
batch = boto3.client('batch', **kwargs)
events = boto3.client('events', **kwargs)
out = {}
out['queues'] = [q['jobQueueName'] for q in batch.describe_job_queues()['jobQueues']]
out['running'] = sorted(j['jobName'] for j in batch.list_jobs(jobQueue='mini-prod')['jobSummaryList'])
pages = batch.get_paginator('list_jobs').paginate(jobQueue='mini-prod', jobStatus='RUNNING', PaginationConfig={'PageSize': 1})
out['pages'] = [len(page['jobSummaryList']) for page in pages]
job = batch.submit_job(jobName='from-boto3', jobQueue='mini-prod', jobDefinition='mini-app:2',
                       containerOverrides={'environment': [{'name': 'FROM', 'value': 'python'}]}, tags={'client': 'boto3'})
detail = batch.describe_jobs(jobs=[job['jobId']])['jobs'][0]
out['submitted'] = [detail['status'], detail['tags'], detail['container']['environment'][-1]]
batch.terminate_job(jobId=job['jobId'], reason='done')
out['terminated'] = batch.describe_jobs(jobs=[job['jobId']])['jobs'][0]['status']
try:
    batch.list_tags_for_resource(resourceArn='arn:aws:batch:us-east-2:123456789012:job/5a4d0b1e-0000-4000-8000-000000000006:0')
except batch.exceptions.ClientException as error:
    out['childTagError'] = [error.response['Error']['Code'], error.response['ResponseMetadata']['HTTPStatusCode']]
put = events.put_events(Entries=[{'Source': 'rotation-reactor', 'DetailType': 'Change Processed', 'Detail': '{"n": 1}'},
                                 {'Source': 'rotation-reactor', 'DetailType': 'Change Processed'}])
out['putEvents'] = [put['FailedEntryCount'], [e.get('ErrorCode', 'ok') for e in put['Entries']]]
print(json.dumps(out))
`;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ fleet: loadMiniFleet(), clock: 'manual', dynamodb: false });
});

afterAll(() => sandbox.stop());

describe('the sandbox with python boto3', () => {
  it('serves Batch and EventBridge to a non-JS AWS client', async () => {
    const { stdout } = await run('python3', ['-c', script, sandbox.endpoint], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({
      queues: ['mini-prod', 'mini-disabled', 'mini-fair'],
      running: ['legacy-load', 'mpi-train', 'nightly-load'],
      pages: [1, 1, 1],
      submitted: ['SUBMITTED', { client: 'boto3' }, { name: 'FROM', value: 'python' }],
      terminated: 'FAILED',
      childTagError: ['ClientException', 400],
      putEvents: [1, ['ok', 'InvalidArgument']],
    });
    expect(sandbox.events()).toHaveLength(1);
  });
});
