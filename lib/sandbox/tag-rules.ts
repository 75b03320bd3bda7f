import { clientError } from './api-error';

/** Batch's per-resource tag limit. */
export const maxTags = 50;

/** Rejects tags Batch would reject: too many, bad key/value length, or the reserved `aws:` prefix. */
export function checkTags(tags: Readonly<Record<string, string>>): void {
  const keys = Object.keys(tags);
  if (keys.length > maxTags) throw clientError(`A resource can have at most ${maxTags} tags, got ${keys.length}`);
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) throw clientError(`Tag key '${key}' must be 1 to 128 characters long`);
    if (key.toLowerCase().startsWith('aws:')) throw clientError(`Tag key '${key}' uses the reserved prefix 'aws:'`);
    if (tags[key].length > 256) throw clientError(`Tag value of '${key}' must be at most 256 characters long`);
  }
}
