// Errors a Symphony raises itself, with stable codes (the Docker client has its own).

/** Codes of SymphonyError. */
export type SymphonyErrorCode = 'IMAGE_UNAVAILABLE' | 'LISTEN_FAILED' | 'ALREADY_STARTED';

/** Something stops a Symphony from running; the message says what to do. */
export class SymphonyError extends Error {
  override readonly name = 'SymphonyError';
  constructor(
    readonly code: SymphonyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
