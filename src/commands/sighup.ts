// SIGHUP in the running orchestrator: read the options again (the --config file may
// have changed), deploy a changed image or env through symphony.deploy(), and log
// what happened, including options that changed but need a restart. The reading and
// the deploy are passed in, so this is tested without an engine.
import type { SymphonyConfig } from '../config.js';
import type { LogLevel } from '../log.js';
import type { DeployStatus } from '../status.js';
import { configChanges, describeDeploy, type ConfigChanges, type DeployableFields } from './reload.js';

/** How one SIGHUP ended. */
export type ReloadOutcome = 'skipped' | 'invalid' | 'unchanged' | 'succeeded' | 'rolled-back' | 'failed';

/** What a Reloader works with. */
export interface ReloaderOptions {
  /** The --config file (null: none was given, so nothing can change). */
  readonly file: string | null;
  /** The config the process started with. */
  readonly running: SymphonyConfig;
  /** Reads the options again (environment, file, flags); throws a ConfigError for bad ones. */
  readonly read: () => SymphonyConfig;
  /** Where the orchestrator is: a reload applies only while it runs. */
  readonly state: () => 'starting' | 'running' | 'stopping';
  /** symphony.deploy(). */
  readonly deploy: (changes: ConfigChanges['deploy']) => Promise<DeployStatus>;
  /** Writes one log line. */
  readonly say: (level: LogLevel, event: string, message: string, fields: Record<string, unknown>) => void;
}

/** Applies a SIGHUP; remembers what the last successful deploy put in place. */
export class Reloader {
  readonly #o: ReloaderOptions;
  #applied: DeployableFields;

  constructor(options: ReloaderOptions) {
    this.#o = options;
    this.#applied = { image: options.running.image, env: options.running.env };
  }

  /** The image and env now in place (the start's, or the last deploy's that succeeded). */
  get applied(): DeployableFields {
    return this.#applied;
  }

  /** Reads the config again and deploys what changed; never throws (every outcome is logged). */
  async reload(): Promise<ReloadOutcome> {
    const { file, say } = this.#o;
    if (file === null) {
      say('warn', 'cli.reload_skipped', 'SIGHUP: there is no --config file to read again; nothing changed', {});
      return 'skipped';
    }
    const state = this.#o.state();
    if (state !== 'running') {
      say('warn', 'cli.reload_skipped', `SIGHUP: ignored while ${state === 'starting' ? 'starting; send it again once it runs' : 'shutting down'}`, { file });
      return 'skipped';
    }
    let next: SymphonyConfig;
    try {
      next = this.#o.read();
    } catch (err) {
      say('error', 'cli.reload_invalid', `SIGHUP: ${file} not applied, the running options stay: ${describe(err)}`, { file });
      return 'invalid';
    }
    const changes = configChanges(this.#o.running, this.#applied, next);
    if (changes.restart.length > 0) {
      say('warn', 'cli.reload_needs_restart', `SIGHUP: ${changes.restart.join(', ')} changed in ${file}; only a restart applies ${changes.restart.length === 1 ? 'it' : 'them'}`, {
        file,
        options: changes.restart,
      });
    }
    if (Object.keys(changes.deploy).length === 0) {
      say('info', 'cli.reload_unchanged', `SIGHUP: nothing deployable (image, env) changed in ${file}`, { file });
      return 'unchanged';
    }
    const what = describeDeploy(this.#applied, changes.deploy);
    say('info', 'cli.reload_deploy', `SIGHUP: deploying ${what}`, { file });
    try {
      const result = await this.#o.deploy(changes.deploy);
      if (result.state === 'succeeded') {
        this.#applied = { image: changes.deploy.image ?? this.#applied.image, env: changes.deploy.env ?? this.#applied.env };
        say('info', 'cli.reload_done', `SIGHUP: deploy #${result.id} succeeded: ${what}`, { file, deploy: result.id });
        return 'succeeded';
      }
      say('error', 'cli.reload_rolled_back', `SIGHUP: deploy #${result.id} rolled back: ${result.reason ?? 'the new version failed'}; the previous version serves`, {
        file,
        deploy: result.id,
      });
      return 'rolled-back';
    } catch (err) {
      const busy = (err as { code?: unknown } | null)?.code === 'DEPLOY_IN_PROGRESS';
      say(busy ? 'warn' : 'error', 'cli.reload_failed', `SIGHUP: ${what} not deployed: ${describe(err)}${busy ? '; send SIGHUP again when it has ended' : ''}`, { file });
      return 'failed';
    }
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code !== 'CONFIG_INVALID' ? `${err.message} [${code}]` : err.message;
}
