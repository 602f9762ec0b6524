// The member behind the proxy in the hostile suite: a raw TCP server that keeps every
// byte it receives per connection, reads them with the strict parser, and answers each
// complete request with a small well-framed response naming the request it answers
// (X-Echo-Url, X-Echo-Seq), so a response that reaches the wrong client is visible.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseStrict } from './strict-parser.js';
import type { StrictParse } from './strict-parser.js';

/** What one upstream connection received. */
export interface UpstreamConnection {
  readonly bytes: Buffer;
  readonly parse: StrictParse;
  /** Targets of the requests answered on this connection, in order. */
  readonly answered: readonly string[];
}

/** Options of a recording upstream. */
export interface RecordingUpstreamOptions {
  /** Called on every byte received or response written, so the harness can wait for quiet. */
  readonly onActivity?: () => void;
  /**
   * How long a response to a request that arrived before the previous response was
   * written (the proxy never pipelines, so it is unsolicited) is held, unless more
   * bytes arrive first: a slow app, so a smuggled response meets the next request.
   */
  readonly heldResponseMs?: number;
  /**
   * A misbehaving member: after answering a request for this target, it sends one more
   * response nobody asked for (X-Echo-Url: /unsolicited), in the same write as the answer
   * ('appended') or a few milliseconds later, while the connection is idle ('idle').
   */
  readonly extraResponseAfter?: { readonly target: string; readonly mode: 'appended' | 'idle' };
}

/** The X-Echo-Url of the response a misbehaving member sends unasked. */
export const UNSOLICITED = '/unsolicited';

/** A started recording upstream. */
export interface RecordingUpstream {
  readonly port: number;
  /** Every connection so far, in accept order. */
  connections(): UpstreamConnection[];
  close(): Promise<void>;
}

interface ConnState {
  chunks: Buffer[];
  parse: StrictParse;
  answered: number;
  answeredTargets: string[];
  /** Stream offset where the last response was written. */
  lastWriteAt: number;
  held: NodeJS.Timeout | undefined;
  /** An unasked-for response is due (extraResponseAfter). */
  extra: NodeJS.Timeout | undefined;
}

/** Starts a recording upstream on 127.0.0.1:0. */
export async function startRecordingUpstream(options: RecordingUpstreamOptions = {}): Promise<RecordingUpstream> {
  const touch = options.onActivity ?? ((): void => {});
  const heldMs = options.heldResponseMs ?? 150;
  const states: ConnState[] = [];
  const sockets = new Set<net.Socket>();
  let seq = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const state: ConnState = { chunks: [], parse: { requests: [], pendingHead: 0 }, answered: 0, answeredTargets: [], lastWriteAt: 0, held: undefined, extra: undefined };
    states.push(state);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      if (state.held) clearTimeout(state.held);
      if (state.extra) clearTimeout(state.extra);
      touch();
    });

    const extraResponse = (): string => `HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Echo-Url: ${UNSOLICITED}\r\nX-Echo-Seq: ${++seq}\r\n\r\nextra`;

    const answer = (flush: boolean): void => {
      if (state.held) clearTimeout(state.held);
      state.held = undefined;
      const requests = state.parse.requests;
      while (state.answered < requests.length) {
        const request = requests[state.answered];
        if (request === undefined || !request.complete) break;
        // Sent before the previous answer went out: hold it (see heldResponseMs).
        const unsolicited = state.answered > 0 && request.start < state.lastWriteAt;
        if (unsolicited && !flush) {
          state.held = setTimeout(() => answer(true), heldMs);
          return;
        }
        state.answered++;
        seq++;
        const body = request.method === 'HEAD' ? '' : `echo ${seq}`;
        const length = request.method === 'HEAD' ? `echo ${seq}`.length : body.length;
        if (!socket.writable) return;
        const misbehave = options.extraResponseAfter?.target === request.target ? options.extraResponseAfter.mode : undefined;
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nX-Echo-Url: ${request.target}\r\nX-Echo-Seq: ${seq}\r\n\r\n${body}${misbehave === 'appended' ? extraResponse() : ''}`,
        );
        state.answeredTargets.push(request.target);
        if (misbehave === 'idle') {
          state.extra = setTimeout(() => {
            state.extra = undefined;
            if (socket.writable) socket.write(extraResponse());
            touch();
          }, 5);
        }
        state.lastWriteAt = Buffer.concat(state.chunks).length;
        touch();
        // Honour `Connection: close` (a front that passes bytes through relies on it).
        if (request.headers.some(([n, v]) => n.toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(v))) {
          socket.end();
          return;
        }
      }
    };

    socket.on('data', (chunk: Buffer) => {
      touch();
      state.chunks.push(chunk);
      state.parse = parseStrict(Buffer.concat(state.chunks));
      // Bytes the strict parser refuses: record them and stop talking on this connection.
      if (state.parse.error !== undefined) {
        socket.destroy();
        return;
      }
      // New bytes release held responses, as a slow app's answers would come out now.
      answer(state.held !== undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => states.map((s) => ({ bytes: Buffer.concat(s.chunks), parse: s.parse, answered: [...s.answeredTargets] })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of states) {
          if (s.held) clearTimeout(s.held);
          if (s.extra) clearTimeout(s.extra);
        }
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
