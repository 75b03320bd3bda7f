/**
 * What `sls package` writes, checked as files: the function bundles carry everything they use (serverless.yml
 * bundles the AWS SDK; the Lambda runtime's own SDK is never loaded), and every compiled template passes cfn-lint
 * without a warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { type CfnTemplate, loadPackagedService } from '../support/serverless-template';

let template: CfnTemplate;
let packageDir: string;
const unzipped = mkdtempSync(join(tmpdir(), 'rotation-reactor-bundles-'));

beforeAll(async () => {
  ({ template, dir: packageDir } = await loadPackagedService());
  for (const zip of readdirSync(packageDir).filter((name) => name.endsWith('.zip'))) {
    execFileSync('python3', ['-m', 'zipfile', '-e', join(packageDir, zip), join(unzipped, zip.replace(/\.zip$/, ''))]);
  }
}, 180_000);

afterAll(() => {
  rmSync(unzipped, { recursive: true, force: true });
});

const FUNCTIONS = [
  ['onChangeBatch', 'handlers/on-change-batch.js'],
  ['onSweep', 'handlers/on-sweep.js'],
  ['onJobStateChange', 'handlers/on-job-state-change.js'],
  ['onReplay', 'handlers/on-replay.js'],
];

/** What a bundle imports: esbuild resolves it again from outside the project, where only Node built-ins exist. */
function importsOf(file: string, workingDir: string) {
  try {
    const { metafile } = buildSync({
      entryPoints: [file],
      absWorkingDir: workingDir,
      bundle: true,
      write: false,
      platform: 'node',
      metafile: true,
      logLevel: 'silent',
    });
    return {
      files: Object.keys(metafile.inputs),
      imports: [...new Set(Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path)))],
      unresolved: [] as string[],
    };
  } catch (error) {
    const errors = (error as { errors?: { text: string }[] }).errors ?? [{ text: String(error) }];
    return { files: [], imports: [], unresolved: errors.map((e) => e.text) };
  }
}

describe('the packaged function bundles', () => {
  it('are the four functions of the template, one zip each', () => {
    const zips = readdirSync(packageDir).filter((name) => name.endsWith('.zip'));
    expect(zips.sort()).toEqual(FUNCTIONS.map(([name]) => `${name}.zip`).sort());
    const handlers = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties?.Handler);
    expect(handlers.sort()).toEqual(FUNCTIONS.map(([, file]) => file.replace(/\.js$/, '.handler')).sort());
  });

  it.each(FUNCTIONS)('%s carries everything it uses: its bundle imports Node built-ins only', (name, file) => {
    const dir = join(unzipped, name);
    expect(readdirSync(dir)).toEqual(['handlers']);
    const { files, imports, unresolved } = importsOf(join(dir, file), dir);
    expect(unresolved).toEqual([]);
    expect(files).toEqual([file]);
    expect(imports.length).toBeGreaterThan(5);
    expect(imports.filter((path) => !isBuiltin(path))).toEqual([]);
  });

  it.each(
    FUNCTIONS,
  )('%s carries the AWS SDK it was tested with (Batch, DynamoDB, EventBridge clients)', (name, file) => {
    const bundle = readFileSync(join(unzipped, name, file), 'utf8');
    // Signing names of the clients wiring.ts builds, as each client's auth scheme provider spells them.
    for (const service of ['batch', 'dynamodb', 'events']) expect(bundle).toContain(`name:"${service}"`);
  });

  it("bundles a Batch client whose SubmitJob knows the members older runtime SDKs drop (not the runtime's)", () => {
    const bundle = readFileSync(join(unzipped, 'onChangeBatch', 'handlers/on-change-batch.js'), 'utf8');
    for (const member of [
      'ecsPropertiesOverride',
      'eksPropertiesOverride',
      'consumableResourcePropertiesOverride',
      'nodeOverrides',
    ]) {
      expect(bundle).toContain(member);
    }
  });
});

describe('the compiled CloudFormation templates', () => {
  it('pass cfn-lint without an error or a warning (the CloudTrail fallback is a real stack parameter)', () => {
    const probe = spawnSync('python3', ['-c', 'import cfnlint'], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`cfn-lint is required (it comes with moto): ${probe.stderr.trim()}`);
    const templates = readdirSync(packageDir).filter((name) => /^cloudformation-template-.*\.json$/.test(name));
    expect(templates.sort()).toEqual([
      'cloudformation-template-create-stack.json',
      'cloudformation-template-update-stack.json',
    ]);
    const lint = spawnSync(
      'python3',
      [
        '-c',
        'import sys; from cfnlint.runner import main; sys.exit(main())',
        '--regions',
        'us-east-2',
        '--',
        ...templates.map((name) => join(packageDir, name)),
      ],
      { encoding: 'utf8' },
    );
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}` }).toEqual({ status: 0, output: '' });
  });

  it('leaves the CloudTrail fallback to a stack parameter, off by default', () => {
    const parameters = (template as CfnTemplate & { Parameters?: Record<string, unknown> }).Parameters;
    expect(parameters).toMatchObject({
      EnableCloudTrailFallback: expect.objectContaining({
        Type: 'String',
        AllowedValues: ['true', 'false'],
        Default: 'false',
      }),
    });
    expect(template.Conditions).toMatchObject({
      CloudTrailFallback: { 'Fn::Equals': [{ Ref: 'EnableCloudTrailFallback' }, 'true'] },
    });
    // Every condition hangs on a stack parameter, never on a package-time constant (cfn-lint W8003).
    expect(JSON.stringify(template.Conditions)).not.toMatch(/"Fn::Equals":\["[^"]*","/);
  });
});
