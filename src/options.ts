// Every option of a Symphony, once: its flag, its type, its default and its help. The
// CLI parser, --help, the README's table, the JSON config reader and the library's
// option check all read this table. Pure: values in, values out.
import type { SymphonyConfig } from './config.js';
import { bool, bytes, cpus, duration, IMAGE_RE, int, list, listen, listenOrOff, oneOf, port, portRange, serviceNameFromImage, text, token, type ValueType } from './option-types.js';

/** What a default may depend on: the values resolved before it, and whether stdout is a terminal. */
export interface DefaultContext {
  readonly config: Readonly<Partial<SymphonyConfig>>;
  readonly isTTY: boolean;
}

/** One option. `K` is the SymphonyConfig field (the library's option key) it sets. */
export interface OptionDef<K extends keyof SymphonyConfig = keyof SymphonyConfig> {
  /** Name on the command line without dashes and in config files: `window`. */
  readonly name: string;
  /** `--window`. */
  readonly flag: string;
  /** The SymphonyConfig field and library option key: `windowMs`. */
  readonly key: K;
  readonly type: ValueType<SymphonyConfig[K]>;
  /** One line for --help. */
  readonly help: string;
  /** Longer Markdown for the README's table, when the help line is not enough. */
  readonly doc?: string;
  /** The default, or how to derive it; absent when the option is required. */
  readonly default?: SymphonyConfig[K] | ((context: DefaultContext) => SymphonyConfig[K]);
  /** How --help shows a derived default ("80% of the interval"). */
  readonly defaultText?: string;
  /** May be given more than once on the command line. */
  readonly repeatable?: true;
  /** Never shown back in messages. */
  readonly secret?: true;
  /** Environment variable the CLI also reads it from (flags and the config file win). */
  readonly env?: string;
}

type Table = { readonly [K in keyof SymphonyConfig]: Omit<OptionDef<K>, 'key'> };

// One entry per SymphonyConfig field (tsc checks there is one for each, with the
// right type); the order is the order of --help and the README.
const TABLE: Table = {
  image: {
    name: 'image',
    flag: '--image',
    type: text('IMAGE', IMAGE_RE, 'an image reference such as my-api:latest or registry:5000/team/api:1.2'),
    help: 'image every container runs',
  },
  containerPort: { name: 'containerPort', flag: '--container-port', type: port, default: 80, help: 'port the app listens on inside the container' },
  listen: {
    name: 'listen',
    flag: '--listen',
    type: listen('0.0.0.0'),
    default: { host: '0.0.0.0', port: 8080 },
    help: 'where the proxy listens (0 picks a free port)',
    doc: 'where the proxy listens (`0` picks a free port)',
  },
  name: {
    name: 'name',
    flag: '--name',
    type: text('NAME', /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'letters, digits, _ . - (starting with a letter or digit, at most 63)'),
    default: ({ config }) => serviceNameFromImage(config.image ?? ''),
    defaultText: 'derived from the image',
    help: 'service name; containers get the label docker-symphony.service=NAME',
    doc: 'service name; every container gets the label `docker-symphony.service=NAME`',
  },
  healthPath: {
    name: 'healthPath',
    flag: '--health-path',
    type: text('PATH', /^\/\S*$/, 'a URL path starting with /'),
    default: '/api/v1/_health',
    help: 'health API of the app; only 200 is healthy',
  },
  healthIntervalMs: { name: 'healthInterval', flag: '--health-interval', type: duration, default: 1_000, help: 'how often every container is checked' },
  healthTimeoutMs: {
    name: 'healthTimeout',
    flag: '--health-timeout',
    type: duration,
    default: ({ config }) => Math.max(1, Math.floor((config.healthIntervalMs ?? 1_000) * 0.8)),
    defaultText: '80 % of the interval',
    help: 'a check slower than this fails; must be below the interval',
  },
  windowMs: { name: 'window', flag: '--window', type: duration, default: 120_000, help: 'how far back requests are counted' },
  windowMode: {
    name: 'windowMode',
    flag: '--window-mode',
    type: oneOf(['sliding', 'tumbling'] as const),
    default: 'sliding',
    help: 'sliding: count the last window every second; tumbling: reset every window, decide at its end',
    doc:
      '`sliding`: every second, count the last window. `tumbling`: the count resets every window and the decision is taken at its end, ' +
      'the first window starting at the first request',
  },
  baseScaleCount: {
    name: 'baseScaleCount',
    flag: '--base-scale-count',
    type: int(1),
    default: 20,
    help: 'requests per extra container: replicas = floor(count / N) + 1',
    doc: 'requests per extra container: `replicas = floor(count / N) + 1`',
  },
  min: { name: 'min', flag: '--min', type: int(1), default: 1, help: 'fewest replicas' },
  max: { name: 'max', flag: '--max', type: int(1), default: 10, help: 'most replicas' },
  hostPorts: {
    name: 'hostPorts',
    flag: '--host-ports',
    type: portRange,
    default: null,
    help: 'publish containers on these fixed 127.0.0.1 ports instead of ephemeral ones (at least --max ports)',
    doc:
      'publish containers on these fixed `127.0.0.1` ports (first container on the first port; a replacement reuses the port it frees) ' +
      'instead of ephemeral ones; at least `--max` ports',
  },
  adminListen: {
    name: 'adminListen',
    flag: '--admin-listen',
    type: listenOrOff('127.0.0.1'),
    default: { host: '127.0.0.1', port: 9900 },
    help: 'admin API, metrics and dashboard',
  },
  adminToken: {
    name: 'adminToken',
    flag: '--admin-token',
    type: token,
    default: null,
    secret: true,
    env: 'SYMPHONY_ADMIN_TOKEN',
    help: 'bearer token the admin server requires (at least 16 characters; also SYMPHONY_ADMIN_TOKEN); mandatory beyond loopback',
    doc:
      'bearer token the admin server requires (at least 16 characters; also `SYMPHONY_ADMIN_TOKEN`); mandatory when the admin server listens beyond loopback',
  },
  drainTimeoutMs: {
    name: 'drainTimeout',
    flag: '--drain-timeout',
    type: duration,
    default: 30_000,
    help: 'how long a container leaving the rotation may finish its in-flight requests',
  },
  stopTimeoutMs: { name: 'stopTimeout', flag: '--stop-timeout', type: duration, default: 10_000, help: 'grace between SIGTERM and SIGKILL when a container is stopped' },
  startupTimeoutMs: {
    name: 'startupTimeout',
    flag: '--startup-timeout',
    type: duration,
    default: 60_000,
    help: 'how long a new container has to answer 200 before it counts as failed',
  },
  upstreamTimeoutMs: { name: 'upstreamTimeout', flag: '--upstream-timeout', type: duration, default: 60_000, help: 'a response head slower than this is answered 504' },
  queueTimeoutMs: { name: 'queueTimeout', flag: '--queue-timeout', type: duration, default: 30_000, help: 'how long a request waits for a ready container before 503' },
  queueSize: {
    name: 'queueSize',
    flag: '--queue-size',
    type: int(0),
    default: 1_000,
    help: 'requests that may wait for a ready container at once; more get 503 at once',
  },
  env: {
    name: 'env',
    flag: '--env',
    type: list('KEY=VALUE', /^[A-Za-z_][A-Za-z0-9_]*=/, 'KEY=VALUE'),
    default: [],
    repeatable: true,
    help: 'environment of every container (repeatable)',
  },
  noCount: {
    name: 'noCount',
    flag: '--no-count',
    type: list('PATH', /^\/\S*$/, 'a URL path starting with /'),
    default: [],
    repeatable: true,
    help: 'do not count requests to this path (exact, or a prefix ending in *; repeatable); the health path is never counted',
    doc: 'do not count requests to this path (exact, or a prefix ending in `*`; repeatable). The health path is never counted',
  },
  memoryBytes: { name: 'memory', flag: '--memory', type: bytes, default: null, help: 'memory limit per container, e.g. 256m' },
  cpus: { name: 'cpus', flag: '--cpus', type: cpus, default: null, help: 'CPU limit per container, e.g. 0.5' },
  pull: {
    name: 'pull',
    flag: '--pull',
    type: oneOf(['missing', 'never'] as const),
    default: 'missing',
    help: 'pull the image when the engine does not have it, or never',
  },
  keepContainers: {
    name: 'keepContainers',
    flag: '--keep-containers',
    type: bool,
    default: false,
    help: 'on shutdown leave the containers running for the next start to adopt',
  },
  logFormat: {
    name: 'logFormat',
    flag: '--log-format',
    type: oneOf(['text', 'json'] as const),
    default: ({ isTTY }) => (isTTY ? 'text' : 'json'),
    defaultText: 'text on a TTY, JSON otherwise',
    help: 'one line per event',
  },
  logLevel: { name: 'logLevel', flag: '--log-level', type: oneOf(['debug', 'info', 'warn', 'error'] as const), default: 'info', help: 'lowest level logged' },
};

/** Every option, in the order of --help. */
export const OPTIONS: readonly OptionDef[] = (Object.keys(TABLE) as (keyof SymphonyConfig)[]).map(
  (key) => ({ ...TABLE[key], key }) as OptionDef,
);

/** How --help and the README show an option's default ('required' when it has none). */
export function defaultText(option: OptionDef): string {
  if (option.defaultText !== undefined) return option.defaultText;
  if (!('default' in option)) return 'required';
  const value = option.default;
  if (typeof value === 'function') return 'derived';
  if (value === null || (Array.isArray(value) && value.length === 0)) return 'none';
  return (option.type.show as (v: unknown) => string)(value);
}
