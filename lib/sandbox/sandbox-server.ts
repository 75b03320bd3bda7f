import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, clientError, validationError } from './api-error';
import { batchHandlers } from './batch-api';
import type { BatchState } from './batch-state';
import type { FaultInjector } from './faults';
import type { MetadataState } from './metadata-state';
import { runParameterOperation } from './parameter-api';
import { type CapturedEvent, putEvents } from './put-events';
import { type Body, toBody } from './request-body';
import type { RequestLog, RequestOutcome } from './request-log';
import { type Route, resolveRoute } from './routes';
import { runSecretOperation } from './secret-api';

/** What the HTTP layer serves from and records into. */
export interface SandboxServerDeps {
  readonly state: BatchState;
  /** Parameter Store and Secrets Manager metadata (never a value). */
  readonly metadata: MetadataState;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly events: CapturedEvent[];
  /** Where DynamoDB calls go, so one endpoint serves every service the reactor uses (not logged: not Batch). */
  readonly dynamodb?: { handle(request: IncomingMessage, response: ServerResponse): void };
}

const maxBodyBytes = 10 * 1024 * 1024;

/** Which protocol and error vocabulary a request gets: Batch is REST-JSON, the others JSON 1.1. */
type Service = 'batch' | 'events' | 'ssm' | 'secretsmanager';

/**
 * Creates (not yet listening) the HTTP server that answers Batch REST-JSON, and EventBridge, Parameter Store and
 * Secrets Manager JSON 1.1 requests.
 */
export function createSandboxServer(deps: SandboxServerDeps): Server {
  return createServer((request, response) => {
    response.on('error', () => undefined);
    const target = request.headers['x-amz-target'];
    if (deps.dynamodb && typeof target === 'string' && target.startsWith('DynamoDB_20120810.')) {
      deps.dynamodb.handle(request, response);
      return;
    }
    handle(deps, request, response).catch(() => {
      if (!response.headersSent) sendError(response, 'batch', new ApiError('ServerException', 500, 'Internal error'));
    });
  });
}

async function handle(deps: SandboxServerDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sandbox');
  const target = request.headers['x-amz-target'];
  const route = resolveRoute(request.method ?? 'GET', url, Array.isArray(target) ? target[0] : target);
  const service: Service = route.service === 'unknown' ? 'batch' : route.service;
  const record = (outcome: RequestOutcome) => deps.log.record(route.operation, outcome);
  try {
    const raw = await readBody(request);
    if (route.service === 'unknown') {
      throw new ApiError('UnknownOperationException', route.status, route.message);
    }
    const latency = deps.faults.latencyFor(route.operation);
    if (latency > 0) await sleep(latency);
    const fault = deps.faults.drawRequestFault(route.operation);
    if (fault === 'throttled') throw toThrottlingError(service);
    if (fault === 'server-error') throw toServerError(service);
    const result = run(deps, route, parseBody(raw, service));
    sendJson(response, 200, service, result);
    record('ok');
  } catch (error) {
    const apiError = error instanceof ApiError ? error : toServerError(service);
    sendError(response, service, apiError);
    record(toOutcome(apiError));
  }
}

function run(deps: SandboxServerDeps, route: Route, body: Body): Record<string, unknown> {
  if (route.service === 'events')
    return putEvents({ clock: deps.state.clock, faults: deps.faults, events: deps.events }, body);
  if (route.service === 'batch') return batchHandlers[route.operation](deps.state, body, route);
  if (route.service === 'ssm' || route.service === 'secretsmanager') {
    try {
      return route.service === 'ssm'
        ? runParameterOperation(deps.metadata, route.operation, body)
        : runSecretOperation(deps.metadata, route.operation, body);
    } catch (error) {
      // The shared body checks speak Batch (ClientException); these services call a bad field a ValidationException.
      if (error instanceof ApiError && error.code === 'ClientException') throw validationError(error.message);
      throw error;
    }
  }
  throw new ApiError('UnknownOperationException', 404, `${route.operation} is not served`);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBodyBytes) throw clientError(`Request body is larger than ${maxBodyBytes} bytes`);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, service: Service): Body {
  if (raw.length === 0) return {};
  let decoded: unknown;
  try {
    decoded = JSON.parse(raw.toString('utf8'));
  } catch {
    throw service === 'batch'
      ? clientError('Request body is not valid JSON')
      : new ApiError('SerializationException', 400, 'Request body is not valid JSON');
  }
  return toBody(decoded);
}

function toThrottlingError(service: Service): ApiError {
  return service === 'batch'
    ? new ApiError('TooManyRequestsException', 429, 'Too Many Requests')
    : new ApiError('ThrottlingException', 400, 'Rate exceeded');
}

function toServerError(service: Service): ApiError {
  if (service === 'batch') return new ApiError('ServerException', 500, 'Internal server error');
  if (service === 'ssm') return new ApiError('InternalServerError', 500, 'An error occurred on the server side.');
  if (service === 'secretsmanager')
    return new ApiError('InternalServiceError', 500, 'An error occurred on the server side.');
  return new ApiError('InternalException', 500, 'Internal service error');
}

function toOutcome(error: ApiError): RequestOutcome {
  if (error.code === 'TooManyRequestsException' || error.code === 'ThrottlingException') return 'throttled';
  return error.status >= 500 ? 'server-error' : 'client-error';
}

function sendJson(response: ServerResponse, status: number, service: Service, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': service === 'batch' ? 'application/json' : 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(payload);
}

function sendError(response: ServerResponse, service: Service, error: ApiError): void {
  response.setHeader('x-amzn-errortype', error.code);
  sendJson(response, error.status, service, { __type: error.code, message: error.message });
}
