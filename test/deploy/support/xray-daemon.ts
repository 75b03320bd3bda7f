/** A stand-in for the X-Ray daemon: a UDP socket on loopback that keeps the segment documents it receives. */
import { createSocket } from 'node:dgram';

/** A received segment or subsegment document (the fields the tests read). */
export interface TraceDocument {
  readonly name?: string;
  readonly trace_id?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly subsegments?: readonly TraceDocument[];
  readonly [key: string]: unknown;
}

/** The running stand-in. */
export interface XrayDaemon {
  /** `127.0.0.1:PORT`, the value of AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  documents(): readonly TraceDocument[];
  stop(): Promise<void>;
}

/** Binds the socket on a free loopback port. */
export async function startXrayDaemon(): Promise<XrayDaemon> {
  const socket = createSocket('udp4');
  const documents: TraceDocument[] = [];
  // Each datagram is a header line ({"format":"json","version":1}) and one document.
  socket.on('message', (datagram) => {
    const [, body] = datagram.toString('utf8').split('\n', 2);
    try {
      documents.push(JSON.parse(body) as TraceDocument);
    } catch {
      // Not a segment: ignored, as the daemon would.
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    documents: () => [...documents],
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
