/** The Batch operations the sandbox serves. */
export type BatchOperation =
  | 'DescribeJobQueues'
  | 'CreateJobQueue'
  | 'DescribeJobDefinitions'
  | 'RegisterJobDefinition'
  | 'DeregisterJobDefinition'
  | 'ListJobs'
  | 'DescribeJobs'
  | 'SubmitJob'
  | 'TerminateJob'
  | 'CancelJob'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource';

/**
 * What a request asks for: a Batch operation (REST-JSON), EventBridge PutEvents, a Parameter Store or Secrets Manager
 * operation (JSON 1.1: the handler decides whether it is served), or nothing served.
 */
export type Route =
  | {
      readonly service: 'batch';
      readonly operation: BatchOperation;
      readonly resourceArn?: string;
      readonly tagKeys?: string[];
    }
  | { readonly service: 'events'; readonly operation: 'PutEvents' }
  | { readonly service: 'ssm' | 'secretsmanager'; readonly operation: string }
  | { readonly service: 'unknown'; readonly operation: string; readonly status: number; readonly message: string };

const postOperations = new Map<string, BatchOperation>(
  (
    [
      'DescribeJobQueues',
      'CreateJobQueue',
      'DescribeJobDefinitions',
      'RegisterJobDefinition',
      'DeregisterJobDefinition',
      'ListJobs',
      'DescribeJobs',
      'SubmitJob',
      'TerminateJob',
      'CancelJob',
    ] as const
  ).map((operation) => [`/v1/${operation.toLowerCase()}`, operation]),
);

const tagOperations: Record<string, BatchOperation> = {
  POST: 'TagResource',
  DELETE: 'UntagResource',
  GET: 'ListTagsForResource',
};

/** Maps a method, URL and `x-amz-target` header to the operation to run. */
export function resolveRoute(method: string, url: URL, target: string | undefined): Route {
  const path = url.pathname;
  if (path === '/' && method === 'POST') {
    if (target === 'AWSEvents.PutEvents') return { service: 'events', operation: 'PutEvents' };
    const [prefix, operation] = target?.split('.') ?? [];
    if (operation && prefix === 'AmazonSSM') return { service: 'ssm', operation };
    if (operation && prefix === 'secretsmanager') return { service: 'secretsmanager', operation };
    const served = target === undefined ? 'no x-amz-target header' : `x-amz-target ${target} is not served`;
    return {
      service: 'unknown',
      operation: operation || 'UnknownOperation',
      status: 400,
      message: `${served}; the sandbox serves AWSEvents.PutEvents, AmazonSSM.* and secretsmanager.* metadata operations`,
    };
  }
  if (path.startsWith('/v1/tags/') && path.length > '/v1/tags/'.length) {
    const operation = tagOperations[method];
    if (operation) {
      return {
        service: 'batch',
        operation,
        resourceArn: decodeURIComponent(path.slice('/v1/tags/'.length)),
        tagKeys: url.searchParams.getAll('tagKeys'),
      };
    }
  }
  const operation = postOperations.get(path);
  if (operation && method === 'POST') return { service: 'batch', operation };
  return {
    service: 'unknown',
    operation: 'UnknownOperation',
    status: 404,
    message: `${method} ${path} is not an operation the sandbox serves`,
  };
}
