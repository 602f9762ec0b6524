// `docker-symphony status`: one GET of the running orchestrator's /api/status, printed
// as text (status-format.ts) or as the JSON it is.
import { AdminClient } from './admin-client.js';
import { parseStatusArgs, STATUS_HELP } from './command-args.js';
import { formatStatus } from './status-format.js';

/** Where a subcommand writes, and its clock (injectable for tests). */
export interface CommandIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  /** @default Date.now */
  readonly now?: () => number;
}

/** Runs `status` (argv after the word `status`); resolves with the exit status: 0, 1 when no orchestrator answers, 2 for a bad flag. */
export async function runStatus(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CommandIO): Promise<number> {
  let args;
  try {
    args = parseStatusArgs(argv, env);
  } catch (err) {
    io.stderr.write(`docker-symphony status: ${message(err)}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout.write(`${STATUS_HELP}\n`);
    return 0;
  }
  try {
    const status = await new AdminClient({ url: args.url, token: args.token }).status();
    io.stdout.write(args.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status, (io.now ?? Date.now)())}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`docker-symphony status: ${message(err)}\n`);
    return 1;
  }
}

/** An error's message (every error here says what to do). */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
