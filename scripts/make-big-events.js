#!/usr/bin/env node
/**
 * Writes a large events input for measuring `plan` / `replay` on big files (never committed: see README).
 *   node scripts/make-big-events.js [--events N] [--out FILE] [--files K]
 * Default: 133,000 events (≈ 62 MB) in one JSON array in big-events.json. With --files K, OUT is a folder of K files
 * holding arrays of about N / K events each. The events are the real-shaped samples under events/ssm and
 * events/secretsmanager (one in 20 a CloudTrail record) with a fresh id and time; most name resources no fleet references (`/bulk/…`), one in 50
 * keeps the sample's own resource (the sample fleet references those), one in 100 is malformed (rejected).
 */
const { mkdirSync, readdirSync, readFileSync, createWriteStream } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const total = Number(option('--events', '133000'));
const out = option('--out', 'big-events.json');
const files = Number(option('--files', '0'));
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(files) || files < 0) {
  process.stderr.write('usage: node scripts/make-big-events.js [--events N] [--out FILE] [--files K]\n');
  process.exit(2);
}

const root = join(__dirname, '..', 'events');
const load = (dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(root, dir, f), 'utf8')));
const all = [...load('ssm'), ...load('secretsmanager')];
const isCloudTrail = (e) => /via CloudTrail$/.test(e['detail-type']);
const cloudTrail = all.filter(isCloudTrail);
const native = all.filter((e) => !isCloudTrail(e));
const malformed = load('malformed');
const base = Date.parse('2026-11-28T00:00:00Z');
const hex = (n, width) => n.toString(16).padStart(width, '0').slice(-width);
const toId = (i) => `${hex(i, 8)}-b16e-4000-8000-${hex(i * 7919, 12)}`;
const toTime = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Event `i`: a sample with a new id and time; most renamed to a resource nothing references. */
function toEvent(i) {
  if (i % 100 === 99) return malformed[i % malformed.length];
  // CloudTrail records are three times the size of native events, and rarer in practice.
  const sample = i % 20 === 7 ? cloudTrail[Math.floor(i / 20) % cloudTrail.length] : native[i % native.length];
  const event = { ...sample, id: toId(i), time: toTime(base + i * 1000) };
  if (i % 50 === 0) return event;
  const detail = sample.detail && typeof sample.detail === 'object' ? { ...sample.detail } : sample.detail;
  if (sample.source === 'aws.ssm' && detail) {
    const name = `/bulk/svc${i % 5000}/param${i % 7}`;
    if ('name' in detail) detail.name = name;
    if ('parameter-name' in detail) detail['parameter-name'] = name;
    event.resources = [`arn:aws:ssm:us-east-2:123456789012:parameter${name}`];
  } else if (sample['detail-type'] === 'Secret Label Updated' && detail) {
    detail.name = `bulk/svc${i % 5000}`;
    event.resources = [`arn:aws:secretsmanager:us-east-2:123456789012:secret:bulk/svc${i % 5000}-Bk${hex(i, 4)}`];
  }
  return { ...event, detail };
}

function writeArray(file, from, to) {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(file);
    stream.on('error', reject);
    stream.on('finish', resolve);
    let chunk = '[\n';
    for (let i = from; i < to; i++) {
      chunk += `${i > from ? ',\n' : ''}${JSON.stringify(toEvent(i))}`;
      if (chunk.length > 1 << 20) {
        stream.write(chunk);
        chunk = '';
      }
    }
    stream.end(`${chunk}\n]\n`);
  });
}

async function main() {
  if (files === 0) {
    await writeArray(out, 0, total);
    process.stdout.write(`wrote ${total} events to ${out}\n`);
    return;
  }
  mkdirSync(out, { recursive: true });
  const per = Math.ceil(total / files);
  for (let k = 0; k < files; k++) {
    const from = k * per;
    if (from >= total) break;
    await writeArray(join(out, `events-${String(k).padStart(5, '0')}.json`), from, Math.min(total, from + per));
  }
  process.stdout.write(`wrote ${total} events in ${Math.min(files, Math.ceil(total / per))} files under ${out}/\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
