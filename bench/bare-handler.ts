/** The baseline of the bundle benchmark: a Lambda handler that only creates an SDK client. */
import { BatchClient } from '@aws-sdk/client-batch';

const client = new BatchClient({});

/** Answers with the client's region, so the client is used and not tree-shaken away. */
export const handler = async () => ({ region: await client.config.region() });
