// Raw loopback I/O for the hostile suite: send exact bytes on a fresh connection and
// collect what comes back, and wait for a case's traffic to go quiet. Real timers here
// are I/O settling (how long to listen for more bytes), not logic under test.
import net from 'node:net';

/** Tracks the last moment any part of a case did something. */
export class Quiet {
  #last = Date.now();

  /** Marks activity now. */
  readonly touch = (): void => {
    this.#last = Date.now();
  };

  /** Resolves once nothing happened for `quietMs`, `done()` holds, or `capMs` passed. */
  async wait(quietMs: number, capMs: number, done: () => boolean = () => false): Promise<void> {
    const deadline = Date.now() + capMs;
    while (!done() && Date.now() - this.#last < quietMs && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Resolves once `condition()` holds or `capMs` passed (polling the event loop). */
export async function until(condition: () => boolean, capMs: number): Promise<void> {
  const deadline = Date.now() + capMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 3));
}

/** A client connection that sent raw bytes and records the answer. */
export interface RawClient {
  readonly localPort: () => number | undefined;
  readonly received: () => Buffer;
  readonly closed: () => boolean;
  /** Resolves when connected and the bytes are written (or the connection failed). */
  readonly written: Promise<void>;
  destroy(): void;
}

/** Connects to 127.0.0.1:port and writes `bytes` in one write; keeps the connection open. */
export function openRaw(port: number, bytes: Buffer, onActivity: () => void): RawClient {
  const chunks: Buffer[] = [];
  let closed = false;
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    onActivity();
  });
  socket.on('close', () => {
    closed = true;
    onActivity();
  });
  const written = new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('connect', () => {
      socket.write(bytes, () => resolve());
      onActivity();
    });
  });
  return {
    localPort: () => socket.localPort,
    received: () => Buffer.concat(chunks),
    closed: () => closed,
    written,
    destroy: () => socket.destroy(),
  };
}

/** Sends bytes, waits until the peer closes, `enough(received)` holds or `capMs` passed; returns what came back. */
export async function exchange(
  port: number,
  bytes: Buffer,
  capMs: number,
  onActivity: () => void,
  enough: (received: Buffer) => boolean = () => false,
): Promise<{ received: Buffer; closed: boolean }> {
  const client = openRaw(port, bytes, onActivity);
  try {
    await until(() => client.closed() || enough(client.received()), capMs);
    return { received: client.received(), closed: client.closed() };
  } finally {
    client.destroy();
  }
}
