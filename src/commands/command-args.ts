// Flags of the subcommands that talk to a running orchestrator (`status`, `deploy`):
// few, so node:util's strict parser reads them, and every problem is one message.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SymphonyError } from '../errors.js';
import { IMAGE_RE } from '../option-types.js';
import { adminUrl, DEFAULT_ADMIN_URL } from './admin-client.js';

/** Where the admin server is and how to get in. */
export interface AdminTarget {
  readonly url: string;
  readonly token: string | null;
}

/** What `docker-symphony status` was asked. */
export interface StatusArgs extends AdminTarget {
  readonly kind: 'status';
  readonly json: boolean;
}

/** What `docker-symphony deploy` was asked. */
export interface DeployArgs extends AdminTarget {
  readonly kind: 'deploy';
  readonly image: string | undefined;
  /** Absent: the running env stays; given: it replaces the running env. */
  readonly env: readonly string[] | undefined;
}

const ADMIN_OPTIONS = {
  admin: { type: 'string' },
  'admin-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The text of `docker-symphony status --help`. */
export const STATUS_HELP = [
  'Usage: docker-symphony status [--admin URL] [--admin-token TOKEN] [--json]',
  '',
  'Shows the running orchestrator: its service, window, desired replicas and why, any deploy',
  'and a table of its containers. Exit status 1 when no orchestrator answers.',
  '',
  `  --admin URL            its admin server (default: ${DEFAULT_ADMIN_URL}; 9901 or HOST:PORT also work)`,
  '  --admin-token TOKEN    the admin token, when it has one (also SYMPHONY_ADMIN_TOKEN)',
  '  --json                 print /api/status as JSON instead',
].join('\n');

/** The text of `docker-symphony deploy --help`. */
export const DEPLOY_HELP = [
  'Usage: docker-symphony deploy --image IMAGE [--env KEY=VALUE …] [--admin URL] [--admin-token TOKEN]',
  '',
  'Rolls the running orchestrator over to a new image and/or environment, one replica at a time,',
  'and follows it: exit status 0 when the new version serves everything, 1 with the reason when',
  'it rolled back (or another deploy is running).',
  '',
  '  --image IMAGE          the image to run',
  '  --env KEY=VALUE        the environment (repeatable); when given it replaces the whole environment',
  `  --admin URL            its admin server (default: ${DEFAULT_ADMIN_URL})`,
  '  --admin-token TOKEN    the admin token, when it has one (also SYMPHONY_ADMIN_TOKEN)',
].join('\n');

/** Reads `status`'s flags (argv without the subcommand); 'help' when --help was given. */
export function parseStatusArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): StatusArgs | 'help' {
  const values = strict(argv, { ...ADMIN_OPTIONS, json: { type: 'boolean' } }, 'status');
  if (values['help'] === true) return 'help';
  return { kind: 'status', ...target(values, env), json: values['json'] === true };
}

/** Reads `deploy`'s flags (argv without the subcommand); 'help' when --help was given. */
export function parseDeployArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DeployArgs | 'help' {
  const values = strict(argv, { ...ADMIN_OPTIONS, image: { type: 'string' }, env: { type: 'string', multiple: true } }, 'deploy');
  if (values['help'] === true) return 'help';
  const image = values['image'] as string | undefined;
  const vars = values['env'] as string[] | undefined;
  if (image === undefined && vars === undefined) {
    throw invalid('deploy needs --image IMAGE (and/or --env KEY=VALUE): what should change?');
  }
  if (image !== undefined && !IMAGE_RE.test(image)) {
    throw invalid(`invalid --image ${JSON.stringify(image)}: expected an image reference such as my-api:2 or registry:5000/team/api:1.3`);
  }
  const bad = vars?.find((v) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(v));
  if (bad !== undefined) throw invalid(`invalid --env ${JSON.stringify(bad)}: expected KEY=VALUE`);
  return { kind: 'deploy', ...target(values, env), image, env: vars };
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function strict(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>, command: string): Values {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    // node:util's messages name the flag; point at the help too.
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw invalid(`${message} (see docker-symphony ${command} --help)`);
  }
}

function target(values: Values, env: Readonly<Record<string, string | undefined>>): AdminTarget {
  const flagToken = values['admin-token'] as string | undefined;
  const envToken = env['SYMPHONY_ADMIN_TOKEN'];
  const token = flagToken !== undefined && flagToken !== '' ? flagToken : envToken !== undefined && envToken !== '' ? envToken : null;
  return { url: adminUrl((values['admin'] as string | undefined) ?? DEFAULT_ADMIN_URL), token };
}

function invalid(message: string): SymphonyError {
  return new SymphonyError('CONFIG_INVALID', message);
}
