import type { Context } from 'aws-lambda';
import { lambdaReactor } from '../lib/runtime/lambda';
import { withObservability } from '../lib/runtime/middleware';
import { processReplay, toReplayRequest } from '../lib/runtime/triggers';

const onReplay = async (payload: unknown, context: Context) =>
  processReplay(toReplayRequest(payload), lambdaReactor(), () => context.getRemainingTimeInMillis());
export const handler = withObservability(onReplay);
