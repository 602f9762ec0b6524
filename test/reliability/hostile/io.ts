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

/** The pause between the parts of a split write: long enough for the peer to read each part on its own. */
const SPLIT_PAUSE_MS = 15;

/**
 * Connects to 127.0.0.1:port and writes `bytes`, in one write or cut at the `splits`
 * offsets with a short pause between the parts; keeps the connection open.
 */
export function openRaw(port: number, bytes: Buffer, onActivity: () => void, splits: readonly number[] = []): RawClient {
  const chunks: Buffer[] = [];
  let closed = false;
  let localPort: number | undefined;
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
      // Kept now: once the peer has closed, socket.localPort reads undefined.
      localPort = socket.localPort;
      const cuts = [...new Set(splits.filter((n) => n > 0 && n < bytes.length))].sort((a, b) => a - b);
      const parts = [0, ...cuts].map((from, i) => bytes.subarray(from, cuts[i] ?? bytes.length));
      const writeNext = (i: number): void => {
        const part = parts[i];
        if (part === undefined || socket.destroyed) return resolve();
        onActivity();
        socket.write(part, () => {
          if (i + 1 < parts.length) setTimeout(() => writeNext(i + 1), SPLIT_PAUSE_MS);
          else resolve();
        });
      };
      writeNext(0);
    });
  });
  return {
    localPort: () => localPort,
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
