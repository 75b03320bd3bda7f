/** Comparing the shapes of two AWS responses (the sandbox's and moto's) in contract tests. */

/** The recursive key sets and value types of a response. */
export type Shape = string | { readonly array: Shape | 'empty' } | { readonly object: Readonly<Record<string, Shape>> };

/** The shape of a value (`$metadata` and null fields left out; list elements merged). */
export function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) {
    return {
      array: value.length === 0 ? 'empty' : value.map(shapeOf).reduce((merged, shape) => mergeShapes(merged, shape)),
    };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([key, field]) => key !== '$metadata' && field != null);
    return { object: Object.fromEntries(entries.map(([key, field]) => [key, shapeOf(field)])) };
  }
  return typeof value;
}

function mergeShapes(a: Shape, b: Shape): Shape {
  if (typeof a === 'object' && typeof b === 'object' && 'object' in a && 'object' in b) {
    const keys = new Set([...Object.keys(a.object), ...Object.keys(b.object)]);
    return {
      object: Object.fromEntries(
        [...keys].map((key) => [
          key,
          key in a.object && key in b.object
            ? mergeShapes(a.object[key], b.object[key])
            : (a.object[key] ?? b.object[key]),
        ]),
      ),
    };
  }
  return a;
}

/** Paths present in `reduced` but missing (or of another type) in `full`; `[]` means `full` is a superset. */
export function missingPaths(full: Shape, reduced: Shape, path = '$'): string[] {
  if (typeof reduced === 'string')
    return full === reduced ? [] : [`${path}: ${toShapeName(full)} instead of ${reduced}`];
  if ('array' in reduced) {
    if (typeof full !== 'object' || !('array' in full)) return [`${path}: not a list`];
    if (reduced.array === 'empty' || full.array === 'empty') return [];
    return missingPaths(full.array, reduced.array, `${path}[]`);
  }
  if (typeof full !== 'object' || !('object' in full)) return [`${path}: not an object`];
  return Object.entries(reduced.object).flatMap(([key, shape]) =>
    key in full.object ? missingPaths(full.object[key], shape, `${path}.${key}`) : [`${path}.${key}: missing`],
  );
}

function toShapeName(shape: Shape): string {
  return typeof shape === 'string' ? shape : 'array' in shape ? 'a list' : 'an object';
}

/** Both responses have exactly the same shape. */
export function expectSameShape(sandboxValue: unknown, motoValue: unknown): void {
  const [sandboxShape, motoShape] = [shapeOf(sandboxValue), shapeOf(motoValue)];
  expect({
    missingInSandbox: missingPaths(sandboxShape, motoShape),
    extraInSandbox: missingPaths(motoShape, sandboxShape),
  }).toEqual({
    missingInSandbox: [],
    extraInSandbox: [],
  });
}

/** The sandbox's response has every path of moto's (moto documents a reduced shape). */
export function expectSuperset(sandboxValue: unknown, motoValue: unknown): void {
  expect(missingPaths(shapeOf(sandboxValue), shapeOf(motoValue))).toEqual([]);
}

/** Ids and times differ between the two by construction; ARN formats must not. */
export function normalise(value: string | undefined): string | undefined {
  return value?.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}
