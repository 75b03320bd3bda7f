import { lambdaReactor } from '../lib/runtime/lambda';
import { withObservability } from '../lib/runtime/middleware';
import { runSweep } from '../lib/runtime/triggers';

const onSweep = async () => {
  const { resources, notSwept, report } = await runSweep(lambdaReactor());
  return { resources, notSwept, reactions: report.plan.reactions.length, failed: report.failedSources.length };
};
export const handler = withObservability(onSweep);
