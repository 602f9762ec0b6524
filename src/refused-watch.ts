// A new container that refuses connections on the container port is most likely
// listening on another port: say so while it starts, not only when its startup
// timeout runs out. Pure: probe results and the time come in, a message goes out.
import type { HealthResult } from './status.js';

/** Probe errors that mean nothing accepted the connection (through Docker's proxy, a refusal arrives as a reset). */
const REFUSALS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** True when a probe failed because nothing accepted the connection on the container port. */
export function isRefusal(result: Pick<HealthResult, 'status' | 'error'>): boolean {
  return result.status === undefined && result.error !== undefined && REFUSALS.has(result.error);
}

const MAX_TRACKED = 64;

/** Options of a RefusedWatch. */
export interface RefusedWatchOptions {
  readonly containerPort: number;
  /** How long a starting container may refuse before it is named (it may still be booting). */
  readonly afterMs: number;
}

/** Watches starting containers' probes; names once each one that keeps refusing connections. */
export class RefusedWatch {
  readonly #o: RefusedWatchOptions;
  /** Container id → when its refusals began. */
  readonly #since = new Map<string, number>();
  readonly #named = new Set<string>();

  constructor(options: RefusedWatchOptions) {
    this.#o = options;
  }

  /**
   * One probe of container `name`; returns the warning to log the first time it has
   * refused every probe for `afterMs` while starting, else null. Anything but a
   * refusal (an answer, a timeout), or a container no longer starting, resets it.
   */
  observe(id: string, name: string, starting: boolean, result: HealthResult): string | null {
    if (!starting || !isRefusal(result)) {
      this.#since.delete(id);
      if (!starting) this.#named.delete(id);
      return null;
    }
    const since = this.#since.get(id) ?? result.time;
    this.#since.set(id, since);
    // A container removed while starting is never seen again: keep only the newest few.
    for (const seen of [this.#since, this.#named]) if (seen.size > MAX_TRACKED) seen.delete(seen.keys().next().value as string);
    if (this.#named.has(id) || result.time - since < this.#o.afterMs) return null;
    this.#named.add(id);
    const seconds = Number(((result.time - since) / 1000).toFixed(1));
    return (
      `${name} refuses connections on container port ${this.#o.containerPort} (${result.error}) for ${seconds}s: ` +
      `if the app listens on another port, set --container-port to it; if it is still booting, this passes`
    );
  }
}
