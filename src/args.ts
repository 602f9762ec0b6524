// The command line: argv → a layer of raw option values (node:util's parseArgs does the
// tokenizing), and the text of --help and of the README's options table, all from the
// table in options.ts. No I/O: main.ts reads argv, files and the environment.
import { parseArgs as tokenize } from 'node:util';
import { showValue, unknownIssue, type ConfigIssue, type OptionLayer } from './config.js';
import { defaultText, OPTIONS, type OptionDef } from './options.js';
import { nearest } from './suggest.js';

/** What the command line asked for. */
export type ParsedArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run';
      /** The flags as a layer for resolveConfig (keyed by option name), with the problems found reading them. */
      readonly layer: OptionLayer;
      readonly configFile: string | null;
    };

/** Flags that are not options of a Symphony. */
const CLI_FLAGS = {
  config: { arg: 'FILE', help: 'JSON object of options (keys as flags without dashes, or camelCase); flags win' },
  help: { help: 'this text' },
  version: { help: 'the version' },
} as const;

// The command is the words after `--`, not a flag.
const FLAG_OPTIONS = OPTIONS.filter((o) => o.positional !== true);
const COMMAND = OPTIONS.find((o) => o.positional === true);
const BY_FLAG_NAME = new Map<string, OptionDef>(FLAG_OPTIONS.map((o) => [o.flag.slice(2), o]));
const ALL_FLAGS = [...FLAG_OPTIONS.map((o) => o.flag), ...Object.keys(CLI_FLAGS).map((name) => `--${name}`)];

/**
 * Reads argv. `--help` and `--version` win over everything; otherwise every problem
 * (an unknown flag, a flag without its value, a stray word) is collected in the layer.
 * Every word after `--` is the container's command, kept as given.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const dashes = argv.indexOf('--');
  const command = dashes < 0 ? [] : argv.slice(dashes + 1);
  const { tokens } = tokenize({
    args: dashes < 0 ? [...argv] : argv.slice(0, dashes),
    options: {
      ...Object.fromEntries(FLAG_OPTIONS.map((o) => [o.flag.slice(2), { type: o.type.arg === undefined ? ('boolean' as const) : ('string' as const) }])),
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help' };
  if (tokens.some((t) => t.kind === 'option' && t.name === 'version')) return { kind: 'version' };

  const values: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  let configFile: string | null = null;
  let swallowedAt = -1;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      // The word after a flag that took the next flag as its value was already reported.
      if (token.index !== swallowedAt) {
        issues.push({ option: token.value, expected: 'a flag', message: `unexpected argument ${showValue(token.value)}: every option is a flag such as --image (see --help)` });
      }
      continue;
    }
    const option = BY_FLAG_NAME.get(token.name);
    const takesValue = token.name === 'config' || (option !== undefined && option.type.arg !== undefined);
    if (option === undefined && token.name !== 'config') {
      const suggestion = nearest(token.rawName, ALL_FLAGS);
      issues.push(unknownIssue({ option: token.rawName, ...(suggestion ? { suggestion } : {}) }));
      // The word after an unknown flag is most likely its value: one report is enough.
      if (token.value === undefined) swallowedAt = token.index + 1;
      continue;
    }
    const flag = token.rawName;
    const value = token.value;
    if (takesValue && (value === undefined || (!token.inlineValue && value.startsWith('--') && value.length > 2))) {
      issues.push({ option: flag, expected: 'a value after the flag', message: `${flag} needs a value${option?.type.arg ? ` (${option.type.arg})` : ''}` });
      if (value !== undefined) swallowedAt = token.index + 2;
      continue;
    }
    if (token.name === 'config') {
      configFile = value ?? null;
    } else if (option?.repeatable) {
      values[option.name] = [...((values[option.name] as string[] | undefined) ?? []), value];
    } else if (option) {
      // A switch takes no value, but `--keep-containers=false` is clear enough.
      values[option.name] = option.type.arg === undefined ? (value ?? true) : value;
    }
  }
  if (COMMAND && command.length > 0) values[COMMAND.name] = command;
  return { kind: 'run', layer: { source: { kind: 'flags' }, values, issues }, configFile };
}

/** The JSON config file's content as a layer; anything but an object is refused, naming the file. */
export function configFileLayer(json: unknown, file: string): OptionLayer {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const what = json === null ? 'null' : Array.isArray(json) ? 'a list' : `a ${typeof json}`;
    const expected = `a JSON object of options such as {"image": "my-api:latest"}, not ${what}`;
    return {
      source: { kind: 'file', path: file },
      values: {},
      issues: [{ option: '--config', value: file, expected, file, message: `${file}: expected ${expected}` }],
      unreadable: true,
    };
  }
  return { source: { kind: 'file', path: file }, values: json as Record<string, unknown> };
}

function usage(option: OptionDef): string {
  if (option.positional) return `-- ${option.type.arg ?? 'ARG...'}`;
  return `${option.flag}${option.type.arg === undefined ? '' : ` ${option.type.arg}`}`;
}

/** The text of `--help`. */
export function helpText(version: string): string {
  const rows = OPTIONS.map((o) => {
    const def = defaultText(o);
    const tail = def === 'required' ? ' (required)' : o.type.arg === undefined ? '' : ` (default: ${def})`;
    return `  ${usage(o).padEnd(38)} ${o.help}${tail}`;
  });
  return [
    `docker-symphony ${version}: round-robin proxy, request-window autoscaling and health-checked`,
    'replacement for containers that serve a REST API, on one Docker host.',
    '',
    'Usage: docker-symphony --image IMAGE [options] [-- COMMAND [ARG...]]',
    '',
    'Options:',
    ...rows,
    `  ${`--config ${CLI_FLAGS.config.arg}`.padEnd(38)} ${CLI_FLAGS.config.help}`,
    `  ${'--help, --version'.padEnd(38)} ${CLI_FLAGS.help.help}; ${CLI_FLAGS.version.help}`,
    '',
    'Durations: 1500ms, 10s, 2m, 1h.   Exit status: 0 after a clean shutdown (SIGINT/SIGTERM),',
    '1 when it cannot run (no Docker engine, image missing), 2 for a bad option.',
    '',
    'Example: docker-symphony --image my-api:latest --container-port 8080 --listen 8080 --max 5',
  ].join('\n');
}

/** The README's table of options (Markdown), generated from the same table as --help. */
export function optionsMarkdown(): string {
  const code = (s: string): string => `\`${s.replaceAll('|', '\\|')}\``;
  const rows = OPTIONS.map((o) => {
    const def = defaultText(o);
    const shownDefault = def === 'required' || def === 'none' || def === 'off' || o.defaultText !== undefined ? def : code(def);
    return `| ${code(usage(o))} | ${shownDefault} | ${(o.doc ?? o.help).replaceAll('|', '\\|')} |`;
  });
  return [
    '| flag | default | meaning |',
    '|---|---|---|',
    ...rows,
    `| ${code(`--config ${CLI_FLAGS.config.arg}`)} | none | ${CLI_FLAGS.config.help} |`,
  ].join('\n');
}
