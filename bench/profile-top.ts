// Where a V8 CPU profile spends its time: `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`.
// Prints the N functions with the most self time, and the N with the most total time
// (self plus callees), by function and file:line. The summary is pure; the CLI reads the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The parts of a .cpuprofile (Chrome DevTools format) this reads. */
export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }; readonly children?: readonly number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of the profile, in percent of all sampled time. */
export interface ProfileLine {
  readonly name: string;
  readonly selfPct: number;
  readonly totalPct: number;
}

/** Self and total time per function (a recursive function's total counted once per sample). */
export function summariseProfile(profile: CpuProfile): ProfileLine[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number): string => {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) return '?';
    const file = f.url === '' ? '' : ` ${f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|src|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    return `${f.functionName === '' ? '(anonymous)' : f.functionName}${file}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const leaf = label(id);
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(at);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  });
  const pct = (v: number | undefined): number => (all === 0 ? 0 : ((v ?? 0) * 100) / all);
  return [...total.keys()].map((name) => ({ name, selfPct: pct(self.get(name)), totalPct: pct(total.get(name)) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, n = '25'] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [N]');
  const lines = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const top = (key: 'selfPct' | 'totalPct'): string[] =>
    [...lines].sort((a, b) => b[key] - a[key]).slice(0, Number(n)).map((l) => `${l.selfPct.toFixed(1).padStart(6)} %  ${l.totalPct.toFixed(1).padStart(6)} %  ${l.name}`);
  console.log(`   self    total  by self time\n${top('selfPct').join('\n')}\n\n   self    total  by total time\n${top('totalPct').join('\n')}`);
}
