import { build } from 'esbuild';

const HANDLERS = ['on-change-batch', 'on-sweep', 'on-job-state-change', 'on-replay'];

/** The modules esbuild puts into a handler's bundle, with the options serverless.yml's custom.esbuild uses. */
async function bundledInputs(handler: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`handlers/${handler}.ts`],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('the Lambda bundles', () => {
  it.each(HANDLERS)('bundle %s without the sandbox, the CLI, the benchmark or the tests', async (handler) => {
    const inputs = await bundledInputs(handler);
    // Not vacuous: the bundle holds the reactor itself.
    expect(inputs).toContain('lib/core/decide.ts');
    expect(inputs).toContain('lib/runtime/wiring.ts');
    const local = inputs.filter((input) => !input.startsWith('node_modules/'));
    expect(local.filter((input) => /^(lib\/sandbox|lib\/cli|bench|test|scripts)\//.test(input))).toEqual([]);
    // Nor the packages only they use.
    expect(
      inputs.filter((input) => /node_modules\/(dynalite|commander|cli-table3|cli-progress)\//.test(input)),
    ).toEqual([]);
  });
});
