// Where Docker Symphony's CPU goes under the benchmark's GET load: a separate instance
// (its own two containers) under `node --cpu-prof`, wrk for a few seconds, then the
// profile summarised by file and by function. Separate, because the profiler slows the
// process it watches: none of the side-by-side figures come from a profiled process.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { selfByFile, summariseProfile } from './profile-top.js';
import type { CpuProfile } from './profile-top.js';
import { startSymphony } from './symphony-process.js';
import type { CliSource } from './symphony-process.js';
import { runWrk, wrkArgs } from './wrk.js';

/** The busiest files and functions of the profile, in percent of busy time. */
export interface ProfileSummary {
  readonly seconds: number;
  readonly requests: number;
  readonly files: readonly { readonly file: string; readonly selfPct: number }[];
  readonly functions: readonly { readonly name: string; readonly selfPct: number; readonly totalPct: number }[];
}

/** Runs a profiled Symphony under `seconds` of wrk (after a 2 s warm-up) and summarises its profile. */
export async function profileSymphony(opts: { readonly root: string; readonly source: CliSource; readonly image: string; readonly scriptPath: string; readonly path: string; readonly connections: number; readonly seconds: number; readonly top: number }): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(os.tmpdir(), 'symphony-prof-'));
  try {
    const sym = await startSymphony({ root: opts.root, source: opts.source, prefix: 'prof', image: opts.image, flags: ['--min', '2', '--max', '2', '--stop-timeout', '2s'], readyCount: 2, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
    let requests = 0;
    try {
      const url = `http://127.0.0.1:${sym.port}${opts.path}`;
      await runWrk(wrkArgs(url, opts.scriptPath, opts.connections, 2), 2);
      requests = (await runWrk(wrkArgs(url, opts.scriptPath, opts.connections, opts.seconds), opts.seconds)).requests;
    } finally {
      await sym.stop(); // a clean exit writes the profile
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no .cpuprofile in ${dir}: the CLI did not exit cleanly`);
    const lines = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    return {
      seconds: opts.seconds,
      requests,
      files: selfByFile(lines).slice(0, opts.top),
      functions: [...lines].sort((a, b) => b.selfPct - a.selfPct).slice(0, opts.top).map(({ name, selfPct, totalPct }) => ({ name, selfPct, totalPct })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
