/**
 * Lists where two JSON values differ, one line per leaf: `$.a.b[2].c: <expected> ≠ <actual>`; a key present on one
 * side only shows `(absent)` on the other. `[]` means deep equality (undefined-valued keys count as absent).
 */
export function listDifferences(expected: unknown, actual: unknown, path = '$'): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(expected.length, actual.length);
    return Array.from({ length }, (_, i) =>
      i < expected.length && i < actual.length
        ? listDifferences(expected[i], actual[i], `${path}[${i}]`)
        : [`${path}[${i}]: ${show(expected[i], i < expected.length)} ≠ ${show(actual[i], i < actual.length)}`],
    ).flat();
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((key) => {
      const [a, b] = [expected[key], actual[key]];
      if (a === undefined || b === undefined) {
        return a === b ? [] : [`${path}.${key}: ${show(a, a !== undefined)} ≠ ${show(b, b !== undefined)}`];
      }
      return listDifferences(a, b, `${path}.${key}`);
    });
  }
  return Object.is(expected, actual) ? [] : [`${path}: ${show(expected, true)} ≠ ${show(actual, true)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown, present: boolean): string {
  return present ? JSON.stringify(value) : '(absent)';
}
