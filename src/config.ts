// The one typed configuration of a Symphony, and its parsing from command-line
// flags and a JSON file. Pure: the CLI reads argv, files and the environment and
// hands plain values in; everything below takes a SymphonyConfig.

/** Where a server listens. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** A fixed range of host ports containers are published on. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/** Everything a Symphony needs, with defaults applied and validated. */
export interface SymphonyConfig {
  /** Image every container runs. */
  readonly image: string;
  /** Service name; every container is labelled `docker-symphony.service=<name>`. */
  readonly name: string;
  /** Port the app listens on inside the container. @default 80 */
  readonly containerPort: number;
  /** Where the proxy listens. @default 0.0.0.0:8080 */
  readonly listen: ListenAddress;
  /** Where the admin server listens; null turns it off. @default 127.0.0.1:9900 */
  readonly adminListen: ListenAddress | null;
  /** Bearer token the admin server requires (mandatory off loopback). */
  readonly adminToken: string | null;
  /** Health API of the app. @default /api/v1/_health */
  readonly healthPath: string;
  /** How often every container is checked. @default 1s */
  readonly healthIntervalMs: number;
  /** A check slower than this fails. @default 80% of the interval */
  readonly healthTimeoutMs: number;
  /** How far back requests are counted. @default 120s */
  readonly windowMs: number;
  /** `sliding` counts the last window at every tick; `tumbling` resets the count every window. @default sliding */
  readonly windowMode: 'sliding' | 'tumbling';
  /** Requests per extra container. @default 20 */
  readonly baseScaleCount: number;
  /** @default 1 */
  readonly min: number;
  /** @default 10 */
  readonly max: number;
  /** Publish containers on these host ports instead of ephemeral ones. */
  readonly hostPorts: PortRange | null;
  /** How long a container leaving rotation may finish its in-flight requests. @default 30s */
  readonly drainTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when a container is stopped. @default 10s */
  readonly stopTimeoutMs: number;
  /** How long a new container has to answer 200 on the health API. @default 60s */
  readonly startupTimeoutMs: number;
  /** Environment of every container, `KEY=VALUE`. */
  readonly env: readonly string[];
  /** Paths (exact, or prefix ending in `*`) not counted in the request window. */
  readonly noCount: readonly string[];
  /** A response head slower than this is answered 504. @default 60s */
  readonly upstreamTimeoutMs: number;
  /** How long a request waits for a ready container before 503. @default 30s */
  readonly queueTimeoutMs: number;
  /** Requests that may wait for a ready container at once. @default 1000 */
  readonly queueSize: number;
  /** On shutdown, leave the containers running for the next start to adopt. @default false */
  readonly keepContainers: boolean;
  /** When to pull the image: only when it is missing locally, or never. @default missing */
  readonly pull: 'missing' | 'never';
  /** Memory limit per container in bytes (null: none). */
  readonly memoryBytes: number | null;
  /** CPU limit per container in CPUs (null: none). */
  readonly cpus: number | null;
  /** @default text on a TTY, json otherwise (decided by the CLI) */
  readonly logFormat: 'text' | 'json';
  /** @default info */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** What embedders pass: only `image` is required. Durations in milliseconds. */
export type SymphonyOptions = { readonly image: string } & Partial<Omit<SymphonyConfig, 'image'>>;

/** A configuration value that cannot be used; the CLI exits with status 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`invalid ${option} ${JSON.stringify(value)}: expected ${expected}`);
  }
}

export const DEFAULTS = {
  containerPort: 80,
  listen: { host: '0.0.0.0', port: 8080 },
  adminListen: { host: '127.0.0.1', port: 9900 },
  healthPath: '/api/v1/_health',
  healthIntervalMs: 1_000,
  windowMs: 120_000,
  windowMode: 'sliding',
  baseScaleCount: 20,
  min: 1,
  max: 10,
  drainTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  startupTimeoutMs: 60_000,
  upstreamTimeoutMs: 60_000,
  queueTimeoutMs: 30_000,
  queueSize: 1_000,
  logLevel: 'info',
} as const;

// Docker's reference grammar, simplified: [registry[:port]/]path[:tag][@digest].
const IMAGE_RE =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?)\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Parses `1500ms`, `10s`, `2m`, `1h` (decimals allowed) into milliseconds. */
export function parseDuration(option: string, value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim()) : null;
  if (!match) throw new ConfigError(option, value, 'a duration such as 1500ms, 10s or 2m');
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(match[1]) * unit);
  if (ms <= 0) throw new ConfigError(option, value, 'a duration greater than zero');
  return ms;
}

/** Parses a TCP port, 1–65535 (0, "any free port", only where `allowAny`). */
export function parsePort(option: string, value: unknown, allowAny = false): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  const lowest = allowAny ? 0 : 1;
  if (!Number.isInteger(n) || n < lowest || n > 65_535) throw new ConfigError(option, value, `a port from ${lowest} to 65535`);
  return n;
}

/** Parses `PORT`, `HOST:PORT` or `[IPv6]:PORT`. */
export function parseListen(option: string, value: unknown, defaultHost: string): ListenAddress {
  if (typeof value === 'number') return { host: defaultHost, port: parsePort(option, value, true) };
  if (typeof value !== 'string' || value === '') throw new ConfigError(option, value, 'PORT or HOST:PORT');
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (v6) return { host: v6[1] as string, port: parsePort(option, v6[2], true) };
  const i = value.lastIndexOf(':');
  if (i < 0) return { host: defaultHost, port: parsePort(option, value, true) };
  const host = value.slice(0, i);
  if (host === '' || host.includes(':')) throw new ConfigError(option, value, 'PORT, HOST:PORT or [IPv6]:PORT');
  return { host, port: parsePort(option, value.slice(i + 1), true) };
}

function parseInteger(option: string, value: unknown, min: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigError(option, value, `a whole number ≥ ${min}`);
  return n;
}

function parsePortRange(option: string, value: unknown): PortRange {
  const match = typeof value === 'string' ? /^(\d+)-(\d+)$/.exec(value) : null;
  if (!match) throw new ConfigError(option, value, 'a range FIRST-LAST such as 8000-8009');
  const first = parsePort(option, match[1]);
  const last = parsePort(option, match[2]);
  if (last < first) throw new ConfigError(option, value, 'a range whose last port is not below its first');
  return { first, last };
}

/** Parses `512m`, `1g`, `1048576` (bytes). */
function parseBytes(option: string, value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+)([kmg]?)b?$/i.exec(value) : typeof value === 'number' ? [String(value), String(value), ''] : null;
  if (!match) throw new ConfigError(option, value, 'a size such as 512m or 1g');
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Number(match[1]) * unit;
  if (bytes < 6 * 1024 ** 2) throw new ConfigError(option, value, 'at least 6m (Docker refuses smaller limits)');
  return bytes;
}

function parseCpus(option: string, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0)) throw new ConfigError(option, value, 'a number of CPUs greater than zero, such as 0.5');
  return n;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(option, value, `one of ${allowed.join(', ')}`);
}

function parseBool(option: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(option, value, 'true or false');
}

function parsePath(option: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value)) {
    throw new ConfigError(option, value, 'a URL path starting with /');
  }
  return value;
}

function stringList(option: string, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new ConfigError(option, value, 'a string or a list of strings');
}

/** The service name derived from an image: `registry:5000/team/my-api:1.2` → `my-api`. */
export function serviceNameFromImage(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const last = withoutDigest.split('/').pop() ?? withoutDigest;
  const repo = last.split(':')[0] ?? last;
  const name = repo.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return name === '' ? 'symphony' : name.slice(0, 63);
}

/**
 * Raw option values keyed by option name (camelCase), as they come from flags
 * (strings) or a JSON config file (strings, numbers, booleans, lists).
 */
export type RawOptions = Readonly<Record<string, unknown>>;

/** Every option, its flag and what it takes: the CLI's parser and `--help` read this. */
export const OPTIONS = [
  { key: 'image', flag: '--image', arg: 'IMAGE', help: 'image every container runs (required)' },
  { key: 'containerPort', flag: '--container-port', arg: 'PORT', help: 'port the app listens on inside the container', def: '80' },
  { key: 'listen', flag: '--listen', arg: '[HOST:]PORT', help: 'where the proxy listens', def: '0.0.0.0:8080' },
  { key: 'name', flag: '--name', arg: 'NAME', help: 'service name; containers get the label docker-symphony.service=NAME', def: 'derived from the image' },
  { key: 'healthPath', flag: '--health-path', arg: 'PATH', help: 'health API of the app (200 = healthy)', def: '/api/v1/_health' },
  { key: 'healthInterval', flag: '--health-interval', arg: 'DURATION', help: 'how often every container is checked', def: '1s' },
  { key: 'healthTimeout', flag: '--health-timeout', arg: 'DURATION', help: 'a check slower than this fails (must be below the interval)', def: '80% of the interval' },
  { key: 'window', flag: '--window', arg: 'DURATION', help: 'how far back requests are counted', def: '120s' },
  { key: 'windowMode', flag: '--window-mode', arg: 'sliding|tumbling', help: 'sliding: count the last window every second; tumbling: reset every window, decide at its end', def: 'sliding' },
  { key: 'baseScaleCount', flag: '--base-scale-count', arg: 'N', help: 'requests per extra container: replicas = floor(count / N) + 1', def: '20' },
  { key: 'min', flag: '--min', arg: 'N', help: 'fewest replicas', def: '1' },
  { key: 'max', flag: '--max', arg: 'N', help: 'most replicas', def: '10' },
  { key: 'hostPorts', flag: '--host-ports', arg: 'FIRST-LAST', help: 'publish containers on these fixed 127.0.0.1 ports instead of ephemeral ones', def: 'none' },
  { key: 'adminListen', flag: '--admin-listen', arg: '[HOST:]PORT|off', help: 'admin API, metrics and dashboard', def: '127.0.0.1:9900' },
  { key: 'adminToken', flag: '--admin-token', arg: 'TOKEN', help: 'bearer token for the admin server (required off loopback; env SYMPHONY_ADMIN_TOKEN)', def: 'none' },
  { key: 'drainTimeout', flag: '--drain-timeout', arg: 'DURATION', help: 'how long a container leaving rotation may finish in-flight requests', def: '30s' },
  { key: 'stopTimeout', flag: '--stop-timeout', arg: 'DURATION', help: 'grace between SIGTERM and SIGKILL', def: '10s' },
  { key: 'startupTimeout', flag: '--startup-timeout', arg: 'DURATION', help: 'how long a new container has to answer 200 on the health API', def: '60s' },
  { key: 'upstreamTimeout', flag: '--upstream-timeout', arg: 'DURATION', help: 'a response slower than this is answered 504', def: '60s' },
  { key: 'queueTimeout', flag: '--queue-timeout', arg: 'DURATION', help: 'how long a request waits for a ready container before 503', def: '30s' },
  { key: 'queueSize', flag: '--queue-size', arg: 'N', help: 'requests that may wait for a ready container at once', def: '1000' },
  { key: 'env', flag: '--env', arg: 'KEY=VALUE', help: 'environment of every container (repeatable)', repeat: true },
  { key: 'noCount', flag: '--no-count', arg: 'PATH', help: 'do not count requests to this path (exact, or a prefix ending in *; repeatable)', repeat: true },
  { key: 'memory', flag: '--memory', arg: 'SIZE', help: 'memory limit per container, e.g. 256m', def: 'none' },
  { key: 'cpus', flag: '--cpus', arg: 'N', help: 'CPU limit per container, e.g. 0.5', def: 'none' },
  { key: 'pull', flag: '--pull', arg: 'missing|never', help: 'pull the image when it is not on the engine, or never', def: 'missing' },
  { key: 'keepContainers', flag: '--keep-containers', help: 'on shutdown leave the containers for the next start to adopt', bool: true },
  { key: 'logFormat', flag: '--log-format', arg: 'text|json', help: 'log line format', def: 'text on a TTY, json otherwise' },
  { key: 'logLevel', flag: '--log-level', arg: 'debug|info|warn|error', help: 'lowest level logged', def: 'info' },
] as const satisfies readonly OptionSpec[];

/** One entry of OPTIONS. */
export interface OptionSpec {
  readonly key: string;
  readonly flag: string;
  readonly arg?: string;
  readonly help: string;
  readonly def?: string;
  readonly repeat?: boolean;
  readonly bool?: boolean;
}

const KNOWN_KEYS = new Set<string>(OPTIONS.map((o) => o.key));

/** The flag that sets an option, for error messages. */
function flagOf(key: string): string {
  return OPTIONS.find((o) => o.key === key)?.flag ?? key;
}

/**
 * Turns raw option values into a validated SymphonyConfig. `raw` uses the option
 * keys of OPTIONS (durations as strings with units, as on the command line).
 */
export function resolveConfig(raw: RawOptions, context: { isTTY?: boolean } = {}): SymphonyConfig {
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(key, raw[key], `a known option (see --help)`);
  }
  const get = (key: string): unknown => raw[key];
  const has = (key: string): boolean => raw[key] !== undefined;
  const opt = <T>(key: string, parse: (flag: string, v: unknown) => T, fallback: T): T =>
    has(key) ? parse(flagOf(key), get(key)) : fallback;

  if (!has('image')) throw new ConfigError('--image', undefined, 'an image reference such as my-api:latest');
  const image = get('image');
  if (typeof image !== 'string' || !IMAGE_RE.test(image)) {
    throw new ConfigError('--image', image, 'an image reference such as my-api:latest or registry:5000/team/api:1.2');
  }
  const name = opt('name', (f, v) => {
    if (typeof v !== 'string' || !NAME_RE.test(v)) throw new ConfigError(f, v, 'letters, digits, _ . - (starting with a letter or digit, at most 63)');
    return v;
  }, serviceNameFromImage(image));

  const healthIntervalMs = opt('healthInterval', parseDuration, DEFAULTS.healthIntervalMs);
  const healthTimeoutMs = opt('healthTimeout', parseDuration, Math.max(1, Math.floor(healthIntervalMs * 0.8)));
  if (healthTimeoutMs >= healthIntervalMs) {
    throw new ConfigError('--health-timeout', get('healthTimeout'), `a duration below --health-interval (${healthIntervalMs}ms)`);
  }
  const min = opt('min', (f, v) => parseInteger(f, v, 1), DEFAULTS.min);
  const max = opt('max', (f, v) => parseInteger(f, v, 1), DEFAULTS.max);
  if (max < min) throw new ConfigError('--max', get('max') ?? max, `a number not below --min (${min})`);
  const hostPorts = opt('hostPorts', (f, v) => parsePortRange(f, v), null as PortRange | null);
  if (hostPorts && hostPorts.last - hostPorts.first + 1 < max) {
    throw new ConfigError('--host-ports', get('hostPorts'), `a range of at least --max (${max}) ports`);
  }
  const env = has('env') ? stringList('--env', get('env')) : [];
  for (const entry of env) if (!ENV_RE.test(entry)) throw new ConfigError('--env', entry, 'KEY=VALUE');
  const noCount = has('noCount') ? stringList('--no-count', get('noCount')) : [];
  for (const path of noCount) parsePath('--no-count', path);

  const adminListenRaw = get('adminListen');
  const adminListen =
    adminListenRaw === 'off' || adminListenRaw === false
      ? null
      : has('adminListen')
        ? parseListen('--admin-listen', adminListenRaw, '127.0.0.1')
        : DEFAULTS.adminListen;
  const adminToken = opt('adminToken', (f, v) => {
    if (typeof v !== 'string' || v.length < 16) throw new ConfigError(f, v === undefined ? v : '<hidden>', 'a token of at least 16 characters');
    return v;
  }, null as string | null);

  return {
    image,
    name,
    containerPort: opt('containerPort', (f, v) => parsePort(f, v), DEFAULTS.containerPort),
    listen: has('listen') ? parseListen('--listen', get('listen'), '0.0.0.0') : DEFAULTS.listen,
    adminListen,
    adminToken,
    healthPath: opt('healthPath', parsePath, DEFAULTS.healthPath),
    healthIntervalMs,
    healthTimeoutMs,
    windowMs: opt('window', parseDuration, DEFAULTS.windowMs),
    windowMode: opt('windowMode', (f, v) => oneOf(f, v, ['sliding', 'tumbling'] as const), DEFAULTS.windowMode),
    baseScaleCount: opt('baseScaleCount', (f, v) => parseInteger(f, v, 1), DEFAULTS.baseScaleCount),
    min,
    max,
    hostPorts,
    drainTimeoutMs: opt('drainTimeout', parseDuration, DEFAULTS.drainTimeoutMs),
    stopTimeoutMs: opt('stopTimeout', parseDuration, DEFAULTS.stopTimeoutMs),
    startupTimeoutMs: opt('startupTimeout', parseDuration, DEFAULTS.startupTimeoutMs),
    env,
    noCount,
    upstreamTimeoutMs: opt('upstreamTimeout', parseDuration, DEFAULTS.upstreamTimeoutMs),
    queueTimeoutMs: opt('queueTimeout', parseDuration, DEFAULTS.queueTimeoutMs),
    queueSize: opt('queueSize', (f, v) => parseInteger(f, v, 0), DEFAULTS.queueSize),
    keepContainers: opt('keepContainers', parseBool, false),
    pull: opt('pull', (f, v) => oneOf(f, v, ['missing', 'never'] as const), 'missing'),
    memoryBytes: opt('memory', parseBytes, null as number | null),
    cpus: opt('cpus', parseCpus, null as number | null),
    logFormat: opt('logFormat', (f, v) => oneOf(f, v, ['text', 'json'] as const), context.isTTY ? 'text' : 'json'),
    logLevel: opt('logLevel', (f, v) => oneOf(f, v, ['debug', 'info', 'warn', 'error'] as const), DEFAULTS.logLevel),
  };
}

/** Options an embedder passes (numbers in ms) merged over the defaults and validated like flags. */
export function configFromOptions(options: SymphonyOptions): SymphonyConfig {
  const raw: Record<string, unknown> = { image: options.image };
  const ms = (v: number | undefined): string | undefined => (v === undefined ? undefined : `${v}ms`);
  const listen = (a: ListenAddress | null | undefined): unknown =>
    a === undefined ? undefined : a === null ? 'off' : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  const set = (key: string, value: unknown): void => {
    if (value !== undefined && value !== null) raw[key] = value;
  };
  set('name', options.name);
  set('containerPort', options.containerPort);
  set('listen', listen(options.listen));
  set('adminListen', listen(options.adminListen));
  set('adminToken', options.adminToken);
  set('healthPath', options.healthPath);
  set('healthInterval', ms(options.healthIntervalMs));
  set('healthTimeout', ms(options.healthTimeoutMs));
  set('window', ms(options.windowMs));
  set('windowMode', options.windowMode);
  set('baseScaleCount', options.baseScaleCount);
  set('min', options.min);
  set('max', options.max);
  set('hostPorts', options.hostPorts ? `${options.hostPorts.first}-${options.hostPorts.last}` : undefined);
  set('drainTimeout', ms(options.drainTimeoutMs));
  set('stopTimeout', ms(options.stopTimeoutMs));
  set('startupTimeout', ms(options.startupTimeoutMs));
  set('upstreamTimeout', ms(options.upstreamTimeoutMs));
  set('queueTimeout', ms(options.queueTimeoutMs));
  set('queueSize', options.queueSize);
  set('env', options.env ? [...options.env] : undefined);
  set('noCount', options.noCount ? [...options.noCount] : undefined);
  set('memory', options.memoryBytes);
  set('cpus', options.cpus);
  set('pull', options.pull);
  set('keepContainers', options.keepContainers);
  set('logFormat', options.logFormat ?? 'json');
  set('logLevel', options.logLevel);
  return resolveConfig(raw);
}

/** True when a request path is excluded from the request window. */
export function isCountedPath(path: string, config: Pick<SymphonyConfig, 'healthPath' | 'noCount'>): boolean {
  const pathOnly = path.split('?')[0] ?? path;
  if (pathOnly === config.healthPath) return false;
  for (const pattern of config.noCount) {
    if (pattern.endsWith('*') ? pathOnly.startsWith(pattern.slice(0, -1)) : pathOnly === pattern) return false;
  }
  return true;
}
