/** Reading and writing the operator's files: every failure is one line naming the file and the problem. */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  createReadStream,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JSONParser } from '@streamparser/json';
import { CliError } from './cli-error';

/** JSON's insignificant whitespace (RFC 8259 §2) and `[`, as bytes. */
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPEN_BRACKET = 0x5b;

/** Reads and decodes a JSON file, or throws a CliError naming the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new CliError(`cannot read ${what} ${path}: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** One event to process, with where it came from (`file.json` or `file.json#3` for arrays). */
export interface EventInput {
  readonly source: string;
  readonly event: unknown;
}

/** Expands files and folders (recursively, `*.json`, sorted) into the event files to read. */
export function listEventFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => listJsonFiles(path));
}

/**
 * Streams the events of one file, which holds one event or an array of them: elements are parsed as the bytes
 * arrive and handed out one by one, so a file of any size costs memory for one chunk and the events not yet taken.
 */
export async function* streamEventFile(file: string): AsyncGenerator<EventInput> {
  const parsed: EventInput[] = [];
  let parser: JSONParser | undefined;
  let isArray = false;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      if (parser === undefined) {
        const first = chunk.findIndex((byte) => !WHITESPACE.has(byte));
        if (first === -1) continue;
        // An array's elements are emitted one by one (and dropped by the parser); anything else as one value.
        isArray = chunk[first] === OPEN_BRACKET;
        parser = new JSONParser({ paths: [isArray ? '$.*' : '$'], keepStack: false });
        parser.onValue = ({ value, key }) => {
          parsed.push(isArray ? { source: `${file}#${key as number}`, event: value } : { source: file, event: value });
        };
      }
      // The parser ends by itself after the top-level value; bytes after it (but whitespace) are an error.
      parser.write(chunk);
      yield* parsed.splice(0);
    }
    if (parser === undefined) throw new SyntaxError('the file is empty');
    if (!parser.isEnded) parser.end();
    yield* parsed.splice(0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) {
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
      throw new CliError(`cannot read event file ${file}: ${why}`);
    }
    throw new CliError(`event file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function listJsonFiles(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new CliError(`cannot read event file ${path}: no such file or directory`);
  }
  if (!isDirectory) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return listJsonFiles(child);
      return entry.name.endsWith('.json') ? [child] : [];
    });
}

/** Writes a file through a temporary sibling and a rename, so readers never see half of it. */
export function writeFileAtomically(path: string, text: string, what: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `no such directory ${dirname(path)}`
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new CliError(`cannot write ${what} ${path}: ${why}`);
  }
}

/** Fails fast, before a long export, when `path` cannot be written (missing or read-only directory, a directory). */
export function checkWritable(path: string, what: string): void {
  const directory = dirname(path);
  try {
    if (!statSync(directory).isDirectory())
      throw new CliError(`cannot write ${what} ${path}: ${directory} is not a directory`);
    accessSync(directory, constants.W_OK);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot write ${what} ${path}: ${code === 'ENOENT' ? `no such directory ${directory}` : code === 'EACCES' ? `permission denied on ${directory}` : (error as Error).message}`,
    );
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw new CliError(`cannot write ${what} ${path}: it is a directory`);
}
