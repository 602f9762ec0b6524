// --env-file: docker's env-file format read into `KEY=VALUE` entries. Pure: the caller
// reads the files and hands in the text and the environment (read once, at the edge).
import { ConfigError, invalidIssue, type ConfigIssue, type SymphonyConfig } from './config.js';

/** What one env file held: its entries, or the problems found (with line numbers). */
export interface EnvFileResult {
  readonly entries: readonly string[];
  readonly problems: readonly string[];
}

/**
 * Reads docker's env-file format: one `KEY=VALUE` per line, the value taken as written
 * (quotes included, as docker does); blank lines and lines starting with `#` are
 * skipped; `KEY` alone takes its value from `env`, and is left out when `env` has none.
 */
export function parseEnvFile(text: string, env: Readonly<Record<string, string | undefined>>): EnvFileResult {
  const entries: string[] = [];
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line.trimEnd() : line.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      problems.push(`line ${index + 1}: ${JSON.stringify(key)} is not a variable name (KEY=VALUE, KEY, or a # comment)`);
      return;
    }
    if (eq >= 0) entries.push(line);
    else if (env[key] !== undefined) entries.push(`${key}=${env[key]}`);
  });
  return { entries, problems };
}

/** How the env files are read: the file's text (throws when it cannot be read), and the environment. */
export interface EnvFileIO {
  readonly readFile: (path: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The entries of every `--env-file`, in order; throws one ConfigError naming each file
 * that cannot be read or holds a line that is not a variable.
 */
export function readEnvFiles(config: Pick<SymphonyConfig, 'envFile'>, io: EnvFileIO): string[] {
  const entries: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const file of config.envFile) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (err) {
      issues.push(invalidIssue({ option: '--env-file', value: file, expected: `a readable file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }));
      continue;
    }
    const result = parseEnvFile(text, io.env);
    entries.push(...result.entries);
    for (const problem of result.problems) issues.push(invalidIssue({ option: '--env-file', value: file, expected: `KEY=VALUE lines; ${problem}` }));
  }
  const [first, ...rest] = issues;
  if (first) throw new ConfigError([first, ...rest]);
  return entries;
}
