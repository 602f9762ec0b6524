// `docker-symphony deploy`: POST /api/deploy, then poll /api/status every 500 ms and
// print a line whenever the deploy moves, until it succeeded (exit 0) or rolled back
// (exit 1). Ctrl-C stops only the following: the deploy goes on in the orchestrator.
import { AdminClient, AdminRequestError, AdminUnreachableError } from './admin-client.js';
import { DEPLOY_HELP, parseDeployArgs } from './command-args.js';
import { exitCodeOf, progressKey, progressLine, startLine } from './deploy-format.js';
import { message, type CommandIO } from './status.js';

/** How the following is paced (injectable for tests). */
export interface DeployPacing {
  /** Between polls. @default 500 */
  readonly pollMs?: number;
  /** Waits `ms`. @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Polls that may fail in a row (the orchestrator restarting, a slow answer) before giving up. @default 20 */
  readonly maxFailedPolls?: number;
}

/** Runs `deploy` (argv after the word `deploy`); resolves with the exit status: 0 succeeded, 1 rolled back or failed, 2 for a bad flag. */
export async function runDeploy(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CommandIO,
  pacing: DeployPacing = {},
): Promise<number> {
  const fail = (text: string): number => {
    io.stderr.write(`docker-symphony deploy: ${text}\n`);
    return 1;
  };
  let args;
  try {
    args = parseDeployArgs(argv, env);
  } catch (err) {
    io.stderr.write(`docker-symphony deploy: ${message(err)}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout.write(`${DEPLOY_HELP}\n`);
    return 0;
  }
  const now = io.now ?? Date.now;
  const pollMs = pacing.pollMs ?? 500;
  const sleep = pacing.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxFailed = pacing.maxFailedPolls ?? 20;
  const client = new AdminClient({ url: args.url, token: args.token });

  let deploy;
  try {
    deploy = await client.deploy({ ...(args.image !== undefined ? { image: args.image } : {}), ...(args.env !== undefined ? { env: args.env } : {}) });
  } catch (err) {
    if (err instanceof AdminRequestError && err.code === 'DEPLOY_IN_PROGRESS') {
      return fail(`a deploy is already running: ${err.message}`);
    }
    if (err instanceof AdminRequestError && (err.status === 404 || err.status === 405)) {
      return fail(`this orchestrator does not take deploys (${err.message}); it may be older than the deploy command — restart it with the new version instead`);
    }
    return fail(message(err));
  }
  const id = deploy.id;
  io.stdout.write(`${startLine(deploy)}\n`);
  let shown = '';
  let failedPolls = 0;
  for (;;) {
    const key = progressKey(deploy);
    if (key !== shown) {
      shown = key;
      io.stdout.write(`${progressLine(deploy, now())}\n`);
    }
    const code = exitCodeOf(deploy);
    if (code === 1) return fail(`rolled back: ${deploy.reason ?? 'the new version failed'}`);
    if (code === 0) return 0;
    await sleep(pollMs);
    let status;
    try {
      status = await client.status();
      failedPolls = 0;
    } catch (err) {
      if (!(err instanceof AdminUnreachableError) || ++failedPolls >= maxFailed) {
        return fail(`lost the orchestrator while following deploy #${id}: ${message(err)}; it may still be running (docker-symphony status)`);
      }
      continue;
    }
    const current = status.deploy;
    if (current === undefined || current === null) return fail(`the orchestrator no longer reports deploy #${id} (was it restarted?)`);
    if (current.id !== id) return fail(`deploy #${id} is no longer the orchestrator's deploy: #${current.id} is (${current.state})`);
    deploy = current;
  }
}
