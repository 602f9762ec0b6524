// Who may read the admin server: pure checks, so the rules are table-tested. The
// constant-time byte comparison comes in from server.ts (node:crypto) to keep this pure.

/** Thrown when the admin server would be reachable from other hosts without a token. */
export class AdminConfigError extends Error {
  override readonly name = 'AdminConfigError';
  /** Stable code: `ADMIN_TOKEN_REQUIRED`. */
  readonly code: 'ADMIN_TOKEN_REQUIRED';
  constructor(message: string) {
    super(message);
    this.code = 'ADMIN_TOKEN_REQUIRED';
  }
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is how Node reports loopback peers on dual-stack sockets.
  if (h.startsWith('::ffff:')) h = h.slice('::ffff:'.length);
  const parts = h.split('.');
  if (parts.length !== 4) return false;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (octets.some((o) => !(o >= 0 && o <= 255))) return false;
  return octets[0] === 127;
}

/** Compares two equal-length byte strings in constant time. */
export type ConstantTimeEqual = (a: Uint8Array, b: Uint8Array) => boolean;

/** A pure constant-time compare (XOR-accumulate); server.ts passes node:crypto's timingSafeEqual instead. */
export const xorEqual: ConstantTimeEqual = (a, b) => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
};

const encoder = new TextEncoder();

/**
 * True when `header` is `Bearer <token>`. The comparison takes the same time for any
 * wrong token of the same length; a length mismatch is compared against itself so the
 * work done does not depend on where the bytes differ.
 */
export function checkBearer(header: string | undefined, token: string, equal: ConstantTimeEqual = xorEqual): boolean {
  if (token === '' || header === undefined) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match?.[1]) return false;
  return checkToken(match[1], token, equal);
}

/** True when `given` equals `token`, compared in constant time (for `?token=` and cookies). */
export function checkToken(given: string, token: string, equal: ConstantTimeEqual = xorEqual): boolean {
  if (token === '') return false;
  const a = encoder.encode(given);
  const b = encoder.encode(token);
  if (a.length !== b.length) {
    equal(b, b); // same amount of work as a real comparison
    return false;
  }
  return equal(a, b);
}

/** Refuses to serve the admin API beyond this machine without a token. */
export function assertAdminSecurity(listenHost: string, token: string | undefined): void {
  if (token !== undefined && token !== '') return;
  if (isLoopbackHost(listenHost)) return;
  throw new AdminConfigError(
    `The admin server would listen on ${listenHost || 'all interfaces'} without a token, so anyone who can reach it could read the status and metrics. ` +
      'Set a token with --admin-token or SYMPHONY_ADMIN_TOKEN, or make the admin server listen on 127.0.0.1 only.',
  );
}
