import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DescribeJobQueuesCommand } from '@aws-sdk/client-batch';
import { runCli } from '../../support/cli';
import { batchClientFor } from '../../support/sandbox';

const waitForLine = (child: ChildProcess, pattern: RegExp) =>
  new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before printing ${pattern}`)));
  });

describe('rotation-reactor sandbox', () => {
  it('serves a fleet file to real AWS clients until interrupted, then exits 0', async () => {
    const child = spawn('node', ['bin/rotation-reactor.js', 'sandbox', '--fleet', 'events/fleets/sample.json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const endpoint = await waitForLine(child, /sandbox: (http:\/\/127\.0\.0\.1:\d+)/);
      const batch = batchClientFor({ endpoint, region: 'us-east-2' });
      const { jobQueues = [] } = await batch.send(new DescribeJobQueuesCommand({}));
      batch.destroy();
      expect(jobQueues.map((q) => q.jobQueueName)).toEqual(['etl-prod', 'analytics']);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('names an unusable fleet file in one line (exit 2)', async () => {
    const { code, stderr } = await runCli('sandbox', '--fleet', 'events/ssm/parameter-store-change.update.json');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^rotation-reactor: .*parameter-store-change\.update\.json/);
    expect(stderr.split('\n')).toHaveLength(1);
  });
});
