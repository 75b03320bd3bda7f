/** One token bucket for every Batch call of a process (Batch allows 50 TPS per account, shared with the customer). */
import type { BatchClient } from '@aws-sdk/client-batch';
import { TokenBucket } from 'limiter';

/** Something that waits for a token before each request. */
export interface Limiter {
  take(): Promise<void>;
}

/**
 * A limiter that grants at most `perSecond` requests in any one-second window. The bucket holds a single token
 * refilled every 1/perSecond s: a larger bucket would allow a burst on top of the steady rate (up to twice the
 * limit in some window), which Batch's shared 50-TPS account limit cannot afford.
 */
export function createLimiter(perSecond: number): Limiter {
  const bucket = new TokenBucket({ bucketSize: 1, tokensPerInterval: perSecond, interval: 'second' });
  return {
    async take() {
      await bucket.removeTokens(1);
    },
  };
}

/**
 * Makes every HTTP attempt of the client (retries included) wait for a token. The middleware sits in the
 * `deserialize` step, inside the SDK's retry loop, so a throttled retry costs a token like any request.
 */
export function applyLimiter(client: BatchClient, limiter: Limiter): BatchClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      await limiter.take();
      return next(args);
    },
    { step: 'deserialize', name: 'rotationReactorRateLimit', override: true },
  );
  return client;
}
