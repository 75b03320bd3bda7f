import { lambdaReactor } from '../lib/runtime/lambda';
import { withObservability } from '../lib/runtime/middleware';
import { runSweep, toSweepResult } from '../lib/runtime/triggers';

const onSweep = async () => toSweepResult(await runSweep(lambdaReactor()));
export const handler = withObservability(onSweep);
