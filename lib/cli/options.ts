/** Parsers for command-line option values; each failure is a one-line message naming the fix. */
import { InvalidArgumentError } from 'commander';
import { isPolicy, POLICIES, type Policy } from '../core/policy';

/** `--default-policy` values. */
export function parsePolicyOption(value: string): Policy {
  if (!isPolicy(value)) throw new InvalidArgumentError(`expected one of ${POLICIES.join(', ')}.`);
  return value;
}

/** A whole number ≥ 0. */
export function parseNonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return n;
}
