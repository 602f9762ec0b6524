// The lines `docker-symphony deploy` prints while it follows a deploy. Pure.
import type { DeployStatus } from '../status.js';
import { age, version } from './status-format.js';

/** What changes between two polls worth a new line: the state and the progress. */
export function progressKey(d: DeployStatus): string {
  return `${d.id} ${d.state} ${d.progress.done}/${d.progress.total}`;
}

/** The first line, right after the orchestrator accepted the deploy. */
export function startLine(d: DeployStatus): string {
  return `deploy #${d.id} started: ${version(d.from.image, d.from.spec)} → ${version(d.to.image, d.to.spec)}, ${d.progress.total} replica(s) to replace`;
}

/** One line for the deploy as it is now. `now` for the elapsed time. */
export function progressLine(d: DeployStatus, now: number): string {
  const elapsed = age((d.endedAt === null ? now : Date.parse(d.endedAt)) - Date.parse(d.startedAt));
  const to = version(d.to.image, d.to.spec);
  const from = version(d.from.image, d.from.spec);
  switch (d.state) {
    case 'running':
      return `deploy #${d.id}: ${d.progress.done}/${d.progress.total} replaced by ${to} (${elapsed})`;
    case 'rolling-back':
      return `deploy #${d.id}: rolling back to ${from}: ${d.reason ?? 'the new version failed'} (${elapsed})`;
    case 'succeeded':
      return `deploy #${d.id} succeeded: ${to} serves everything (${d.progress.total} replaced in ${elapsed})`;
    case 'rolled-back':
      return `deploy #${d.id} rolled back: ${d.reason ?? 'the new version failed'}; ${from} serves everything again (${elapsed})`;
    default:
      return `deploy #${d.id}: ${String((d as { state: unknown }).state)} (${elapsed})`;
  }
}

/** Whether the deploy has ended, and with which exit status. */
export function exitCodeOf(d: DeployStatus): 0 | 1 | null {
  if (d.state === 'succeeded') return 0;
  if (d.state === 'rolled-back') return 1;
  return null;
}
