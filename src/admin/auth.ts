// Who may read the admin server: pure checks, so the rules are table-tested. The
// constant-time byte comparison comes in from server.ts (node:crypto) to keep this pure.
import { SymphonyError } from '../errors.js';

/** Thrown when the admin server would be reachable from other hosts without a token. */
export class AdminConfigError extends SymphonyError {
  override readonly name = 'AdminConfigError';
  /** Stable code: `ADMIN_TOKEN_REQUIRED`. */
  declare readonly code: 'ADMIN_TOKEN_REQUIRED';
  constructor(message: string) {
    super('ADMIN_TOKEN_REQUIRED', message);
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

/** A Host header split into its parts; `port` is null when none was given. */
export interface HostHeader {
  /** Lower-cased; an IPv6 address without its brackets. */
  readonly host: string;
  readonly port: number | null;
}

// RFC 9110 Host = uri-host [ ":" port ], read strictly: a DNS-style name (letters,
// digits, hyphens, non-empty dot-separated labels), a dotted IPv4, or an IPv6 in
// brackets. No userinfo (`@`), path, query, fragment, percent-encoding, zone id,
// whitespace or empty port: anything a lax split could read as "localhost" is refused.
const NAME_HOST = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::(\d{1,5}))?$/;
const IPV6_HOST = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/;

/** Parses a Host header strictly (see above); null when it is not exactly `host[:port]`. */
export function parseHostHeader(value: string): HostHeader | null {
  const v = value.toLowerCase();
  const match = IPV6_HOST.exec(v) ?? NAME_HOST.exec(v);
  if (!match?.[1]) return null;
  // The IPv6 pattern only admits hex digits, colons and dots; at least two colons make it an address.
  if (v.startsWith('[') && match[1].split(':').length < 3) return null;
  if (match[2] === undefined) return { host: match[1], port: null };
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535 ? { host: match[1], port } : null;
}

/** True when a Host header is exactly a loopback name or address, with an optional port. */
export function isLoopbackHostHeader(value: string): boolean {
  const parsed = parseHostHeader(value);
  return parsed !== null && isLoopbackHost(parsed.host);
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
