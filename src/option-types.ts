// The types of option values: how each is read from a flag or a config file, checked
// from the library, and shown back. Pure.
import type { ListenAddress, PortRange } from './config.js';

/** Thrown by a value parser: what the value should have been (the resolver names the option). */
export class Expected extends Error {
  override readonly name = 'Expected';
}

/** How values of one type are read, checked and shown. */
export interface ValueType<T> {
  /** Placeholder in --help and the README, e.g. `DURATION`; absent for a switch. */
  readonly arg?: string;
  /** Reads a flag's text or a config file's value (durations with a unit: `"120s"`). */
  readonly parse: (value: unknown) => T;
  /** Checks a library option's value (durations in milliseconds). */
  readonly accept: (value: unknown) => T;
  /** The value as a person writes it on the command line, for defaults and messages. */
  readonly show: (value: T) => string;
}

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses `1500ms`, `10s`, `2m`, `1h` (decimals allowed) into milliseconds. */
export function parseDurationText(value: unknown): number {
  if (typeof value === 'number') throw new Expected('a duration with a unit, such as "120s" (a bare number has none)');
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim()) : null;
  if (!match) throw new Expected('a duration such as 1500ms, 10s or 2m');
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS]);
  if (ms <= 0) throw new Expected('a duration greater than zero');
  return ms;
}

function showDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A duration: text with a unit from flags and files, milliseconds from the library. */
export const duration: ValueType<number> = {
  arg: 'DURATION',
  parse: parseDurationText,
  accept: (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Expected('milliseconds greater than zero, such as 30000');
    return value;
  },
  show: showDuration,
};

/** A duration, or null (unset: someone else's default applies). */
export const optionalDuration: ValueType<number | null> = {
  arg: 'DURATION',
  parse: (v) => (v === null ? null : parseDurationText(v)),
  accept: (v) => (v === null ? null : duration.accept(v)),
  show: (ms) => (ms === null ? 'unset' : showDuration(ms)),
};

function wholeNumber(value: unknown, min: number, max: number, what: string, textAllowed: boolean): number {
  const n = typeof value === 'number' ? value : textAllowed && typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Expected(what);
  return n;
}

/** A whole number of at least `min`. */
export function int(min: number): ValueType<number> {
  const what = `a whole number ≥ ${min}`;
  return {
    arg: 'N',
    parse: (v) => wholeNumber(v, min, Number.MAX_SAFE_INTEGER, what, true),
    accept: (v) => wholeNumber(v, min, Number.MAX_SAFE_INTEGER, what, false),
    show: String,
  };
}

/** Parses a TCP port, 1–65535 (0, "any free port", only where `allowAny`). */
export function parsePortText(value: unknown, allowAny = false): number {
  const lowest = allowAny ? 0 : 1;
  return wholeNumber(value, lowest, 65_535, `a port from ${lowest} to 65535`, true);
}

/** A TCP port the app listens on. */
export const port: ValueType<number> = {
  arg: 'PORT',
  parse: (v) => parsePortText(v),
  accept: (v) => wholeNumber(v, 1, 65_535, 'a port from 1 to 65535', false),
  show: String,
};

/** Parses `PORT`, `HOST:PORT` or `[IPv6]:PORT` (port 0 picks a free one). */
export function parseAddressText(value: unknown, defaultHost: string): ListenAddress {
  if (typeof value === 'number') return { host: defaultHost, port: parsePortText(value, true) };
  if (typeof value !== 'string' || value === '') throw new Expected('PORT or HOST:PORT');
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (v6) return { host: v6[1] as string, port: parsePortText(v6[2], true) };
  const i = value.lastIndexOf(':');
  if (i < 0) return { host: defaultHost, port: parsePortText(value, true) };
  const host = value.slice(0, i);
  if (host === '' || host.includes(':')) throw new Expected('PORT, HOST:PORT or [IPv6]:PORT');
  return { host, port: parsePortText(value.slice(i + 1), true) };
}

function showAddress(a: ListenAddress): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function acceptAddress(value: unknown, defaultHost: string): ListenAddress {
  if (!isRecord(value)) return parseAddressText(value, defaultHost);
  const { host, port: p } = value;
  if (typeof host !== 'string' || host === '') throw new Expected('{ host, port } with a host such as "127.0.0.1"');
  const checked = wholeNumber(p, 0, 65_535, '{ host, port } with a port from 0 to 65535', false);
  return { host, port: checked };
}

/** Where a server listens: `[HOST:]PORT`, or `{ host, port }` from the library. */
export function listen(defaultHost: string): ValueType<ListenAddress> {
  return {
    arg: '[HOST:]PORT',
    parse: (v) => parseAddressText(v, defaultHost),
    accept: (v) => acceptAddress(v, defaultHost),
    show: showAddress,
  };
}

/** Like `listen`, and `off` (or null, or false) turns the server off. */
export function listenOrOff(defaultHost: string): ValueType<ListenAddress | null> {
  const off = (v: unknown): boolean => v === 'off' || v === null || v === false;
  return {
    arg: '[HOST:]PORT|off',
    parse: (v) => (off(v) ? null : parseAddressText(v, defaultHost)),
    accept: (v) => (off(v) ? null : acceptAddress(v, defaultHost)),
    show: (a) => (a === null ? 'off' : showAddress(a)),
  };
}

function checkRange(first: number, last: number): PortRange {
  if (last < first) throw new Expected('a range whose last port is not below its first');
  return { first, last };
}

/** `FIRST-LAST` (or `{ first, last }` from the library); null: none. */
export const portRange: ValueType<PortRange | null> = {
  arg: 'FIRST-LAST',
  parse: (v) => {
    if (v === null) return null;
    const match = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v.trim()) : null;
    if (!match) throw new Expected('a range FIRST-LAST such as 8000-8009');
    return checkRange(parsePortText(match[1]), parsePortText(match[2]));
  },
  accept: (v) => {
    if (v === null) return null;
    if (!isRecord(v)) return portRange.parse(v);
    const what = '{ first, last } with ports from 1 to 65535';
    return checkRange(wholeNumber(v['first'], 1, 65_535, what, false), wholeNumber(v['last'], 1, 65_535, what, false));
  },
  show: (r) => (r === null ? 'none' : `${r.first}-${r.last}`),
};

/** One of a few words. */
export function oneOf<T extends string>(values: readonly T[]): ValueType<T> {
  const check = (v: unknown): T => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    throw new Expected(`one of ${values.join(', ')}`);
  };
  return { arg: values.join('|'), parse: check, accept: check, show: (v) => v };
}

/** A switch: present on the command line, `true`/`false` in a file or the library. */
export const bool: ValueType<boolean> = {
  parse: (v) => {
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new Expected('true or false');
  },
  accept: (v) => {
    if (typeof v !== 'boolean') throw new Expected('true or false');
    return v;
  },
  show: (v) => (v ? 'on' : 'off'),
};

/** A string matching `re`. */
export function text(arg: string, re: RegExp, what: string): ValueType<string> {
  const check = (v: unknown): string => {
    if (typeof v !== 'string' || !re.test(v)) throw new Expected(what);
    return v;
  };
  return { arg, parse: check, accept: check, show: (v) => v };
}

/** A list of strings, each matching `re` (a single string is a list of one). */
export function list(arg: string, re: RegExp, what: string): ValueType<readonly string[]> {
  const check = (v: unknown): readonly string[] => {
    const items = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
      throw new Expected(`a string or a list of strings, each ${what}`);
    }
    const bad = items.find((item) => !re.test(item));
    if (bad !== undefined) throw new Expected(`${what} (${JSON.stringify(bad)} is not)`);
    return items;
  };
  return { arg, parse: check, accept: check, show: (v) => (v.length === 0 ? 'none' : v.join(' ')) };
}

const BYTE_UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

/** A memory size: `512m`, `1g`, or bytes; null: no limit. */
export const bytes: ValueType<number | null> = {
  arg: 'SIZE',
  parse: (v) => {
    if (v === null) return null;
    const match = typeof v === 'string' ? /^(\d+)([kmg]?)b?$/i.exec(v.trim()) : null;
    const n = typeof v === 'number' ? v : match ? Number(match[1]) * BYTE_UNITS[(match[2] ?? '').toLowerCase() as keyof typeof BYTE_UNITS] : NaN;
    if (!Number.isSafeInteger(n)) throw new Expected('a size such as 512m or 1g');
    if (n < 6 * 1024 ** 2) throw new Expected('at least 6m (Docker refuses smaller limits)');
    return n;
  },
  accept: (v) => bytes.parse(v),
  show: (n) => (n === null ? 'none' : n % 1024 ** 2 === 0 ? `${n / 1024 ** 2}m` : String(n)),
};

/** A number of CPUs such as 0.5; null: no limit. */
export const cpus: ValueType<number | null> = {
  arg: 'N',
  parse: (v) => {
    if (v === null) return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (!(n > 0) || !Number.isFinite(n)) throw new Expected('a number of CPUs greater than zero, such as 0.5');
    return n;
  },
  accept: (v) => cpus.parse(v),
  show: (n) => (n === null ? 'none' : String(n)),
};

/** A secret of at least 16 characters; null: none. */
export const token: ValueType<string | null> = {
  arg: 'TOKEN',
  parse: (v) => {
    if (v === null) return null;
    if (typeof v !== 'string' || v.length < 16) throw new Expected('a token of at least 16 characters');
    return v;
  },
  accept: (v) => token.parse(v),
  show: (v) => (v === null ? 'none' : '(hidden)'),
};

/** Docker's image reference grammar, simplified: [registry[:port]/]path[:tag][@digest]. */
export const IMAGE_RE =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?)\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** The service name derived from an image: `registry:5000/team/my-api:1.2` → `my-api`. */
export function serviceNameFromImage(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const last = withoutDigest.split('/').pop() ?? withoutDigest;
  const repo = last.split(':')[0] ?? last;
  const name = repo.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return name === '' ? 'symphony' : name.slice(0, 63);
}

/** A list of strings, each checked by `problem` (undefined: fine; else what it should have been). */
export function listOf(arg: string, what: string, problem: (item: string) => string | undefined): ValueType<readonly string[]> {
  const check = (v: unknown): readonly string[] => {
    const items = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
      throw new Expected(`a string or a list of strings, each ${what}`);
    }
    for (const item of items) {
      const wrong = problem(item);
      if (wrong !== undefined) throw new Expected(`${wrong} (${JSON.stringify(item)} is not)`);
    }
    return items;
  };
  return { arg, parse: check, accept: check, show: (v) => (v.length === 0 ? 'none' : v.join(' ')) };
}

/** A string matching `re`, or null: not set (the image's own value applies). */
export function optionalText(arg: string, re: RegExp, what: string): ValueType<string | null> {
  const check = (v: unknown): string | null => {
    if (v === null) return null;
    if (typeof v !== 'string' || !re.test(v)) throw new Expected(what);
    return v;
  };
  return { arg, parse: check, accept: check, show: (v) => (v === null ? 'none' : v) };
}

/**
 * A command as the engine takes it: a list of words, kept as given. From a flag or a
 * config file a single string is one word (`--entrypoint /bin/app`); null: the image's.
 */
export function argv(arg: string, example: string): ValueType<readonly string[] | null> {
  const check = (v: unknown): readonly string[] | null => {
    if (v === null) return null;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.length > 0 && v.every((w): w is string => typeof w === 'string')) return v;
    throw new Expected(`a list of words such as ${example}`);
  };
  return { arg, parse: check, accept: check, show: (v) => (v === null ? "the image's" : v.map(shellWord).join(' ')) };
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Why `name` cannot be a network to join, or undefined when it can. */
export function networkProblem(name: string): string | undefined {
  if (name === 'host' || name === 'none' || name.startsWith('container:')) {
    return 'a network the container port can be published from (not host, none or container:…)';
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return 'the name or id of an existing Docker network';
  return undefined;
}

/** Why `value` is not `SOURCE:TARGET[:ro|rw]` (a volume name or absolute host path, an absolute target). */
export function volumeProblem(value: string): string | undefined {
  const what = 'SOURCE:TARGET[:ro], SOURCE a volume name or an absolute host path, TARGET an absolute path in the container';
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3) return what;
  const [source = '', target = '', mode] = parts;
  if (!(source.startsWith('/') || /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source))) return what;
  if (!target.startsWith('/')) return what;
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') return `${what}; the mode is ro or rw`;
  return undefined;
}

/** The label key prefix Docker Symphony keeps for its own labels. */
export const RESERVED_LABEL_PREFIX = 'docker-symphony.';

/** Why `value` is not a `KEY=VALUE` label the user may set (`KEY` alone: empty value). */
export function labelProblem(value: string): string | undefined {
  const key = value.split('=', 1)[0] ?? '';
  if (key === '' || /\s/.test(key)) return 'KEY=VALUE with a key without spaces';
  if (key.toLowerCase().startsWith(RESERVED_LABEL_PREFIX)) return `a label whose key does not start with ${RESERVED_LABEL_PREFIX} (reserved for Docker Symphony's own labels)`;
  return undefined;
}

/** Why `value` is not `PATH[:OPTIONS]` for a tmpfs mount. */
export function tmpfsProblem(value: string): string | undefined {
  return /^\/[^:\s]*(:\S+)?$/.test(value) ? undefined : 'PATH[:OPTIONS] with an absolute path, such as /tmp:size=64m';
}

/** Why `value` is not a Linux capability name (`NET_ADMIN`, `CAP_NET_ADMIN` or `ALL`). */
export function capabilityProblem(value: string): string | undefined {
  return /^[A-Za-z][A-Za-z_]*$/.test(value) ? undefined : 'a capability such as NET_BIND_SERVICE or ALL';
}
