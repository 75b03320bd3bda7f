import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireAwsCli } from '../../support/aws-cli';

/**
 * README's "Against the local sandbox" recipe, run as written by a newcomer: terminal 1 serves the sample fleet,
 * terminal 2 runs its commands (the AWS CLI and the binary through npx) with only the environment the recipe sets up,
 * then Ctrl-C stops terminal 1. The one liberty: the example port is replaced by a free one (the machine is shared).
 */

const README = readFileSync('README.md', 'utf8');
const EXAMPLE_PORT = '4599';

/** The recipe's two ```sh blocks: terminal 1's command and terminal 2's lines. */
function readRecipe(): { serve: string; lines: string[] } {
  const section = README.slice(README.indexOf('Against the local sandbox ('));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => m[1].trim());
  const [serve, commands] = blocks;
  return { serve, lines: commands.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')) };
}

/** A newcomer's environment: no AWS credentials, region, profile or config files, nothing of jest's setup. */
function freshEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|REACTOR_|POWERTOOLS_|JEST_)/.test(key)) env[key] = value;
  }
  const empty = mkdtempSync(join(tmpdir(), 'rr-recipe-'));
  return { ...env, AWS_CONFIG_FILE: join(empty, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === text && resolve());
    child.once('exit', (code) => reject(new Error(`terminal 1 exited (${code}) before printing "${text}"`)));
  });
}

/** Runs one line of terminal 2 after the recipe's `export` line, as the same shell would. */
function runLine(exports: string, line: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      ['-ec', `${exports}\n${line}`],
      { env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("README's sandbox recipe", () => {
  const env = freshEnvironment();
  const recipe = readRecipe();
  let port: number;
  let terminal1: ChildProcess;
  const url = () => `http://127.0.0.1:${port}`;
  const asWritten = (text: string) => text.replaceAll(EXAMPLE_PORT, String(port));

  beforeAll(async () => {
    requireAwsCli();
    port = await freePort();
    // Its own process group, so that Ctrl-C (SIGINT to the foreground group) can be sent as a terminal does.
    terminal1 = spawn('bash', ['-c', asWritten(recipe.serve)], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(terminal1, 'Serving until Ctrl-C.');
  }, 120_000);

  afterAll(() => {
    if (terminal1 && terminal1.exitCode === null && terminal1.signalCode === null)
      process.kill(-terminal1.pid!, 'SIGKILL');
  });

  it('reads as the recipe the test runs: the example port, dummy credentials, no LocalStack port', () => {
    expect(recipe.serve).toBe(`npx rotation-reactor sandbox --fleet events/fleets/sample.json --port ${EXAMPLE_PORT}`);
    expect(recipe.lines[0]).toBe(
      'export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-2',
    );
    expect(README).not.toMatch(/127\.0\.0\.1:4566/);
  });

  it('runs every command of terminal 2 as written, each succeeding with what it promises', async () => {
    const [exports, ...commands] = recipe.lines.map(asWritten);
    const outputs: Record<string, string> = {};
    for (const line of commands) {
      const { code, stdout, stderr } = await runLine(exports, line, env);
      if (code !== 0) throw new Error(`"${line}" exited ${code}: ${stderr}`);
      outputs[line.split(' --')[0]] = stdout;
    }
    const json = (command: string) => JSON.parse(outputs[command]);
    expect(json('aws batch list-jobs').jobSummaryList.map((j: { jobName: string }) => j.jobName)).toContain(
      'nightly-etl',
    );
    expect(json('aws ssm describe-parameters').Parameters.map((p: { Name: string }) => p.Name)).toEqual([
      '/prod/db/password',
      '/prod/api/key',
      '/prod/logging/splunk-token',
    ]);
    expect(json('aws secretsmanager describe-secret')).toMatchObject({
      Name: 'prod/db',
      ARN: 'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db-AbCdEf',
    });
    expect(outputs['npx rotation-reactor replay events/ssm']).toMatch(/^Summary: \d+ events .*, [1-9]\d* applied/m);
    const swept = outputs['npx rotation-reactor sweep'];
    expect(swept).toMatch(/^Swept \d+ referenced resources \(1 not swept\)\.$/m);
    expect(swept).toMatch(/^Reactions \([1-9]\d*\)$/m);
    expect(existsSync('reports/sandbox.html')).toBe(true);
  }, 600_000);

  it('stops on Ctrl-C, and the port closes', async () => {
    const exited = new Promise<void>((resolve) => terminal1.once('exit', () => resolve()));
    let stderr = '';
    terminal1.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    process.kill(-terminal1.pid!, 'SIGINT');
    await exited;
    await expect(fetch(`${url()}/v1/describejobqueues`, { method: 'POST' })).rejects.toThrow();
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
