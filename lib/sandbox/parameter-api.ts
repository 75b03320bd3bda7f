/**
 * Parameter Store (JSON 1.1, `AmazonSSM.*`): `DescribeParameters` as the sweep reads it, `PutParameter` and
 * `DeleteParameter` to seed and change metadata. The sandbox keeps no value: `GetParameter*` are refused.
 */
import { ApiError, validationError } from './api-error';
import { type MetadataState, type ParameterRecord, toParameterArn, toParameterKey } from './metadata-state';
import { parseNextToken, toNextToken } from './pagination';
import {
  type Body,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
  toBody,
} from './request-body';
import { refuseValueRead } from './value-refusal';

/** The Parameter Store operations the sandbox serves. */
export type ParameterOperation = 'DescribeParameters' | 'PutParameter' | 'DeleteParameter';

/** Operations that return a value: answered with AccessDeniedException, as the reactor's role would be. */
export const PARAMETER_VALUE_OPERATIONS: ReadonlySet<string> = new Set([
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'GetParameterHistory',
]);

type Handler = (state: MetadataState, body: Body) => Record<string, unknown>;

const TYPES = new Set(['String', 'StringList', 'SecureString']);
/** ParameterStringFilter.Values holds at most 50 values; DescribeParameters MaxResults is 1–50. */
const MAX_FILTER_VALUES = 50;
const DEFAULT_PAGE = 10;

type Filter = { readonly key: string; readonly option: string; readonly values: readonly string[] };

/** Runs one Parameter Store operation, or refuses one that would return a value. */
export function runParameterOperation(state: MetadataState, operation: string, body: Body): Record<string, unknown> {
  if (PARAMETER_VALUE_OPERATIONS.has(operation)) refuseValueRead('ssm', operation);
  const handler = parameterHandlers[operation as ParameterOperation];
  if (handler === undefined) {
    throw new ApiError(
      'UnknownOperationException',
      400,
      `AmazonSSM.${operation} is not served; the sandbox serves ${Object.keys(parameterHandlers).join(', ')}`,
    );
  }
  return handler(state, body);
}

/** `DescribeParameters`: metadata of the parameters matching every filter, in creation order, paginated. */
function describeParameters(state: MetadataState, body: Body): Record<string, unknown> {
  const limit = optionalInteger(body, 'MaxResults', 1, 50) ?? DEFAULT_PAGE;
  const filters = [...toFilters(body, 'ParameterFilters'), ...toFilters(body, 'Filters')];
  const candidates = toCandidates(state, filters);
  const accept = (record: ParameterRecord) => filters.every((filter) => matches(record, filter));
  let position: number;
  try {
    position = parseNextToken('DescribeParameters', optionalString(body, 'NextToken'));
  } catch {
    throw new ApiError('InvalidNextToken', 400, 'The specified token is not valid.');
  }
  const items: Record<string, unknown>[] = [];
  for (let index = position; index < candidates.length; index++) {
    if (!accept(candidates[index])) continue;
    if (items.length === limit) return { Parameters: items, NextToken: toNextToken('DescribeParameters', index) };
    items.push(toParameterMetadata(state, candidates[index]));
  }
  return { Parameters: items };
}

/** `PutParameter`: creates version 1, or with `Overwrite` the next version; the value is checked, never kept. */
function putParameter(state: MetadataState, body: Body): Record<string, unknown> {
  const name = requiredString(body, 'Name');
  if (name.includes('/') && !name.startsWith('/')) {
    throw validationError(`Parameter name: ${name} is not fully qualified: a hierarchical name starts with /`);
  }
  if (/^\/?(aws|ssm)/i.test(name)) {
    throw validationError(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  }
  if (requiredString(body, 'Value').length > 8192) throw validationError('Value is longer than 8 KB');
  const type = optionalString(body, 'Type');
  if (type !== undefined && !TYPES.has(type)) {
    throw validationError(`Value '${type}' at 'type' failed to satisfy constraint: String, StringList, SecureString`);
  }
  const description = optionalString(body, 'Description');
  const existing = state.parameters.get(toParameterKey(name));
  const now = state.clock.now();
  if (existing) {
    if (optionalBoolean(body, 'Overwrite') !== true) {
      throw new ApiError(
        'ParameterAlreadyExists',
        400,
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    existing.version += 1;
    existing.lastModifiedDate = now;
    if (type !== undefined) existing.type = type as ParameterRecord['type'];
    if (description !== undefined) existing.description = description;
    return { Version: existing.version, Tier: 'Standard' };
  }
  if (type === undefined) throw validationError('A parameter type is required when you create a parameter.');
  state.parameters.set(toParameterKey(name), {
    name,
    type: type as ParameterRecord['type'],
    version: 1,
    lastModifiedDate: now,
    ...(description === undefined ? {} : { description }),
  });
  return { Version: 1, Tier: 'Standard' };
}

/** `DeleteParameter`: the parameter and its history are gone. */
function deleteParameter(state: MetadataState, body: Body): Record<string, unknown> {
  const name = requiredString(body, 'Name');
  if (!state.parameters.delete(toParameterKey(name))) {
    throw new ApiError('ParameterNotFound', 400, `Parameter ${name} not found.`);
  }
  return {};
}

const parameterHandlers: Readonly<Record<ParameterOperation, Handler>> = {
  DescribeParameters: describeParameters,
  PutParameter: putParameter,
  DeleteParameter: deleteParameter,
};

function toParameterMetadata(state: MetadataState, record: ParameterRecord): Record<string, unknown> {
  return {
    Name: record.name,
    ARN: toParameterArn(state.scope, record.name),
    Type: record.type,
    ...(record.type === 'SecureString' ? { KeyId: 'alias/aws/ssm' } : {}),
    LastModifiedDate: record.lastModifiedDate / 1000,
    LastModifiedUser: `arn:${state.scope.partition}:iam::${state.scope.account}:user/sandbox`,
    ...(record.description === undefined ? {} : { Description: record.description }),
    Version: record.version,
    Tier: 'Standard',
    Policies: [],
    DataType: 'text',
  };
}

/** `ParameterFilters` (Key / Option / Values) or the older `Filters` (Key / Values, always Equals). */
function toFilters(body: Body, field: 'ParameterFilters' | 'Filters'): Filter[] {
  return (optionalArray(body, field) ?? []).map((item, i) => {
    const filter = toBody(item, `'${field}[${i}]'`);
    const key = requiredString(filter, 'Key');
    const option = field === 'Filters' ? 'Equals' : (optionalString(filter, 'Option') ?? defaultOption(key));
    const values = optionalArray(filter, 'Values') ?? [];
    if (values.length > MAX_FILTER_VALUES || values.some((v) => typeof v !== 'string')) {
      throw validationError(
        `1 validation error detected: Value at '${field.toLowerCase()}.${i + 1}.member.values' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FILTER_VALUES}`,
      );
    }
    if (!['Name', 'Type', 'Path', 'Tier', 'DataType'].includes(key)) {
      throw new ApiError('InvalidFilterKey', 400, `The sandbox does not filter parameters by ${key}`);
    }
    if (!allowedOptions(key).includes(option)) {
      throw new ApiError('InvalidFilterOption', 400, `The option ${option} is not valid for the filter key ${key}`);
    }
    if (key === 'Path' && (values as string[]).some((v) => !v.startsWith('/'))) {
      throw new ApiError('InvalidFilterValue', 400, 'A Path filter value must start with /');
    }
    return { key, option, values: values as string[] };
  });
}

function defaultOption(key: string): string {
  return key === 'Path' ? 'OneLevel' : 'Equals';
}

function allowedOptions(key: string): string[] {
  if (key === 'Name') return ['Equals', 'BeginsWith', 'Contains'];
  if (key === 'Path') return ['OneLevel', 'Recursive'];
  return ['Equals'];
}

/** With a Name/Equals filter (the sweep's), the named parameters by index, in the order asked; else every one. */
function toCandidates(state: MetadataState, filters: readonly Filter[]): ParameterRecord[] {
  const byName = filters.find((f) => f.key === 'Name' && f.option === 'Equals');
  if (byName === undefined) return [...state.parameters.values()];
  return [...new Set(byName.values.map(toParameterKey))].flatMap((key) => state.parameters.get(key) ?? []);
}

function matches(record: ParameterRecord, { key, option, values }: Filter): boolean {
  switch (key) {
    case 'Name': {
      // `x` and `/x` are one parameter: Equals compares keys, the other options the name as created.
      if (option === 'Equals') return values.some((v) => toParameterKey(v) === toParameterKey(record.name));
      if (option === 'BeginsWith') return values.some((v) => record.name.startsWith(v));
      return values.some((v) => record.name.includes(v));
    }
    case 'Type':
      return values.includes(record.type);
    case 'Path': {
      const full = record.name.startsWith('/') ? record.name : `/${record.name}`;
      const parent = full.slice(0, full.lastIndexOf('/')) || '/';
      return values.some((path) => {
        const base = path.replace(/\/+$/, '');
        return option === 'OneLevel' ? parent === (base || '/') : full.startsWith(`${base}/`);
      });
    }
    case 'Tier':
      return values.includes('Standard');
    default:
      return values.includes('text');
  }
}
