import { clientError } from './api-error';

/** A decoded JSON request body: an object whose fields are checked one by one. */
export type Body = Readonly<Record<string, unknown>>;

/** Narrows a decoded value to a JSON object, or rejects it naming `what`. */
export function toBody(value: unknown, what = 'request body'): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw clientError(`${what} must be a JSON object`);
  }
  return value as Body;
}

/** An optional string field; rejects any other type. */
export function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw clientError(`'${field}' must be a string`);
  return value;
}

/** A required, non-empty string field. */
export function requiredString(body: Body, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') {
    throw clientError(`'${field}' is a required field (cannot be an empty string)`);
  }
  return value;
}

/** An optional integer field within `[min, max]`. */
export function optionalInteger(body: Body, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw clientError(`'${field}' must be an integer`);
  if (value < min || value > max) throw clientError(`'${field}' must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** An optional boolean field. */
export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw clientError(`'${field}' must be a boolean`);
  return value;
}

/** An optional JSON object field. */
export function optionalObject(body: Body, field: string): Body | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return toBody(value, `'${field}'`);
}

/** An optional array field (elements unchecked). */
export function optionalArray(body: Body, field: string): readonly unknown[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw clientError(`'${field}' must be a list`);
  return value;
}

/** An optional list of strings with at most `max` entries. */
export function optionalStringList(body: Body, field: string, max = Number.POSITIVE_INFINITY): string[] | undefined {
  const list = optionalArray(body, field);
  if (list === undefined) return undefined;
  if (list.length > max) throw clientError(`'${field}' can contain up to ${max} items, got ${list.length}`);
  if (list.some((item) => typeof item !== 'string')) throw clientError(`'${field}' must be a list of strings`);
  return list as string[];
}

/** An optional string-to-string map. */
export function optionalStringMap(body: Body, field: string): Record<string, string> | undefined {
  const map = optionalObject(body, field);
  if (map === undefined) return undefined;
  if (Object.values(map).some((value) => typeof value !== 'string')) {
    throw clientError(`'${field}' must be a map of strings to strings`);
  }
  return { ...(map as Record<string, string>) };
}

/** A required list of JSON objects, each checked with `toBody`. */
export function toObjectList(value: unknown, what: string): Body[] {
  if (!Array.isArray(value)) throw clientError(`'${what}' must be a list`);
  return value.map((item, index) => toBody(item, `'${what}[${index}]'`));
}
