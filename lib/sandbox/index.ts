/**
 * The local sandbox: AWS Batch, EventBridge and Parameter Store / Secrets Manager metadata emulation on loopback, plus
 * dynalite, for `npm start` and tests.
 */

export type { Faults } from './faults';
export type { Lifecycle } from './job-record';
export { loadFleetSnapshot } from './load-fleet';
export type { FleetMetadata, ParameterSnapshot, SandboxFleet, SecretSnapshot } from './metadata-snapshot';
export type { CapturedEvent } from './put-events';
export type { RequestOutcome, RequestRecord } from './request-log';
export { type ServedSandbox, type ServeOptions, serveSandbox } from './serve';
export { type Sandbox, type SandboxOptions, startSandbox } from './start-sandbox';
