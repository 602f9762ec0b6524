// A bounded, open-loop load for the reaction measurements: GETs at a set rate (changeable
// while it runs) over keep-alive connections, each answer kept with its times, status and
// the container that served it (the demo app's whoami says its hostname). It stops by
// itself after `maxRequests` or `maxMs`, whichever comes first.
import http from 'node:http';

/** One request of the load. Times are epoch milliseconds (comparable with log records). */
export interface Sample {
  readonly sentAt: number;
  readonly doneAt: number;
  /** HTTP status, or 0 when the request failed without one. */
  readonly status: number;
  /** Hostname of the container that answered (the demo app's whoami), if any. */
  readonly host: string | null;
  readonly error?: string;
}

/** Options of a PacedLoad. */
export interface PacedLoadOptions {
  readonly port: number;
  readonly path: string;
  /** Requests started per second. */
  readonly rate: number;
  /** Hard limits: the load stops at whichever comes first. */
  readonly maxRequests: number;
  readonly maxMs: number;
  /** A request unanswered after this fails. @default 10000 */
  readonly timeoutMs?: number;
}

/** Open-loop GETs at a rate, every answer recorded. */
export class PacedLoad {
  readonly samples: Sample[] = [];
  readonly #options: PacedLoadOptions;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  readonly #startedAt = Date.now();
  #rate: number;
  #credit = 0;
  #last = Date.now();
  #sent = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #settled: (() => void) | undefined;

  constructor(options: PacedLoadOptions) {
    this.#options = options;
    this.#rate = options.rate;
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  /** Requests per second from now on (0 pauses). */
  setRate(rate: number): void {
    this.#rate = rate;
  }

  /** Whether it is still sending (not stopped, limits not reached). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Stops sending and waits (bounded by the request timeout) for the requests in flight. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.#settled = resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, (this.#options.timeoutMs ?? 10_000) + 1_000)),
      ]);
    }
    this.#agent.destroy();
  }

  /** Samples whose request was sent within [from, to). */
  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.sentAt >= from && s.sentAt < to);
  }

  #tick(): void {
    const now = Date.now();
    if (this.#sent >= this.#options.maxRequests || now - this.#startedAt >= this.#options.maxMs) {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    this.#credit = Math.min(this.#credit + ((now - this.#last) / 1000) * this.#rate, 50);
    this.#last = now;
    while (this.#credit >= 1 && this.#sent < this.#options.maxRequests) {
      this.#credit--;
      this.#send();
    }
  }

  #send(): void {
    this.#sent++;
    this.#inFlight++;
    const sentAt = Date.now();
    let finished = false;
    const finish = (status: number, host: string | null, error?: string): void => {
      if (finished) return;
      finished = true;
      this.samples.push({ sentAt, doneAt: Date.now(), status, host, ...(error === undefined ? {} : { error }) });
      this.#inFlight--;
      if (this.#inFlight === 0) this.#settled?.();
    };
    const req = http.get({ host: '127.0.0.1', port: this.#options.port, path: this.#options.path, agent: this.#agent, timeout: this.#options.timeoutMs ?? 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', (error) => finish(0, null, error.message));
      res.on('end', () => {
        let host: string | null = null;
        try {
          const parsed = JSON.parse(body) as { hostname?: unknown };
          if (typeof parsed.hostname === 'string') host = parsed.hostname;
        } catch {
          // Not the app's JSON (an error body of the proxy): no host.
        }
        finish(res.statusCode ?? 0, host, undefined);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => finish(0, null, error.message));
  }
}
