/** The local sandbox: AWS Batch and EventBridge emulation on loopback, plus dynalite, for `npm start` and tests. */

export type { Faults } from './faults';
export type { Lifecycle } from './job-record';
export { loadFleetSnapshot } from './load-fleet';
export type { CapturedEvent } from './put-events';
export type { RequestOutcome, RequestRecord } from './request-log';
export { type ServedSandbox, type ServeOptions, serveSandbox } from './serve';
export { type Sandbox, type SandboxOptions, startSandbox } from './start-sandbox';
