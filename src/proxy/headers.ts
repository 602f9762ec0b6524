// Header rewriting between client and member. Works on raw header lists
// ([name, value, name, value, …], as in IncomingMessage.rawHeaders) so case, order and
// repeated headers (Set-Cookie, …) pass through unchanged.

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), lower case. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The value of every header named `name` (case-insensitive), in order. */
export function headerValues(raw: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === wanted) values.push(raw[i + 1] ?? '');
  }
  return values;
}

/** Fields that frame the message or name its target: never dropped because Connection lists them. */
const NEVER_CONNECTION_LISTED: ReadonlySet<string> = new Set(['content-length', 'host']);

/** The tokens of all Connection headers, lower case (`keep-alive, Upgrade` → keep-alive, upgrade). */
function connectionTokens(raw: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (const value of headerValues(raw, 'connection')) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) tokens.add(t);
    }
  }
  return tokens;
}

/** The protocol a request asks to switch to (`websocket`), or undefined if it is not an upgrade. */
export function upgradeProtocol(raw: readonly string[]): string | undefined {
  if (!connectionTokens(raw).has('upgrade')) return undefined;
  const [protocol] = headerValues(raw, 'upgrade');
  return protocol === undefined || protocol === '' ? undefined : protocol;
}

/**
 * Removes hop-by-hop headers and the headers the Connection header names (except
 * Content-Length and Host, which frame the message: requests that list them are refused
 * before this, and a response keeps its length whatever its Connection says). When
 * `upgrade` is given (a protocol switch being forwarded) `Connection: Upgrade` and
 * `Upgrade: <upgrade>` are put back, since the switch must reach the other side.
 */
export function stripHopByHop(raw: readonly string[], upgrade?: string): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || (listed.has(lower) && !NEVER_CONNECTION_LISTED.has(lower))) continue;
    out.push(name, raw[i + 1] ?? '');
  }
  if (upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', upgrade);
  return out;
}

/** What the proxy knows about the client side of a request. */
export interface ForwardedInfo {
  /** The client's IP address; undefined when the socket is already gone. */
  readonly clientAddress: string | undefined;
  readonly proto: 'http' | 'https';
  /** The Host the client asked for. */
  readonly host: string | undefined;
}

/** What forwardRequestHeaders needs besides the client's raw headers. */
export interface ForwardOptions extends ForwardedInfo {
  /** The framing fields to send (from framingHeaders), placed right after Host. */
  readonly framing: readonly string[];
  /** The protocol of an upgrade being forwarded. */
  readonly upgrade?: string | undefined;
}

/** Lengths of the request fields forwardRequestHeaders acts on: only names of these lengths are lower-cased. */
const WATCHED_LENGTHS = new Set(
  [...HOP_BY_HOP_HEADERS, 'host', 'expect', 'content-length', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'].map((n) => n.length),
);

/**
 * The headers sent to the member, in one pass over the client's: the client's Host
 * first, then the framing the proxy chose, then the client's end-to-end headers
 * (hop-by-hop ones, those Connection names, Expect, which node:http answered, and the
 * client's own framing and X-Forwarded-* removed), then X-Forwarded-*, then the protocol
 * switch for an upgrade. Framing comes first so that a member keeping only its first N
 * headers still reads the body right.
 */
export function forwardRequestHeaders(raw: readonly string[], options: ForwardOptions): string[] {
  const out: string[] = [];
  const rest: string[] = [];
  let previousFor = '';
  let connection = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (WATCHED_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (lower === 'host') {
        out.push(name, value);
        continue;
      }
      if (lower === 'x-forwarded-for') {
        previousFor = previousFor === '' ? value : `${previousFor},${value}`;
        continue;
      }
      if (lower === 'connection') connection = connection === '' ? value : `${connection},${value}`;
      // node:http already answered Expect (100 Continue, or 417 for anything else); forwarded,
      // node's client would send our head early as UTF-8 and change obs-text bytes.
      if (lower === 'expect' || lower === 'content-length' || lower === 'x-forwarded-proto' || lower === 'x-forwarded-host' || HOP_BY_HOP_HEADERS.has(lower)) continue;
    }
    rest.push(name, value);
  }
  for (const field of options.framing) out.push(field);
  const listed = namedByConnection(connection);
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const name = rest[i] as string;
    if (listed === undefined || !listed.has(name.toLowerCase())) out.push(name, rest[i + 1] as string);
  }
  let chain = '';
  if (previousFor !== '') {
    chain = previousFor
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .join(', ');
  }
  if (options.clientAddress !== undefined) chain = chain === '' ? options.clientAddress : `${chain}, ${options.clientAddress}`;
  if (chain !== '') out.push('X-Forwarded-For', chain);
  out.push('X-Forwarded-Proto', options.proto);
  if (options.host !== undefined) out.push('X-Forwarded-Host', options.host);
  if (options.upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', options.upgrade);
  return out;
}

/** The fields Connection values name, beyond the hop-by-hop ones dropped anyway; undefined for none (the usual case). */
function namedByConnection(connection: string): Set<string> | undefined {
  if (connection === '') return undefined;
  let listed: Set<string> | undefined;
  for (const token of connection.split(',')) {
    const t = token.trim().toLowerCase();
    if (t !== '' && !HOP_BY_HOP_HEADERS.has(t)) (listed ??= new Set()).add(t);
  }
  return listed;
}
