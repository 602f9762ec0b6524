// What a SIGHUP can apply: the config read again, compared with the running one. The
// deployable fields (image, env) go to symphony.deploy(); any other change needs a
// restart, and is named so the operator knows. Pure.
import type { SymphonyConfig } from '../config.js';
import { OPTIONS } from '../options.js';

/** The fields a deploy can change without a restart. */
export interface DeployableFields {
  readonly image: string;
  readonly env: readonly string[];
}

/** What changed between the running config and the one read again. */
export interface ConfigChanges {
  /** For symphony.deploy(): only the fields that changed (empty: nothing to deploy). */
  readonly deploy: { image?: string; env?: readonly string[] };
  /** Flags of the other options that changed (they apply at the next start). */
  readonly restart: readonly string[];
}

/**
 * Compares the deployable fields with `applied` (what the last deploy, or the start,
 * put in place) and every other option with `running` (the config the process started with).
 */
export function configChanges(running: SymphonyConfig, applied: DeployableFields, next: SymphonyConfig): ConfigChanges {
  const deploy: { image?: string; env?: readonly string[] } = {};
  if (next.image !== applied.image) deploy.image = next.image;
  if (!sameList(next.env, applied.env)) deploy.env = next.env;
  const restart = OPTIONS.filter((o) => o.key !== 'image' && o.key !== 'env' && !sameValue(running[o.key], next[o.key])).map((o) => o.flag);
  return { deploy, restart };
}

/** `image my-api:1 → my-api:2, env (3 variables)`: for the log line. Secrets in env stay out of it. */
export function describeDeploy(applied: DeployableFields, deploy: ConfigChanges['deploy']): string {
  const parts: string[] = [];
  if (deploy.image !== undefined) parts.push(`image ${applied.image} → ${deploy.image}`);
  if (deploy.env !== undefined) parts.push(`env (${deploy.env.length} variable${deploy.env.length === 1 ? '' : 's'})`);
  return parts.join(', ');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

// Option values are plain data (strings, numbers, null, lists, { host, port }).
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
