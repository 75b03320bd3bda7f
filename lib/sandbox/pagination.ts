import { clientError } from './api-error';

/** Encodes a resume position as an opaque token tied to one operation. */
export function toNextToken(operation: string, position: number): string {
  return Buffer.from(JSON.stringify({ o: operation, p: position })).toString('base64url');
}

/** Decodes a token made by `toNextToken` for the same operation (0 when absent); rejects anything else. */
export function parseNextToken(operation: string, token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const { o, p } = decoded as { o?: unknown; p?: unknown };
    if (o === operation && typeof p === 'number' && Number.isInteger(p) && p >= 0) return p;
  } catch {
    // fall through to the uniform message below
  }
  throw clientError(`Invalid nextToken for ${operation}`);
}

/** One page of results and the token for the next page, if any. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * Scans `list` from the token's position, keeping up to `limit` items that `accept` maps to a value; the next
 * token points at the next accepted item, so pages cost O(page) and never end with an empty page.
 */
export function scanPage<S, T>(
  operation: string,
  list: readonly S[],
  token: string | undefined,
  limit: number,
  accept: (item: S) => T | undefined,
): Page<T> {
  const items: T[] = [];
  for (let index = parseNextToken(operation, token); index < list.length; index++) {
    const value = accept(list[index]);
    if (value === undefined) continue;
    if (items.length === limit) return { items, nextToken: toNextToken(operation, index) };
    items.push(value);
  }
  return { items };
}
