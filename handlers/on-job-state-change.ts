import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { lambdaReactor } from '../lib/runtime/lambda';
import { withObservability } from '../lib/runtime/middleware';
import { processJobStateChange } from '../lib/runtime/triggers';

const JobStateChange = EventBridgeSchema.extend({
  detail: z.looseObject({ jobId: z.string().min(1), status: z.string() }),
});

const onJobStateChange = async (event: z.infer<typeof JobStateChange>, context: Context) =>
  processJobStateChange(event.detail, lambdaReactor(), () => context.getRemainingTimeInMillis());
export const handler = withObservability(onJobStateChange).use(parser({ schema: JobStateChange }));
