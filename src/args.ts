// Command-line parsing: argv → raw option values keyed like OPTIONS. Pure.
import { ConfigError, OPTIONS, type OptionSpec, type RawOptions } from './config.js';

/** What the command line asked for. */
export type ParsedArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly options: RawOptions; readonly configFile: string | null };

const BY_FLAG = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.flag, o]));

/** Parses `--flag value`, `--flag=value`, repeatable and boolean flags. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: Record<string, unknown> = {};
  let configFile: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version' || arg === '-v') return { kind: 'version' };
    if (!arg.startsWith('--')) throw new ConfigError('argument', arg, 'flags only (see --help)');
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new ConfigError(flag, undefined, 'a value after the flag');
      i++;
      return next;
    };
    if (flag === '--config') {
      configFile = takeValue();
      continue;
    }
    const spec = BY_FLAG.get(flag);
    if (!spec) throw new ConfigError(flag, inline ?? null, `a known flag (see --help)`);
    if (spec.bool) {
      options[spec.key] = inline === undefined ? true : inline;
    } else if (spec.repeat) {
      const list = (options[spec.key] as string[] | undefined) ?? [];
      list.push(takeValue());
      options[spec.key] = list;
    } else {
      options[spec.key] = takeValue();
    }
  }
  return { kind: 'run', options, configFile };
}

/**
 * Reads a JSON config file's object into raw options: keys are option keys
 * (`containerPort`) or flag names without dashes (`container-port`).
 */
export function optionsFromJson(json: unknown, file: string): RawOptions {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('--config', file, 'a JSON object of options');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const spec = OPTIONS.find((o) => o.key === key || o.flag === `--${key}`);
    if (!spec) throw new ConfigError(`--config ${file}: "${key}"`, value, 'a known option (see --help)');
    out[spec.key] = value;
  }
  return out;
}

/** The text of `--help`. */
export function helpText(version: string): string {
  const rows = OPTIONS.map((o) => {
    const left = `  ${o.flag}${'arg' in o && o.arg ? ` ${o.arg}` : ''}`;
    const def = 'def' in o && o.def ? ` (default: ${o.def})` : '';
    return `${left.padEnd(40)} ${o.help}${def}`;
  });
  return [
    `docker-symphony ${version}: round-robin proxy, request-window autoscaling and health-checked`,
    'replacement for containers that serve a REST API, on one Docker host.',
    '',
    'Usage: docker-symphony --image IMAGE [options]',
    '',
    'Options:',
    ...rows,
    `  ${'--config FILE'.padEnd(38)} JSON object of options (keys as flags without dashes, or camelCase); flags win`,
    `  ${'--help, --version'.padEnd(38)} this text; the version`,
    '',
    'Durations: 1500ms, 10s, 2m, 1h.   Exit status: 0 after a clean shutdown (SIGINT/SIGTERM),',
    '1 when it cannot run (no Docker engine, image missing), 2 for a bad option.',
    '',
    'Example: docker-symphony --image my-api:latest --container-port 8080 --listen 8080 --max 5',
  ].join('\n');
}
