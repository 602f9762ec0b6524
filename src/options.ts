// Every option of a Symphony, once: its flag, its type, its default and its help. The
// CLI parser, --help, the README's table, the JSON config reader and the library's
// option check all read this table. Pure: values in, values out.
// Longer than ~350 lines because it is the one table of every option, kept whole on purpose.
import type { SymphonyConfig } from './config.js';
import {
  argv,
  bool,
  bytes,
  capabilityProblem,
  cpus,
  duration,
  IMAGE_RE,
  int,
  labelProblem,
  list,
  listen,
  listenOrOff,
  listOf,
  networkProblem,
  oneOf,
  optionalDuration,
  optionalText,
  port,
  portRange,
  serviceNameFromImage,
  text,
  tmpfsProblem,
  token,
  volumeProblem,
  type ValueType,
} from './option-types.js';

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
  /** Given on the command line as the words after `--`, not as a flag (`flag` names it in files only). */
  readonly positional?: true;
}

// A duration where 0 means off (other durations must be above zero).
const delay: ValueType<number> = {
  arg: 'DURATION',
  parse: (v) => (v === 0 || v === '0' ? 0 : duration.parse(v)),
  accept: (v) => (v === 0 ? 0 : duration.accept(v)),
  show: (ms) => (ms === 0 ? '0' : duration.show(ms)),
};

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
  scaleDownDelayMs: {
    name: 'scaleDownDelay',
    flag: '--scale-down-delay',
    type: delay,
    default: 0,
    help: 'scale down only to the highest count asked for during this long (0: at once)',
    doc:
      'scale down only to the highest count the rule asked for during this long, like the Kubernetes HPA\'s stabilisation window, ' +
      'so bursty traffic does not stop and start containers; scale-up is never delayed. `0`: scale down at once',
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
  runtime: {
    name: 'runtime',
    flag: '--runtime',
    type: oneOf(['docker', 'swarm'] as const),
    default: 'docker',
    help: 'docker: containers on the engine DOCKER_HOST names; swarm: one Swarm service per replica, DOCKER_HOST a manager',
    doc:
      '`docker`: containers on the engine `DOCKER_HOST` names, published on `127.0.0.1`. `swarm`: one Swarm service per replica across the ' +
      'nodes of the swarm whose manager `DOCKER_HOST` names, reached at its node\'s address (see "Beyond one host")',
  },
  swarmHeartbeatMs: {
    name: 'swarmHeartbeat',
    flag: '--swarm-heartbeat',
    type: optionalDuration,
    default: null,
    help: "with --runtime swarm: set the swarm's node heartbeat (Dispatcher.HeartbeatPeriod; 1s sees a dead node in 2-4 s, swarm's 5s in 11-13 s)",
    doc:
      'with `--runtime swarm`: set the swarm\'s node heartbeat (`Dispatcher.HeartbeatPeriod`, for the whole swarm) at start. `1s` sees a dead ' +
      'node in 2–4 s, Swarm\'s default `5s` in 11–13 s. Unset: the swarm\'s setting is left as it is',
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
  deployParallel: {
    name: 'deployParallel',
    flag: '--deploy-parallel',
    type: int(1),
    default: 1,
    help: 'old replicas a deploy replaces at once (each new one starts first and must answer 200)',
  },
  deployVerifyMs: {
    name: 'deployVerify',
    flag: '--deploy-verify',
    type: duration,
    default: 10_000,
    help: 'a new replica failing a health check this soon after joining rolls the deploy back',
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
  networks: {
    name: 'network',
    flag: '--network',
    type: listOf('NAME', 'the name of an existing Docker network', networkProblem),
    default: [],
    repeatable: true,
    help: 'join this existing network (repeatable; the first at create, the others before start); ports stay published on 127.0.0.1',
    doc:
      'join this existing Docker network (repeatable: the first at create, the others before start), so the app reaches other containers by name; ' +
      'the container port is still published on `127.0.0.1`. A network that does not exist stops the start (exit 1) before any container is created',
  },
  volumes: {
    name: 'volume',
    flag: '--volume',
    type: listOf('SOURCE:TARGET[:ro]', 'SOURCE:TARGET[:ro]', volumeProblem),
    default: [],
    repeatable: true,
    help: 'mount a named volume or an absolute host path (repeatable; :ro read-only)',
    doc: 'mount a named volume (created when missing, as `docker run` does) or an absolute host path at TARGET (repeatable; `:ro` read-only)',
  },
  command: {
    name: 'command',
    flag: '--command',
    type: argv('COMMAND [ARG...]', '["node", "server.js"]'),
    default: null,
    defaultText: "the image's CMD",
    positional: true,
    help: "the container's command: every word after -- (docker-symphony --image app:1 -- node server.js --port 80)",
    doc:
      'the container\'s command: every word after `--` on the command line (`docker-symphony --image app:1 -- node server.js --port 80`); ' +
      '`"command": ["node", "server.js"]` in a config file',
  },
  entrypoint: {
    name: 'entrypoint',
    flag: '--entrypoint',
    type: argv('COMMAND', '["/usr/bin/tini", "--"]'),
    default: null,
    defaultText: "the image's",
    help: "replace the image's ENTRYPOINT (its CMD too, as docker run does; give the command after --)",
    doc: "replace the image's ENTRYPOINT (and with it its CMD, as `docker run` does: give the command after `--`); a list of words in a config file",
  },
  labels: {
    name: 'label',
    flag: '--label',
    type: listOf('KEY=VALUE', 'KEY=VALUE', labelProblem),
    default: [],
    repeatable: true,
    help: 'label every container (repeatable; the docker-symphony. prefix is reserved)',
    doc: 'label every container (repeatable; the `docker-symphony.` prefix is reserved)',
  },
  user: {
    name: 'user',
    flag: '--user',
    type: optionalText('USER[:GROUP]', /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*(:[a-zA-Z0-9_][a-zA-Z0-9_.-]*)?$/, 'a user name or uid, optionally :group or :gid'),
    default: null,
    defaultText: "the image's",
    help: 'user (name or uid, optionally :group) the process runs as',
  },
  workdir: {
    name: 'workdir',
    flag: '--workdir',
    type: optionalText('PATH', /^\/\S*$/, 'an absolute path inside the container'),
    default: null,
    defaultText: "the image's",
    help: 'working directory inside the container',
  },
  envFile: {
    name: 'envFile',
    flag: '--env-file',
    type: list('FILE', /\S/, 'a file name'),
    default: [],
    repeatable: true,
    help: 'read environment from a file of KEY=VALUE lines (# comments; KEY alone takes it from our environment); --env wins',
    doc:
      "add the environment in FILE, docker's format: `KEY=VALUE` lines, `#` comments, `KEY` alone takes its value from Docker Symphony's environment (repeatable; `--env` wins)",
  },
  readOnly: { name: 'readOnly', flag: '--read-only', type: bool, default: false, help: "mount the container's root filesystem read-only" },
  tmpfs: {
    name: 'tmpfs',
    flag: '--tmpfs',
    type: listOf('PATH[:OPTIONS]', 'PATH[:OPTIONS]', tmpfsProblem),
    default: [],
    repeatable: true,
    help: 'mount a tmpfs at PATH, e.g. /tmp:size=64m (repeatable)',
    doc: 'mount a tmpfs at PATH, e.g. `/tmp:size=64m` (repeatable)',
  },
  capAdd: {
    name: 'capAdd',
    flag: '--cap-add',
    type: listOf('CAP', 'a capability name', capabilityProblem),
    default: [],
    repeatable: true,
    help: 'add a Linux capability (repeatable)',
  },
  capDrop: {
    name: 'capDrop',
    flag: '--cap-drop',
    type: listOf('CAP', 'a capability name', capabilityProblem),
    default: [],
    repeatable: true,
    help: 'drop a Linux capability, e.g. ALL (repeatable)',
  },
  securityOpt: {
    name: 'securityOpt',
    flag: '--security-opt',
    type: list('OPT', /^\S+$/, 'an option such as no-new-privileges or seccomp=unconfined'),
    default: [],
    repeatable: true,
    help: 'security option, e.g. no-new-privileges (repeatable)',
  },
  init: { name: 'init', flag: '--init', type: bool, default: false, help: 'run an init process that forwards signals and reaps zombies' },
  stopSignal: {
    name: 'stopSignal',
    flag: '--stop-signal',
    type: optionalText('SIGNAL', /^(SIG[A-Z0-9+-]+|[A-Z][A-Z0-9+-]*|\d+)$/, 'a signal such as SIGTERM, SIGQUIT or 15'),
    default: null,
    defaultText: "the image's, else SIGTERM",
    help: 'signal that stops a container (then SIGKILL after --stop-timeout)',
    doc: 'signal that stops a container (then `SIGKILL` after `--stop-timeout`)',
  },
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
