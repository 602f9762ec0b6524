// The command line: argv, a JSON config file and the environment are read here,
// once, into a SymphonyConfig; everything else is the library. `status` and `deploy`
// talk to a running orchestrator instead (src/commands/). SIGHUP reads the config
// again and deploys what changed in the image or the environment.
import { readFileSync } from 'node:fs';
import { configFileLayer, helpText, parseArgs } from './args.js';
import { runDeploy } from './commands/deploy.js';
import { Reloader } from './commands/sighup.js';
import { runStatus } from './commands/status.js';
import { ConfigError, invalidIssue, resolveConfig, type OptionLayer, type SymphonyConfig } from './config.js';
import { DockerClient } from './docker/index.js';
import { formatJson, formatText, type LogLevel } from './log.js';
import { OPTIONS } from './options.js';
import { nearest } from './suggest.js';
import { Symphony } from './symphony.js';

/** Where the CLI reads and writes (injectable for tests). */
export interface CliIO {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Subscribes to SIGINT/SIGTERM (shut down) and SIGHUP (re-read --config); returns an unsubscribe. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  /** Clock for the CLI's own log lines. @default Date.now */
  readonly now?: () => number;
}

/** The package version, from package.json next to dist/ or src/. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The subcommands, for --help. */
const COMMANDS_HELP = [
  'Commands (talk to a running orchestrator through its admin server):',
  '  docker-symphony status [--admin URL] [--json]              its service, replicas, any deploy and containers',
  '  docker-symphony deploy --image IMAGE [--env KEY=VALUE …]   roll over to a new version; exit 1 if it rolled back',
  '  (each takes --admin-token TOKEN or SYMPHONY_ADMIN_TOKEN, and --help)',
  '',
  'Signals: SIGINT/SIGTERM shut down; SIGHUP reads --config again and deploys a changed image or env.',
].join('\n');

/**
 * Runs the CLI until the orchestrator stops (or a subcommand ends); resolves with the
 * exit status: 0 after a clean shutdown, 1 when it cannot run, 2 for a bad option.
 */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIO): Promise<number> {
  const command = argv[0];
  if (command === 'status') return runStatus(argv.slice(1), env, io);
  if (command === 'deploy') return runDeploy(argv.slice(1), env, io);
  // A first word that is not a flag is meant as a command: name the real ones.
  if (command !== undefined && /^[a-z][a-z-]*$/.test(command)) {
    const suggestion = nearest(command, ['status', 'deploy']);
    io.stderr.write(`docker-symphony: unknown command ${JSON.stringify(command)}${suggestion ? `; did you mean ${suggestion}?` : ''} (commands: status, deploy; see --help)\n`);
    return 2;
  }
  let symphony: Symphony;
  let config: SymphonyConfig;
  let layers: () => OptionLayer[];
  let configFile: string | null;
  try {
    const parsed = parseArgs(argv);
    if (parsed.kind === 'help') {
      io.stdout.write(`${helpText(packageVersion())}\n\n${COMMANDS_HELP}\n`);
      return 0;
    }
    if (parsed.kind === 'version') {
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    // Later layers win: the environment, then the config file, then flags. SIGHUP reads them again.
    configFile = parsed.configFile;
    layers = () => [envLayer(env), ...(parsed.configFile !== null ? [readConfigFile(parsed.configFile)] : []), parsed.layer];
    config = resolveConfig(layers(), { isTTY: io.stdout.isTTY === true });
    symphony = new Symphony(config, { logStream: io.stdout, docker: DockerClient.fromEnv(env), env });
    if (io.stderr.isTTY) {
      symphony.on('pull-progress', (line: string) => io.stderr.write(`\r\x1b[2Kpulling ${config.image}: ${line.slice(0, 100)}`));
      symphony.once('image.pulled', () => io.stderr.write('\n'));
    }
  } catch (err) {
    io.stderr.write(`docker-symphony: ${describe(err)}\n`);
    return 2;
  }

  // The CLI's own lines go to the log stream in the log's format, so a JSON log stays JSON.
  const format = config.logFormat === 'json' ? formatJson : formatText;
  const now = io.now ?? Date.now;
  const say = (level: LogLevel, event: string, message: string, fields: Record<string, unknown>): void => {
    io.stdout.write(`${format({ time: now(), level, event, message, fields })}\n`);
  };
  let stopping: Promise<void> | null = null;
  let running = false;
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  const reloader = new Reloader({
    file: configFile,
    running: config,
    read: () => resolveConfig(layers(), { isTTY: io.stdout.isTTY === true }),
    state: () => (stopping ? 'stopping' : running ? 'running' : 'starting'),
    deploy: (changes) => symphony.deploy(changes),
    say,
  });
  const unsubscribe = io.onSignal((signal) => {
    if (signal === 'SIGHUP') {
      void reloader.reload();
      return;
    }
    if (stopping) {
      say('warn', 'cli.exit', `${signal} again: exiting now; the next start adopts or removes what is left`, { signal });
      resolveStopped(1);
      return;
    }
    say('info', 'cli.signal', `${signal}: shutting down (${signal} again to exit at once)`, { signal });
    stopping = symphony.stop().then(
      () => resolveStopped(0),
      (err: unknown) => {
        say('error', 'cli.shutdown_failed', `shutdown failed: ${describe(err)}`, { signal });
        resolveStopped(1);
      },
    );
  });
  try {
    await symphony.start();
    running = true;
  } catch (err) {
    // A signal during start (Ctrl-C during an image pull) cancels it: that is a shutdown, not a failure.
    if (stopping === null) {
      unsubscribe();
      io.stderr.write(`docker-symphony: ${describe(err)}\n`);
      return 1;
    }
  }
  const code = await stopped;
  unsubscribe();
  return code;
}

/** SYMPHONY_ADMIN_TOKEN and any other option read from the environment (empty counts as unset). */
function envLayer(env: Readonly<Record<string, string | undefined>>): OptionLayer {
  const values: Record<string, string> = {};
  for (const option of OPTIONS) {
    const value = option.env === undefined ? undefined : env[option.env];
    if (option.env !== undefined && value !== undefined && value !== '') values[option.env] = value;
  }
  return { source: { kind: 'env' }, values };
}

/** The config file as a layer; a file that cannot be read or parsed is an issue naming it. */
function readConfigFile(file: string): OptionLayer {
  const failed = (expected: string): OptionLayer => ({
    source: { kind: 'file', path: file },
    values: {},
    issues: [invalidIssue({ option: '--config', value: file, expected })],
    unreadable: true,
  });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return failed(`a readable file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    return failed(`valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return configFileLayer(json, file);
}

function describe(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.message} [${code}]` : err.message;
  }
  return String(err);
}
