// The one typed configuration of a Symphony, and how it is resolved from layers of
// raw values (the library's options; or the environment, a JSON file and flags) with
// the table of options in options.ts. Every problem is reported at once, naming each
// option the way the user wrote it. Pure: the CLI reads argv, files and the environment
// and hands plain values in; everything below takes a SymphonyConfig.
// Longer than ~350 lines: the SymphonyConfig fields each carry their doc comment.
import { SymphonyError } from './errors.js';
import { duration, Expected } from './option-types.js';
import { OPTIONS, type OptionDef } from './options.js';
import { nearest } from './suggest.js';

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
  /** Scale down only to the highest count asked for during this long; 0: at once. @default 0 */
  readonly scaleDownDelayMs: number;
  /** @default 1 */
  readonly min: number;
  /** @default 10 */
  readonly max: number;
  /** Publish containers on these host ports instead of ephemeral ones. */
  readonly hostPorts: PortRange | null;
  /** What runs the replicas: containers on one engine, or one service per replica on a swarm. @default docker */
  readonly runtime: 'docker' | 'swarm';
  /** With the swarm runtime: the swarm's node heartbeat to set at start; null leaves it. @default null */
  readonly swarmHeartbeatMs: number | null;
  /** How long a container leaving rotation may finish its in-flight requests. @default 30s */
  readonly drainTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when a container is stopped. @default 10s */
  readonly stopTimeoutMs: number;
  /** How long a new container has to answer 200 on the health API. @default 60s */
  readonly startupTimeoutMs: number;
  /** Old replicas a deploy replaces at once. @default 1 */
  readonly deployParallel: number;
  /** A new replica failing a health check this soon after joining rolls the deploy back. @default 10s */
  readonly deployVerifyMs: number;
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
  /** Networks every container joins (the first at create, the others before start). */
  readonly networks: readonly string[];
  /** `SOURCE:TARGET[:ro]` mounts: a named volume or an absolute host path. */
  readonly volumes: readonly string[];
  /** The container's command (the CLI's words after `--`); null: the image's CMD. */
  readonly command: readonly string[] | null;
  /** Replaces the image's ENTRYPOINT (and with it its CMD, as `docker run` does); null: the image's. */
  readonly entrypoint: readonly string[] | null;
  /** `KEY=VALUE` labels on every container (the `docker-symphony.` prefix is reserved). */
  readonly labels: readonly string[];
  /** `USER[:GROUP]` the process runs as; null: the image's. */
  readonly user: string | null;
  /** Working directory inside the container; null: the image's. */
  readonly workdir: string | null;
  /** Files of `KEY=VALUE` lines added to the environment (before `env`, which wins). */
  readonly envFile: readonly string[];
  /** Mount the container's root filesystem read-only. @default false */
  readonly readOnly: boolean;
  /** `PATH[:OPTIONS]` tmpfs mounts. */
  readonly tmpfs: readonly string[];
  /** Linux capabilities added. */
  readonly capAdd: readonly string[];
  /** Linux capabilities dropped. */
  readonly capDrop: readonly string[];
  /** Security options, e.g. `no-new-privileges`. */
  readonly securityOpt: readonly string[];
  /** Run an init process (PID 1) that forwards signals and reaps zombies. @default false */
  readonly init: boolean;
  /** Signal that stops a container; null: the image's STOPSIGNAL, else SIGTERM. */
  readonly stopSignal: string | null;
  /** @default text on a TTY, json otherwise (decided by the CLI) */
  readonly logFormat: 'text' | 'json';
  /** @default info */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** What embedders pass: only `image` is required. Durations in milliseconds. */
export type SymphonyOptions = { readonly image: string } & Partial<Omit<SymphonyConfig, 'image'>>;

/** One thing wrong with the options. */
export interface ConfigIssue {
  /** The option as the user wrote it: `--window` (flag), `"window"` (config file), `windowMs` (library). */
  readonly option: string;
  /** The value given (absent when there was none, or it is secret). */
  readonly value?: unknown;
  /** What would have been accepted. */
  readonly expected: string;
  /** The config file the option came from. */
  readonly file?: string;
  /** The whole sentence, as printed. */
  readonly message: string;
}

/** Options that cannot be used; `issues` lists every problem found. The CLI exits with status 2. */
export class ConfigError extends SymphonyError {
  override readonly name = 'ConfigError';
  declare readonly code: 'CONFIG_INVALID';
  /** Every problem, in the order of --help. */
  readonly issues: readonly ConfigIssue[];
  /** The first problem's option, value and expectation. */
  readonly option: string;
  readonly value: unknown;
  readonly expected: string;

  constructor(issues: readonly [ConfigIssue, ...ConfigIssue[]]) {
    const [first] = issues;
    super(
      'CONFIG_INVALID',
      issues.length === 1 ? first.message : `${issues.length} problems with the options:\n${issues.map((i) => `  - ${i.message}`).join('\n')}`,
    );
    this.issues = issues;
    this.option = first.option;
    this.value = first.value;
    this.expected = first.expected;
  }
}

/** Shows a value the way the user wrote it (strings quoted). */
export function showValue(value: unknown): string {
  return typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) ?? String(value) : String(value);
}

/** An issue for a value that cannot be used: `invalid --window "-1s": expected a duration greater than zero`. */
export function invalidIssue(fields: { option: string; value?: unknown; expected: string; file?: string; secret?: boolean }): ConfigIssue {
  const shown = fields.value === undefined || fields.secret ? '' : ` ${showValue(fields.value)}`;
  return {
    option: fields.option,
    ...(fields.value === undefined || fields.secret ? {} : { value: fields.value }),
    expected: fields.expected,
    ...(fields.file === undefined ? {} : { file: fields.file }),
    message: `${fields.file === undefined ? '' : `${fields.file}: `}invalid ${fields.option}${shown}: expected ${fields.expected}`,
  };
}

/** An issue for a name that is not an option, with the nearest one when there is a likely typo. */
export function unknownIssue(fields: { option: string; suggestion?: string | undefined; file?: string }): ConfigIssue {
  const hint = fields.suggestion === undefined ? ' (see docker-symphony --help)' : `; did you mean ${fields.suggestion}?`;
  return {
    option: fields.option,
    expected: 'a known option',
    ...(fields.file === undefined ? {} : { file: fields.file }),
    message: `${fields.file === undefined ? '' : `${fields.file}: `}unknown option ${fields.option}${hint}`,
  };
}

/** Where a layer of raw values came from; it decides how names are read and shown. */
export type OptionSource =
  /** Command-line flags, keyed by option name (`window`), values as text. */
  | { readonly kind: 'flags' }
  /** A JSON config file, keyed by option name or flag without dashes (`container-port`). */
  | { readonly kind: 'file'; readonly path: string }
  /** Environment variables, keyed by variable (`SYMPHONY_ADMIN_TOKEN`). */
  | { readonly kind: 'env' }
  /** The library's options, keyed by SymphonyConfig field (`windowMs`), durations in ms. */
  | { readonly kind: 'library' };

/** Raw values from one source; later layers win over earlier ones. */
export interface OptionLayer {
  readonly source: OptionSource;
  readonly values: Readonly<Record<string, unknown>>;
  /** Problems already found while reading the source (unknown flags, missing values). */
  readonly issues?: readonly ConfigIssue[];
  /** The source could not be read (a broken config file): what it may hold is not reported missing. */
  readonly unreadable?: boolean;
}

interface Supplied {
  readonly value: unknown;
  /** The name as the user wrote it, for messages. */
  readonly label: string;
  readonly source: OptionSource;
}

const BY_KEY = new Map<string, OptionDef>(OPTIONS.map((o) => [o.key, o]));
const BY_NAME = new Map<string, OptionDef>(OPTIONS.flatMap((o) => [[o.name, o] as const, [o.flag.slice(2), o] as const]));
const BY_ENV = new Map<string, OptionDef>(OPTIONS.flatMap((o) => (o.env ? [[o.env, o] as const] : [])));

function fileOf(source: OptionSource): string | undefined {
  return source.kind === 'file' ? source.path : undefined;
}

// Every spelling of every option (name, flag without dashes, library key), for "did you mean".
const SPELLINGS = new Map<string, OptionDef>(OPTIONS.flatMap((o) => [[o.name, o] as const, [o.flag.slice(2), o] as const, [o.key, o] as const]));

/** The option a raw key names in this source, or an issue saying it names none (with the likely one). */
function lookUp(key: string, source: OptionSource): OptionDef | ConfigIssue {
  const found = source.kind === 'library' ? BY_KEY.get(key) : source.kind === 'env' ? BY_ENV.get(key) : BY_NAME.get(key);
  if (found) return found;
  if (source.kind === 'env') return unknownIssue({ option: key });
  // A spelling from another source (`window` in the library, `windowMs` in a file) means that option.
  const spelling = SPELLINGS.has(key) ? key : nearest(key, SPELLINGS.keys());
  const meant = spelling === undefined ? undefined : SPELLINGS.get(spelling);
  if (source.kind === 'library') {
    const unit = meant?.type === duration ? ' (milliseconds)' : '';
    return unknownIssue({ option: JSON.stringify(key), suggestion: meant && `${JSON.stringify(meant.key)}${unit}` });
  }
  const style = (o: OptionDef): string => (key.includes('-') ? o.flag.slice(2) : o.name);
  if (source.kind === 'flags') return unknownIssue({ option: `--${key}`, suggestion: meant?.flag });
  const unit = meant?.type === duration && spelling === meant.key ? ' (a duration with a unit, such as "120s")' : '';
  return unknownIssue({ option: JSON.stringify(key), suggestion: meant && `${JSON.stringify(style(meant))}${unit}`, file: source.path });
}

function labelOf(option: OptionDef, key: string, source: OptionSource): string {
  switch (source.kind) {
    case 'flags':
      return option.flag;
    case 'file':
      return JSON.stringify(key);
    case 'env':
      return key;
    case 'library':
      return option.key;
  }
}

/**
 * Turns layers of raw values into a validated SymphonyConfig: later layers win, absent
 * options take their default. Throws one ConfigError listing every problem.
 */
export function resolveConfig(layers: readonly OptionLayer[], context: { isTTY?: boolean } = {}): SymphonyConfig {
  const issues: ConfigIssue[] = [];
  const supplied = new Map<OptionDef, Supplied>();
  for (const layer of layers) {
    issues.push(...(layer.issues ?? []));
    for (const [key, value] of Object.entries(layer.values)) {
      const found = lookUp(key, layer.source);
      if (!('flag' in found)) {
        issues.push(found);
        continue;
      }
      // undefined is "not given" (JavaScript callers spread optional fields).
      if (value !== undefined) supplied.set(found, { value, label: labelOf(found, key, layer.source), source: layer.source });
    }
  }

  const config: Record<string, unknown> = {};
  const valid = new Set<OptionDef>();
  const isTTY = context.isTTY === true;
  for (const option of OPTIONS) {
    const given = supplied.get(option);
    if (given) {
      try {
        config[option.key] = given.source.kind === 'library' ? option.type.accept(given.value) : option.type.parse(given.value);
        valid.add(option);
      } catch (err) {
        if (!(err instanceof Expected)) throw err;
        const file = fileOf(given.source);
        issues.push(invalidIssue({ option: given.label, value: given.value, expected: err.message, ...(file === undefined ? {} : { file }), secret: option.secret === true }));
      }
    } else if ('default' in option) {
      const fallback = option.default;
      config[option.key] = typeof fallback === 'function' ? fallback({ config: config as Partial<SymphonyConfig>, isTTY }) : fallback;
      valid.add(option);
    } else if (!issues.some((i) => i.option === option.flag) && !layers.some((l) => l.unreadable)) {
      // (A flag given without its value, or a file that cannot be read, was reported already.)
      issues.push(requiredIssue(option, layers));
    }
  }
  if (issues.length === 0) issues.push(...crossChecks(config as unknown as SymphonyConfig, supplied));
  const [first, ...rest] = issues;
  if (first) throw new ConfigError([first, ...rest]);
  return config as unknown as SymphonyConfig;
}

function requiredIssue(option: OptionDef, layers: readonly OptionLayer[]): ConfigIssue {
  const expected = option.key === 'image' ? 'an image reference such as my-api:latest' : 'a value';
  if (layers.some((l) => l.source.kind === 'library')) {
    return { option: option.key, expected, message: `${option.key} is required: ${expected}` };
  }
  const files = layers.flatMap((l) => (l.source.kind === 'file' ? [l.source.path] : []));
  const orFile = files.length > 0 ? ` (or "${option.name}" in ${files.join(', ')})` : '';
  return { option: option.flag, expected, message: `${option.flag} is required${orFile}: ${expected}` };
}

// Rules between options. Each names the option the user gave (never one they did not).
function crossChecks(config: SymphonyConfig, supplied: ReadonlyMap<OptionDef, Supplied>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const option = (key: keyof SymphonyConfig): OptionDef => BY_KEY.get(key) as OptionDef;
  const show = (key: keyof SymphonyConfig): string => (option(key).type.show as (v: unknown) => string)(config[key]);
  const ref = (key: keyof SymphonyConfig, noun: string): string => {
    const given = supplied.get(option(key));
    return given ? `${given.label} (${show(key)})` : `${noun} (${show(key)}, the default)`;
  };
  const blame = (key: keyof SymphonyConfig, expected: string): void => {
    const given = supplied.get(option(key));
    const file = given ? fileOf(given.source) : undefined;
    issues.push(
      invalidIssue({ option: given?.label ?? option(key).flag, value: given?.value, expected, ...(file === undefined ? {} : { file }), secret: option(key).secret === true }),
    );
  };

  if (config.healthTimeoutMs >= config.healthIntervalMs) {
    if (supplied.has(option('healthTimeoutMs'))) blame('healthTimeoutMs', `a duration below ${ref('healthIntervalMs', 'the health interval')}`);
    else blame('healthIntervalMs', `a duration longer than ${ref('healthTimeoutMs', 'the health timeout')}`);
  }
  if (config.max < config.min) {
    if (supplied.has(option('max'))) blame('max', `a number not below ${ref('min', 'the minimum')}`);
    else blame('min', `a number not above ${ref('max', 'the maximum')}`);
  }
  if (config.hostPorts && config.hostPorts.last - config.hostPorts.first + 1 < config.max) {
    blame('hostPorts', `a range of at least ${ref('max', 'the maximum')} ports`);
  }
  if (config.runtime === 'swarm') {
    // Swarm picks each node's published port, and has no per-service security options.
    if (config.hostPorts) blame('hostPorts', `no fixed ports with ${ref('runtime', 'the runtime')}: each swarm node's engine picks a free port`);
    if (config.securityOpt.length > 0) blame('securityOpt', `none with ${ref('runtime', 'the runtime')}: Swarm services take no --security-opt`);
  } else if (config.swarmHeartbeatMs !== null) {
    blame('swarmHeartbeatMs', `no value unless --runtime is swarm (now ${ref('runtime', 'the runtime')})`);
  }
  // The engine refuses a second endpoint on one network, or two mounts on one target, only at create.
  const twice = (items: readonly string[]): string | undefined => items.find((item, i) => items.indexOf(item) !== i);
  const network = twice(config.networks);
  if (network !== undefined) blame('networks', `each network once (${JSON.stringify(network)} is given twice)`);
  const target = twice([...config.volumes.map((v) => v.split(':')[1] ?? ''), ...config.tmpfs.map((t) => t.split(':')[0] ?? '')]);
  if (target !== undefined) blame(config.volumes.some((v) => v.split(':')[1] === target) ? 'volumes' : 'tmpfs', `one mount per target (${JSON.stringify(target)} is mounted twice)`);
  return issues;
}

/** The library's options (durations in ms) over the defaults, validated like flags; unknown keys are refused. */
export function configFromOptions(options: SymphonyOptions): SymphonyConfig {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError([invalidIssue({ option: 'options', value: options, expected: 'an object such as { image: "my-api:latest" }' })]);
  }
  return resolveConfig([{ source: { kind: 'library' }, values: options }]);
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
