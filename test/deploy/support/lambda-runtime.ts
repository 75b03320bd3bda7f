/**
 * A packaged function run the way the Node.js Lambda runtime runs it: its zip unzipped into a task root, one process
 * per execution environment (init once, then one invocation at a time), the runtime's reserved environment variables
 * plus the function configuration Lambda returned, and module resolution limited to what the runtime offers: the
 * task root and an emulated runtime directory that holds no package at all. The real runtime would offer its own AWS
 * SDK there; offering none proves the bundle does not need it (serverless.yml bundles every client it uses).
 *
 * Harness-only variables, which Lambda does not set: AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> (moto and the
 * Batch sandbox instead of AWS) and AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED (the tests run Node 20, the
 * function nodejs22.x).
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';

const MARK = '@@lambda-bootstrap ';
const BOOTSTRAP = join(__dirname, 'lambda-bootstrap.js');
const INIT_TIMEOUT_MS = 30_000;

/** Where the function's SDK clients go: `default` for every service, plus per-service overrides (`BATCH`…). */
export type Endpoints = { readonly default: string } & Readonly<Record<string, string>>;

/** How to run one packaged function. */
export interface FunctionRuntimeOptions {
  readonly zipFile: string;
  /** As Lambda's GetFunctionConfiguration returned it for the deployed function. */
  readonly configuration: FunctionConfiguration;
  readonly region: string;
  readonly endpoints: Endpoints;
  /** `host:port` of the UDP socket standing in for the X-Ray daemon. */
  readonly xrayDaemonAddress: string;
  /** Runtime variables to override; `undefined` removes one (e.g. an invoker that sets no initialization type). */
  readonly runtimeOverrides?: Readonly<Record<string, string | undefined>>;
}

/** What one invocation returned and printed. */
export interface Invocation {
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** The JSON lines the invocation printed: Powertools log records and EMF metric documents. */
  readonly logs: readonly Record<string, unknown>[];
  /** Lines that were not JSON. */
  readonly text: readonly string[];
}

/** A running execution environment of one function. */
export interface FunctionProcess {
  /** Whether `@aws-sdk/client-batch` could be resolved from the task root (it must not: nothing offers it). */
  readonly sdkResolvable: boolean;
  invoke(event: unknown): Promise<Invocation>;
  stderr(): string;
  stop(): Promise<void>;
}

type Message =
  | { type: 'ready'; sdkResolvable: boolean }
  | { type: 'init-error'; error: { name: string; message: string } }
  | { type: 'result'; id: string; result: unknown }
  | { type: 'error'; id: string; error: { name: string; message: string } };

/** Unzips the function's package and starts its execution environment (the init phase runs here). */
export async function startFunction(options: FunctionRuntimeOptions): Promise<FunctionProcess> {
  const taskRoot = mkdtempSync(join(tmpdir(), 'rotation-reactor-task-'));
  const runtimeDir = mkdtempSync(join(tmpdir(), 'rotation-reactor-runtime-'));
  mkdirSync(join(runtimeDir, 'node_modules'));
  // The bootstrap runs from the runtime directory, not from test/: nothing resolves into the project's node_modules.
  copyFileSync(BOOTSTRAP, join(runtimeDir, 'bootstrap.js'));
  execFileSync('python3', ['-m', 'zipfile', '-e', options.zipFile, taskRoot]);

  const { configuration } = options;
  const name = configuration.FunctionName ?? 'function';
  const logGroupName = configuration.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`;
  const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
  const [xrayHost, xrayPort] = options.xrayDaemonAddress.split(':');
  const runtimeVariables: Record<string, string | undefined> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    HOME: runtimeDir,
    NODE_PATH: [join(runtimeDir, 'node_modules'), runtimeDir, taskRoot].join(':'),
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    _HANDLER: configuration.Handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${configuration.Runtime}`,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(configuration.MemorySize ?? 128),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'test',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: options.xrayDaemonAddress,
    _AWS_XRAY_DAEMON_ADDRESS: xrayHost,
    _AWS_XRAY_DAEMON_PORT: xrayPort,
    ...options.runtimeOverrides,
  };
  const harnessVariables: Record<string, string> = {
    AWS_ENDPOINT_URL: options.endpoints.default,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [service, url] of Object.entries(options.endpoints)) {
    if (service !== 'default') harnessVariables[`AWS_ENDPOINT_URL_${service}`] = url;
  }
  const env = Object.fromEntries(
    Object.entries({ ...runtimeVariables, ...configuration.Environment?.Variables, ...harnessVariables }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );

  const child = spawn(process.execPath, [join(runtimeDir, 'bootstrap.js')], { cwd: taskRoot, env });
  const session = createSession(child);
  const cleanUp = () => {
    rmSync(taskRoot, { recursive: true, force: true });
    rmSync(runtimeDir, { recursive: true, force: true });
  };
  let ready: Extract<Message, { type: 'ready' }>;
  try {
    ready = await session.ready;
  } catch (error) {
    child.kill('SIGKILL');
    cleanUp();
    throw error;
  }

  const timeoutMs = (configuration.Timeout ?? 3) * 1000;
  return {
    sdkResolvable: ready.sdkResolvable,
    invoke: (event) =>
      session.invoke({
        id: randomUUID(),
        event,
        traceId: toTraceId(),
        deadline: Date.now() + timeoutMs,
        context: {
          functionName: name,
          functionVersion: '$LATEST',
          invokedFunctionArn: configuration.FunctionArn,
          memoryLimitInMB: String(configuration.MemorySize ?? 128),
          awsRequestId: randomUUID(),
          logGroupName,
          logStreamName,
        },
      }),
    stderr: session.stderr,
    stop: async () => {
      await session.close();
      cleanUp();
    },
  };
}

interface Request {
  readonly id: string;
  readonly event: unknown;
  readonly traceId: string;
  readonly deadline: number;
  readonly context: Record<string, unknown>;
}

/** The line protocol with the bootstrap: one pending invocation at a time, logs collected until its answer. */
function createSession(child: ChildProcessWithoutNullStreams) {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  let logs: Record<string, unknown>[] = [];
  let text: string[] = [];
  let pending: { id: string; resolve: (invocation: Invocation) => void; reject: (error: Error) => void } | undefined;
  let onReady: { resolve: (message: Extract<Message, { type: 'ready' }>) => void; reject: (error: Error) => void };
  const ready = new Promise<Extract<Message, { type: 'ready' }>>((resolve, reject) => {
    onReady = { resolve, reject };
  });
  const initTimer = setTimeout(
    () => onReady.reject(new Error(`the function did not finish its init in ${INIT_TIMEOUT_MS} ms: ${stderr}`)),
    INIT_TIMEOUT_MS,
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    clearTimeout(initTimer);
    const error = new Error(`the function's process exited (${code ?? signal}): ${stderr}\n${text.join('\n')}`);
    onReady.reject(error);
    pending?.reject(error);
    pending = undefined;
  });

  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith(MARK)) {
      const message = JSON.parse(line.slice(MARK.length)) as Message;
      if (message.type === 'ready') {
        clearTimeout(initTimer);
        onReady.resolve(message);
      } else if (message.type === 'init-error') {
        onReady.reject(new Error(`init failed: ${message.error.name}: ${message.error.message}\n${stderr}`));
      } else if (pending && message.id === pending.id) {
        const done = pending;
        pending = undefined;
        const printed = { logs, text };
        logs = [];
        text = [];
        done.resolve(
          message.type === 'result' ? { result: message.result, ...printed } : { error: message.error, ...printed },
        );
      }
      return;
    }
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) logs.push(parsed as Record<string, unknown>);
      else text.push(line);
    } catch {
      text.push(line);
    }
  });

  return {
    ready,
    stderr: () => stderr,
    invoke(request: Request): Promise<Invocation> {
      if (pending) throw new Error('one invocation at a time: an execution environment is single-threaded');
      return new Promise<Invocation>((resolve, reject) => {
        pending = { id: request.id, resolve, reject };
        child.stdin.write(`${JSON.stringify(request)}\n`);
      });
    },
    async close(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.stdin.end();
      await exited;
      clearTimeout(force);
    },
  };
}

/** An X-Ray trace header as Lambda sets it for a sampled invocation. */
function toTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}
