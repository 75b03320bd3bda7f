import { lambdaReactor } from '../lib/runtime/lambda';
import { withObservability } from '../lib/runtime/middleware';
import { processReplay, toReplayRequest } from '../lib/runtime/triggers';

const onReplay = async (payload: unknown) => processReplay(toReplayRequest(payload), lambdaReactor());
export const handler = withObservability(onReplay);
