#!/usr/bin/env node
/**
 * `npm test`: type-check, lint, then every jest tier (unit, contract, integration, deploy, fault).
 * Ends with a plain `N passed, N failed` line (jest's own summary is not one CI reads).
 * Extra arguments go to jest, e.g. `npm test -- test/unit`.
 * Fails fast, in one line, when a tool the tests need is missing: moto in python3 and the AWS CLI.
 */
const { spawnSync } = require('node:child_process');
const { readFileSync, rmSync } = require('node:fs');

const bin = (name) => require.resolve(`.bin/${name}`, { paths: [`${__dirname}/../node_modules`] });
/** A tier that has not ended by then is stopped and counted as failed: `npm test` never hangs. */
const TIER_LIMIT_MS = 30 * 60_000;
const run = (label, cmd, args) => {
  process.stdout.write(`\n── ${label}\n`);
  const started = Date.now();
  const { status, error } = spawnSync(cmd, args, { stdio: 'inherit', timeout: TIER_LIMIT_MS, killSignal: 'SIGKILL' });
  if (error?.code === 'ETIMEDOUT')
    process.stdout.write(`── ${label} did not end within ${TIER_LIMIT_MS / 60_000} min: stopped\n`);
  process.stdout.write(
    `── ${label}: ${status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return status === 0;
};

let passed = 0;
let failed = 0;
const count = (ok) => (ok ? passed++ : failed++);

/** What is missing among the tools the tests run (they never skip): one phrase each. */
function findMissingTools() {
  const missing = [];
  const why = (probe) => (probe.error ? probe.error.message : probe.stderr.trim().split('\n').pop());
  const moto = spawnSync('python3', ['-c', 'import moto'], { encoding: 'utf8', timeout: 60_000 });
  if (moto.status !== 0) missing.push(`moto in python3 (\`python3 -c 'import moto'\`: ${why(moto)})`);
  const aws = spawnSync('aws', ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (aws.status !== 0) missing.push(`the AWS CLI (\`aws --version\`: ${why(aws)})`);
  return missing;
}

const missing = findMissingTools();
if (missing.length > 0) {
  process.stdout.write(
    `npm test needs ${missing.join(' and ')}; install ${missing.length === 1 ? 'it' : 'them'} (README "Testing": moto 5.2 for python3, Debian's awscli) and run again\n`,
  );
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}

count(run('type-check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', '.']));
count(run('lint (biome check)', bin('biome'), ['check', '.']));

const resultsFile = '.test-results.json';
rmSync(resultsFile, { force: true });
// The whole suite runs with coverage and its thresholds (jest.config.js); a subset (`npm test -- test/unit`) does not.
const extra = process.argv.slice(2);
const coverage = extra.length === 0 ? ['--coverage'] : [];
const jestOk = run('tests (jest)', bin('jest'), ['--json', `--outputFile=${resultsFile}`, ...coverage, ...extra]);
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
  if (results.numPendingTests + results.numTodoTests > 0) {
    process.stdout.write(
      `${results.numPendingTests + results.numTodoTests} tests are skipped or todo: a green run hides nothing.\n`,
    );
    failed += results.numPendingTests + results.numTodoTests;
  }
  if (!jestOk && results.numFailedTests + results.numRuntimeErrorTestSuites === 0) {
    process.stdout.write('jest failed without a failing test: coverage below the thresholds of jest.config.js?\n');
    failed++;
  }
} catch {
  failed++;
  process.stdout.write('jest wrote no results: counted as a failure.\n');
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
