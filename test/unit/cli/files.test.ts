import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventInput, listEventFiles, streamEventFile } from '../../../lib/cli/files';

const tmp = mkdtempSync(join(tmpdir(), 'rr-files-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
const collect = async (path: string) => {
  const inputs: EventInput[] = [];
  for await (const input of streamEventFile(path)) inputs.push(input);
  return inputs;
};
const failureOf = (path: string) =>
  collect(path).then(
    () => undefined,
    (error: Error) => error,
  );

describe('streamEventFile', () => {
  it('hands out the elements of an array one by one, named file#index', async () => {
    const path = file('array.json', '\n [ {"a": 1}, "x", {"b": [2, 3]} ]\n');
    expect(await collect(path)).toEqual([
      { source: `${path}#0`, event: { a: 1 } },
      { source: `${path}#1`, event: 'x' },
      { source: `${path}#2`, event: { b: [2, 3] } },
    ]);
  });

  it('hands out a file holding one value as one event named after the file', async () => {
    const path = file('one.json', '{"detail": {"name": "/a"}}\n');
    expect(await collect(path)).toEqual([{ source: path, event: { detail: { name: '/a' } } }]);
  });

  it('decodes multi-byte characters split across read chunks (64 KiB each)', async () => {
    // 3-byte characters over several chunks: some characters necessarily straddle a chunk boundary.
    const value = '€'.repeat(70_000);
    const path = file('utf8.json', JSON.stringify([{ value }, { value: '😀' }]));
    const events = (await collect(path)).map((input) => input.event);
    expect(events).toEqual([{ value }, { value: '😀' }]);
  });

  it('reads an array of 150,000 events (the shape of a 50 MB export) in order', async () => {
    const path = file('many.json', JSON.stringify(Array.from({ length: 150_000 }, (_, i) => ({ i }))));
    let next = 0;
    for await (const { source, event } of streamEventFile(path)) {
      if ((event as { i: number }).i !== next || source !== `${path}#${next}`)
        throw new Error(`out of order at ${next}`);
      next++;
    }
    expect(next).toBe(150_000);
  });

  it.each([
    ['an empty file', '  \n', /is not valid JSON: the file is empty$/],
    ['a truncated array', '[{"a": 1}, {"b"', /is not valid JSON: /],
    ['text after the value', '[1, 2] and more', /is not valid JSON: Unexpected "a"/],
    ['a trailing comma', '[1, 2, ]', /is not valid JSON: /],
  ])('rejects %s with one line naming the file', async (_, content, message) => {
    const path = file('bad.json', content);
    const error = await failureOf(path);
    expect(error?.name).toBe('CliError');
    expect(error?.message).toContain(`event file ${path}`);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('says when the file is missing or a directory', async () => {
    expect((await failureOf(join(tmp, 'missing.json')))?.message).toBe(
      `cannot read event file ${join(tmp, 'missing.json')}: no such file`,
    );
    mkdirSync(join(tmp, 'dir.json'), { recursive: true });
    expect((await failureOf(join(tmp, 'dir.json')))?.message).toBe(
      `cannot read event file ${join(tmp, 'dir.json')}: it is a directory`,
    );
  });
});

describe('listEventFiles', () => {
  it('expands folders recursively into their .json files, sorted, and keeps files as given', () => {
    const root = join(tmp, 'tree');
    mkdirSync(join(root, 'b'), { recursive: true });
    writeFileSync(join(root, 'b', '2.json'), '{}');
    writeFileSync(join(root, 'a.json'), '{}');
    writeFileSync(join(root, 'notes.txt'), '');
    const single = file('single.json', '{}');
    expect(listEventFiles([root, single])).toEqual([join(root, 'a.json'), join(root, 'b', '2.json'), single]);
  });
});
