import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import type { Context, SQSEvent } from 'aws-lambda';
import { lambdaReactor } from '../lib/runtime/lambda';
import { withObservability } from '../lib/runtime/middleware';
import { processChangeBatch } from '../lib/runtime/triggers';

const onChangeBatch = async (event: SQSEvent, context: Context) =>
  processChangeBatch(event.Records, lambdaReactor(), () => context.getRemainingTimeInMillis());
export const handler = withObservability(onChangeBatch).use(parser({ schema: SqsSchema }));
