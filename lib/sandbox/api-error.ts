/** Error codes the sandbox answers with, as AWS spells them on the wire. */
export type ApiErrorCode =
  | 'ClientException'
  | 'ServerException'
  | 'TooManyRequestsException'
  | 'ValidationException'
  | 'ThrottlingException'
  | 'InternalException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'AccessDeniedException'
  | 'InternalServerError'
  | 'InternalServiceError'
  | 'ParameterAlreadyExists'
  | 'ParameterNotFound'
  | 'InvalidFilterKey'
  | 'InvalidFilterOption'
  | 'InvalidFilterValue'
  | 'InvalidNextToken'
  | 'ResourceNotFoundException'
  | 'ResourceExistsException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'InvalidNextTokenException';

/** A failure the sandbox reports to the caller as an AWS error response (status, `__type`, message). */
export class ApiError extends Error {
  override name = 'ApiError' as const;
  constructor(
    readonly code: ApiErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Batch's `ClientException` (HTTP 400): the request is invalid or names something that does not exist. */
export function clientError(message: string): ApiError {
  return new ApiError('ClientException', 400, message);
}

/** The JSON 1.1 services' `ValidationException` (HTTP 400): a field is missing, mistyped or out of range. */
export function validationError(message: string): ApiError {
  return new ApiError('ValidationException', 400, message);
}
