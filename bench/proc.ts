// What a process costs, read from Linux's /proc: CPU time (utime + stime, in clock
// ticks) and resident memory. The parsers are pure; the readers do the I/O.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * utime + stime (fields 14 and 15) of a /proc/PID/stat line, in clock ticks. The command
 * name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function parseStatTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/PID/stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  // After ')' come field 3 (state) onwards: utime is field 14, i.e. index 11 here.
  const rest = stat.slice(close + 2).trim().split(/\s+/);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in /proc/PID/stat: ${JSON.stringify(stat.slice(0, 120))}`);
  return utime + stime;
}

/** VmRSS of a /proc/PID/status text, in KiB (0 for a zombie, which has none). */
export function parseRssKiB(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match === null ? 0 : Number(match[1]);
}

/** CPU time the process has used so far, in clock ticks. */
export function cpuTicks(pid: number): number {
  return parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Resident memory of the process now, in KiB. */
export function rssKiB(pid: number): number {
  return parseRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Clock ticks per second (`getconf CLK_TCK`), the unit of /proc/PID/stat times. */
export function clockTicksPerSecond(): number {
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(hz) || hz <= 0) throw new Error(`getconf CLK_TCK gave ${hz}`);
  return hz;
}
