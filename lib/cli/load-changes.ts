/** Event files → understood changes and rejections, streamed: each event is parsed as it is read, then dropped. */
import { parseChanges, type Rejection, type SourcedChange } from '../core/parse-events';
import { listEventFiles, streamEventFile } from './files';

/** What the event files said: the changes understood, the events rejected, and how many events and files were read. */
export interface LoadedChanges {
  readonly changes: SourcedChange[];
  readonly rejected: Rejection[];
  readonly events: number;
  readonly files: number;
}

/** Reads every event of the files and folders (see `listEventFiles`); `onProgress` counts files. */
export async function loadChanges(
  paths: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<LoadedChanges> {
  const files = listEventFiles(paths);
  const changes: SourcedChange[] = [];
  const rejected: Rejection[] = [];
  let events = 0;
  for (const [done, file] of files.entries()) {
    onProgress?.(done, files.length);
    for await (const input of streamEventFile(file)) {
      events++;
      const parsed = parseChanges([input]);
      // One at a time, never push(...many): a spread of 100k elements overflows the call stack.
      if (parsed.changes.length > 0) changes.push(parsed.changes[0]);
      else rejected.push(parsed.rejected[0]);
    }
  }
  onProgress?.(files.length, files.length);
  return { changes, rejected, events, files: files.length };
}
