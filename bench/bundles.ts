/**
 * Lambda bundles: each handler built as serverless-esbuild builds it (serverless.yml `custom.esbuild`), its size,
 * and the cold import time of each bundle against a bare handler that only creates an SDK client.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { note } from './progress';
import { median } from './stats';

/** Size and cold import time of one bundle. */
export interface BundleFigure {
  readonly handler: string;
  readonly bytes: number;
  /** Median ms to `require` the bundle in a fresh node process. */
  readonly importMs: number;
  readonly importRunsMs: readonly number[];
  /** The largest contributors to the bundle (npm packages, or folders of this repository). */
  readonly largestInputs: readonly { readonly input: string; readonly bytes: number }[];
}

/** Every bundle, the bare baseline last. */
export interface BundleFigures {
  readonly bundles: readonly BundleFigure[];
  readonly bare: BundleFigure;
  readonly esbuild: BuildOptions;
  readonly node: string;
}

const ROOT = resolve(__dirname, '..');

/** serverless.yml: bundle, minify, target node22, platform node, format cjs, nothing excluded (the AWS SDK inside). */
const ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  target: 'node22',
  platform: 'node',
  format: 'cjs',
};

/** What Lambda sets before the handler module loads (plus the function's Powertools variables). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-2',
  AWS_DEFAULT_REGION: 'us-east-2',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'rotation-reactor-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  POWERTOOLS_SERVICE_NAME: 'rotation-reactor',
  POWERTOOLS_METRICS_NAMESPACE: 'RotationReactor',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

const IMPORT_SCRIPT =
  'const t=process.hrtime.bigint();require(process.argv[1]);console.log(Number(process.hrtime.bigint()-t)/1e6)';

function importOnce(bundle: string): number {
  const out = spawnSync(process.execPath, ['-e', IMPORT_SCRIPT, bundle], {
    // The bundles carry the AWS SDK (serverless.yml): nothing is resolved from node_modules, as in Lambda.
    env: { PATH: process.env.PATH, ...LAMBDA_ENV },
    encoding: 'utf8',
  });
  const ms = Number(out.stdout.trim().split('\n').pop());
  if (out.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`importing ${basename(bundle)} failed: ${out.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  return ms;
}

async function buildOne(
  entry: string,
  outdir: string,
): Promise<{ file: string; largestInputs: BundleFigure['largestInputs'] }> {
  const { metafile } = await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    outdir,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile?.outputs ?? {})) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const input = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, -1).join('/');
      bytes.set(input, (bytes.get(input) ?? 0) + bytesInOutput);
    }
  }
  const largestInputs = [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([input, n]) => ({ input, bytes: n }));
  return { file: join(outdir, `${basename(entry, '.ts')}.js`), largestInputs };
}

/** Builds every handler under handlers/ and the bare baseline, then imports each `runs` times (interleaved). */
export async function runBundleBench(runs: number): Promise<BundleFigures> {
  const outdir = mkdtempSync(join(tmpdir(), 'rotation-reactor-bench-'));
  try {
    const handlers = readdirSync(join(ROOT, 'handlers'))
      .filter((f) => f.endsWith('.ts'))
      .sort();
    note(`bundles: building ${handlers.length} handlers and the bare baseline with esbuild`);
    const entries = [...handlers.map((f) => join(ROOT, 'handlers', f)), join(__dirname, 'bare-handler.ts')];
    const built: Awaited<ReturnType<typeof buildOne>>[] = [];
    for (const entry of entries) built.push(await buildOne(entry, outdir));
    const files = built.map((b) => b.file);
    const times = files.map(() => [] as number[]);
    for (let run = 1; run <= runs; run++) {
      for (const [i, file] of files.entries()) times[i].push(importOnce(file));
      note(`bundles: cold imports ${run}/${runs}`);
    }
    const figures = files.map((file, i) => ({
      handler: basename(file, '.js'),
      bytes: statSync(file).size,
      importMs: median(times[i]),
      importRunsMs: times[i],
      largestInputs: built[i].largestInputs,
    }));
    return {
      bundles: figures.slice(0, -1),
      bare: figures[figures.length - 1],
      esbuild: ESBUILD_OPTIONS,
      node: process.version,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
