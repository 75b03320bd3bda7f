/**
 * The CloudFormation template `sls package` compiles from serverless.yml, packaged once per change of its inputs:
 * the output is cached in os.tmpdir() under a fingerprint of the inputs' mtimes, and a lock directory makes
 * parallel jest workers wait for one packager instead of racing it. Plus a small resolver for the intrinsics
 * the tests need to evaluate (conditions, Fn::If, Ref, Fn::GetAtt, Fn::Sub).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One resource of the compiled template. */
export interface CfnResource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** The compiled template (the parts the tests read). */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Type: string; Default?: string; AllowedValues?: string[] }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** The packaged service: its template and the directory holding the function zips. */
export interface PackagedService {
  readonly template: CfnTemplate;
  readonly dir: string;
}

const ROOT = resolve(__dirname, '../..');
const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
const CACHE_ROOT = join(tmpdir(), 'rotation-reactor-sls-package');
// Everything esbuild bundles or osls reads; a change to any of them repackages.
const INPUTS = ['serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'handlers', 'lib'];
const LOCK_STALE_MS = 180_000;
const CACHE_MAX_AGE_MS = 86_400_000;

let packaged: Promise<PackagedService> | undefined;

/** Packages the service (or reuses the cached package of identical inputs) and loads its template. */
export function loadPackagedService(): Promise<PackagedService> {
  packaged ??= packageService();
  return packaged;
}

async function packageService(): Promise<PackagedService> {
  const dir = join(CACHE_ROOT, fingerprint());
  const file = join(dir, TEMPLATE_FILE);
  if (!existsSync(file)) await packageOnce(dir, file);
  return { template: JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate, dir };
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const path of listFiles(join(ROOT, input))) {
      const { mtimeMs, size } = statSync(path);
      hash.update(`${relative(ROOT, path)}\0${mtimeMs}\0${size}\n`);
    }
  }
  return hash.digest('hex').slice(0, 20);
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => listFiles(join(path, name)));
}

async function packageOnce(dir: string, file: string): Promise<void> {
  mkdirSync(CACHE_ROOT, { recursive: true });
  const lock = `${dir}.lock`;
  while (!tryLock(lock)) {
    if (existsSync(file)) return;
    await sleep(250);
  }
  try {
    if (existsSync(file)) return;
    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    await runSlsPackage(staging);
    renameSync(staging, dir);
    pruneCache(dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A packager that died (killed jest run) leaves its lock behind.
    if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function runSlsPackage(outDir: string): Promise<void> {
  const sls = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [sls, 'package', '--package', outDir],
      { cwd: ROOT, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          fail(new Error(`npx sls package failed (${error.message}):\n${`${stdout}\n${stderr}`.slice(-4000)}`));
        else done();
      },
    );
  });
}

function pruneCache(keep: string): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, name);
    if (path === keep || name.endsWith('.lock')) continue;
    if (Date.now() - statSync(path).mtimeMs > CACHE_MAX_AGE_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** What the resolver substitutes: condition values, and `Ref` / `Fn::GetAtt` results by logical id. */
export interface ResolveContext {
  readonly conditions?: Readonly<Record<string, boolean>>;
  readonly refs?: Readonly<Record<string, unknown>>;
  /** Keyed `LogicalId.Attribute`. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves the intrinsics in `value`; a reference the context does not know throws (the test names it). */
export function resolveIntrinsics(value: unknown, context: ResolveContext): unknown {
  const resolved = resolveNode(value, context);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolveNode(value: unknown, context: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveNode(item, context)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0];
    if (key === 'Fn::If') {
      const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
      return resolveNode(conditionValue(condition, context) ? whenTrue : whenFalse, context);
    }
    if (key === 'Ref') return resolveRef(argument as string, context);
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = argument as [string, string];
      return lookup(context.attributes, `${id}.${attribute}`, 'Fn::GetAtt');
    }
    if (key === 'Fn::Sub') return substitute(argument as string, context);
    if (key === 'Fn::Join') {
      const [delimiter, items] = argument as [string, unknown];
      return (resolveNode(items, context) as unknown[]).join(delimiter);
    }
    if (key === 'Fn::Split') {
      const [delimiter, text] = argument as [string, unknown];
      return String(resolveNode(text, context)).split(delimiter);
    }
    if (key === 'Fn::Select') {
      const [index, items] = argument as [number, unknown];
      return (resolveNode(items, context) as unknown[])[Number(index)];
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveNode(item, context);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function conditionValue(name: string, context: ResolveContext): boolean {
  const known = context.conditions?.[name];
  if (known === undefined) throw new Error(`resolveIntrinsics: no value for condition ${name}`);
  return known;
}

function resolveRef(name: string, context: ResolveContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  return lookup(context.refs, name, 'Ref');
}

function substitute(text: string, context: ResolveContext): string {
  return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
    const value = name.includes('.') ? lookup(context.attributes, name, 'Fn::Sub') : resolveRef(name, context);
    return String(value);
  });
}

function lookup(table: Readonly<Record<string, unknown>> | undefined, key: string, what: string): unknown {
  if (!table || !(key in table)) throw new Error(`resolveIntrinsics: no value for ${what} ${key}`);
  return table[key];
}

/**
 * Evaluates the template's conditions (`Fn::Equals` of literals and `Ref`s to stack parameters) for the given
 * parameter values; a parameter not given takes its default.
 */
export function evaluateConditions(
  template: CfnTemplate,
  parameters: Readonly<Record<string, string>> = {},
): Record<string, boolean> {
  const operandValue = (operand: unknown, condition: string): string => {
    if (typeof operand === 'string') return operand;
    const name = (operand as { Ref?: unknown } | null)?.Ref;
    const value = typeof name === 'string' ? (parameters[name] ?? template.Parameters?.[name]?.Default) : undefined;
    if (value === undefined) throw new Error(`condition ${condition}: cannot evaluate ${JSON.stringify(operand)}`);
    return value;
  };
  const out: Record<string, boolean> = {};
  const evaluate = (node: unknown, name: string): boolean => {
    const [[fn, argument]] = Object.entries(node as Record<string, unknown>);
    const operands = argument as unknown[];
    if (fn === 'Fn::Equals') return operandValue(operands[0], name) === operandValue(operands[1], name);
    if (fn === 'Fn::Not') return !evaluate(operands[0], name);
    if (fn === 'Fn::And') return operands.every((operand) => evaluate(operand, name));
    if (fn === 'Fn::Or') return operands.some((operand) => evaluate(operand, name));
    if (fn === 'Condition') return out[argument as string] ?? evaluate(template.Conditions?.[argument as string], name);
    throw new Error(`condition ${name}: cannot evaluate ${fn}`);
  };
  for (const [name, condition] of Object.entries(template.Conditions ?? {})) out[name] = evaluate(condition, name);
  return out;
}

/** The resources of one CloudFormation type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Record<string, CfnResource> {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === type));
}
