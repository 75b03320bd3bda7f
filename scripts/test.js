#!/usr/bin/env node
/**
 * `npm test`: type-check, lint, then every jest tier (unit, contract, integration, deploy, fault).
 * Ends with a plain `N passed, N failed` line (jest's own summary is not one CI reads).
 * Extra arguments go to jest, e.g. `npm test -- test/unit`.
 */
const { spawnSync } = require('node:child_process');
const { readFileSync, rmSync } = require('node:fs');

const bin = (name) => require.resolve(`.bin/${name}`, { paths: [`${__dirname}/../node_modules`] });
const run = (label, cmd, args) => {
  process.stdout.write(`\n── ${label}\n`);
  const started = Date.now();
  const { status } = spawnSync(cmd, args, { stdio: 'inherit' });
  process.stdout.write(
    `── ${label}: ${status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return status === 0;
};

let passed = 0;
let failed = 0;
const count = (ok) => (ok ? passed++ : failed++);

count(run('type-check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', '.']));
count(run('lint (biome check)', bin('biome'), ['check', '.']));

const resultsFile = '.test-results.json';
rmSync(resultsFile, { force: true });
const jestOk = run('tests (jest)', bin('jest'), ['--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)]);
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
  if (!jestOk && results.numFailedTests + results.numRuntimeErrorTestSuites === 0) failed++;
} catch {
  failed++;
  process.stdout.write('jest wrote no results: counted as a failure.\n');
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
