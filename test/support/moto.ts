import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running moto server (python3 -m moto.server) with Batch configured not to use Docker. */
export interface Moto {
  readonly endpoint: string;
  /** Drops every resource (`POST /moto-api/reset`) and re-applies the no-Docker Batch config. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const startTimeoutMs = 20_000;

/** Starts moto on a free loopback port; throws a clear error when python3 has no moto (never skips). */
export async function startMoto(): Promise<Moto> {
  const probe = spawnSync('python3', ['-c', 'import moto'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    // The last line of a traceback says what is wrong (`ModuleNotFoundError: No module named 'moto'`).
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').pop();
    throw new Error(
      `moto is required by these tests but \`python3 -c 'import moto'\` failed (${why}); install moto 5.2.1 into python3`,
    );
  }
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await terminate(child);
  };
  try {
    await waitUntilAnswering(endpoint, child, () => stderr);
    await configure(endpoint);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    reset: async () => {
      await post(endpoint, '/moto-api/reset', '');
      await configure(endpoint);
    },
    stop,
  };
}

async function configure(endpoint: string): Promise<void> {
  await post(endpoint, '/moto-api/config', JSON.stringify({ batch: { use_docker: false } }));
}

async function post(endpoint: string, path: string, body: string): Promise<void> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  if (!response.ok) throw new Error(`moto ${path} answered HTTP ${response.status}: ${await response.text()}`);
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto.server exited with code ${child.exitCode}: ${stderr()}`);
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`moto.server did not answer on ${endpoint} within ${startTimeoutMs} ms: ${stderr()}`);
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
