/**
 * The stand-in for the Node.js Lambda runtime's bootstrap, run as its own process from the emulated runtime
 * directory (never from the project, whose node_modules must stay out of reach). Like the runtime, it loads the
 * handler named by `_HANDLER` from `LAMBDA_TASK_ROOT` once (init), then runs one invocation at a time, setting
 * `_X_AMZN_TRACE_ID` for each. Requests arrive on stdin as JSON lines; answers are written to stdout between the
 * handler's own log lines, prefixed with MARK, so the parent can tell which logs belong to which invocation.
 */
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const MARK = '@@lambda-bootstrap ';
const say = (message) => process.stdout.write(`${MARK}${JSON.stringify(message)}\n`);
const toError = (error) => ({
  name: error instanceof Error ? error.name : 'Error',
  message: error instanceof Error ? error.message : String(error),
});

const taskRoot = process.env.LAMBDA_TASK_ROOT;
const handlerSetting = process.env._HANDLER;
const dot = handlerSetting.lastIndexOf('.');
const [moduleName, exportName] = [handlerSetting.slice(0, dot), handlerSetting.slice(dot + 1)];

// What the bundle could pick up beside itself: the real runtime offers its own AWS SDK here, this one nothing.
const resolvable = (name) => {
  try {
    require.resolve(name, { paths: [taskRoot] });
    return true;
  } catch {
    return false;
  }
};

let handler;
try {
  handler = require(join(taskRoot, moduleName))[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerSetting} is not a function`);
} catch (error) {
  say({ type: 'init-error', error: toError(error) });
  process.exit(1);
}
say({ type: 'ready', sdkResolvable: resolvable('@aws-sdk/client-batch') });

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(() => invoke(JSON.parse(line)));
});
lines.on('close', () => {
  queue.then(() => process.exit(0));
});

async function invoke({ id, event, context, traceId, deadline }) {
  process.env._X_AMZN_TRACE_ID = traceId;
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(event, lambdaContext);
    say({ type: 'result', id, result: result === undefined ? null : result });
  } catch (error) {
    say({ type: 'error', id, error: toError(error) });
  }
}
