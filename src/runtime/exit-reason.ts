// How an engine event that ends a container reads in a log line. Pure.

/** `exited with code 3`, `killed: out of memory`, `removed from the engine`. */
export function exitReason(action: string, exitCode?: string): string {
  if (action === 'oom') return 'killed: out of memory';
  if (action === 'destroy') return 'removed from the engine';
  return `exited${exitCode ? ` with code ${exitCode}` : ''}`;
}
