import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli';

// The demo replays every sample event under events/ssm and events/secretsmanager.
const SAMPLE_EVENTS = ['events/ssm', 'events/secretsmanager'].flatMap((dir) =>
  readdirSync(dir).filter((file) => file.endsWith('.json')),
).length;

describe('rotation-reactor demo (npm start)', () => {
  it('runs the whole pipeline locally and ends with the inventory, the actions and an HTML report', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'rr-demo-')), 'report.html');
    const { code, stdout } = await runCli('demo', '--html', html);
    expect(code).toBe(0);
    for (const step of [1, 2, 3, 4, 5]) expect(stdout).toContain(`[${step}/5]`);
    expect(stdout).toMatch(
      new RegExp(
        `Summary: ${SAMPLE_EVENTS} events \\(0 rejected\\), \\d+ live jobs scanned, \\d+ applied, 0 already done, 0 failed\\.`,
      ),
    );
    expect(stdout).toMatch(/\d+ flagged, [1-9]\d* resubmitted, 0 failed/);
    expect(stdout).toContain(`HTML report: ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('Stale inventory');
  });
});
