import { ApiError } from './api-error';

/**
 * Refuses an operation that would return a parameter or secret value: the sandbox stores none, and the reactor's
 * role has no `ssm:GetParameter*` or `secretsmanager:GetSecretValue` (DESIGN.md), so AWS would deny it too.
 */
export function refuseValueRead(service: 'ssm' | 'secretsmanager', operation: string): never {
  const permission = service === 'ssm' ? `ssm:${operation}` : `secretsmanager:${operation}`;
  throw new ApiError(
    'AccessDeniedException',
    400,
    `${permission} is refused: the rotation-reactor sandbox never serves parameter or secret values (it stores none; the reactor reads metadata only)`,
  );
}
