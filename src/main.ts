// The command line: argv, a JSON config file and the environment are read here,
// once, into a SymphonyConfig; everything else is the library.
import { readFileSync } from 'node:fs';
import { optionsFromJson, helpText, parseArgs } from './args.js';
import { ConfigError, resolveConfig } from './config.js';
import { DockerClient } from './docker/index.js';
import { Symphony } from './symphony.js';

/** Where the CLI reads and writes (injectable for tests). */
export interface CliIO {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Subscribes to SIGINT/SIGTERM; returns an unsubscribe. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
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

/**
 * Runs the CLI until the orchestrator stops; resolves with the exit status:
 * 0 after a clean shutdown, 1 when it cannot run, 2 for a bad option.
 */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIO): Promise<number> {
  let symphony: Symphony;
  try {
    const parsed = parseArgs(argv);
    if (parsed.kind === 'help') {
      io.stdout.write(`${helpText(packageVersion())}\n`);
      return 0;
    }
    if (parsed.kind === 'version') {
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const fromFile = parsed.configFile ? optionsFromJson(readJson(parsed.configFile), parsed.configFile) : {};
    const fromEnv = env['SYMPHONY_ADMIN_TOKEN'] ? { adminToken: env['SYMPHONY_ADMIN_TOKEN'] } : {};
    const config = resolveConfig({ ...fromEnv, ...fromFile, ...parsed.options }, { isTTY: io.stdout.isTTY === true });
    symphony = new Symphony(config, { logStream: io.stdout, docker: DockerClient.fromEnv(env) });
    if (io.stderr.isTTY) {
      symphony.on('pull-progress', (line: string) => io.stderr.write(`\r\x1b[2Kpulling ${config.image}: ${line.slice(0, 100)}`));
      symphony.once('image.pulled', () => io.stderr.write('\n'));
    }
  } catch (err) {
    io.stderr.write(`docker-symphony: ${describe(err)}\n`);
    return 2;
  }

  let stopping: Promise<void> | null = null;
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  const unsubscribe = io.onSignal((signal) => {
    if (stopping) {
      io.stderr.write(`docker-symphony: ${signal} again, exiting now; the next start adopts or removes what is left\n`);
      resolveStopped(1);
      return;
    }
    io.stderr.write(`docker-symphony: ${signal}, shutting down (again to exit at once)\n`);
    stopping = symphony.stop().then(
      () => resolveStopped(0),
      (err: unknown) => {
        io.stderr.write(`docker-symphony: shutdown failed: ${describe(err)}\n`);
        resolveStopped(1);
      },
    );
  });
  try {
    await symphony.start();
  } catch (err) {
    unsubscribe();
    io.stderr.write(`docker-symphony: ${describe(err)}\n`);
    return 1;
  }
  const code = await stopped;
  unsubscribe();
  return code;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', file, `a readable file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError('--config', file, `valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !(err instanceof ConfigError) ? `${err.message} [${code}]` : err.message;
  }
  return String(err);
}
