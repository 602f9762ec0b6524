// That a request's client went away, told to whoever forwards it, and that its response
// closed (finished or not), told to the delivery. Cheaper than an AbortController per
// request: a flag and one listener, since the phases of a request (an attempt, then the
// delivery of its answer) listen one after the other, never together. A real
// AbortSignal is made only when a wait for a member needs one.

/** Set once the client of one request has gone; one listener at a time. */
export class ClientGone {
  #gone = false;
  #listener: (() => void) | undefined;
  #controller: AbortController | undefined;
  #onClosed: ((finished: boolean) => void) | undefined;

  /** True once the client went away. */
  get aborted(): boolean {
    return this.#gone;
  }

  /**
   * Calls `fn` once when the client goes — at once if it already has. Replaces the
   * listener of the phase before (there is one per phase).
   */
  listen(fn: () => void): void {
    if (this.#gone) {
      fn();
      return;
    }
    this.#listener = fn;
  }

  /** Stops calling `fn` (when it is still the listener). */
  unlisten(fn: () => void): void {
    if (this.#listener === fn) this.#listener = undefined;
  }

  /** The client went away: tells the listener and any wait (later calls do nothing). */
  abort(): void {
    if (this.#gone) return;
    this.#gone = true;
    const listener = this.#listener;
    this.#listener = undefined;
    this.#controller?.abort();
    listener?.();
  }

  /** Calls `fn` once when the client's response closes, with whether it finished (replaces any earlier one). */
  whenClosed(fn: (finished: boolean) => void): void {
    this.#onClosed = fn;
  }

  /** The client's response closed: unfinished, the client went away (abort); then tells whenClosed's listener. */
  closed(finished: boolean): void {
    const fn = this.#onClosed;
    this.#onClosed = undefined;
    if (!finished) this.abort();
    fn?.(finished);
  }

  /** An AbortSignal for APIs that take one (a wait for a member), made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#gone) this.#controller.abort();
    }
    return this.#controller.signal;
  }
}
