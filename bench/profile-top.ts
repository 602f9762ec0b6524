// Where a V8 CPU profile spends its time: `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`.
// Prints the N functions with the most self time, the N with the most total time (self
// plus callees), by function and file:line, and self time by file. Shares are of busy
// time (idle samples left out). The summaries are pure; the CLI reads the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The parts of a .cpuprofile (Chrome DevTools format) this reads. */
export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }; readonly children?: readonly number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of the profile, in percent of the sampled busy (not idle) time. */
export interface ProfileLine {
  readonly name: string;
  /** Its script (`node:…`, `dist/…`), or its name for a category like `(garbage collector)` or a native. */
  readonly file: string;
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
  const fileOf = (id: number): string => {
    const f = byId.get(id)?.callFrame;
    if (f === undefined || f.url === '') return label(id);
    return f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|src|node_modules)\//, '$1/');
  };
  const files = new Map<string, string>();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    // Idle time is not work: shares are of the time the process was busy.
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    all += dt;
    const leaf = label(id);
    files.set(leaf, fileOf(id));
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(at);
      if (seen.has(name)) continue;
      seen.add(name);
      if (!files.has(name)) files.set(name, fileOf(at));
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  });
  const pct = (v: number | undefined): number => (all === 0 ? 0 : ((v ?? 0) * 100) / all);
  return [...total.keys()].map((name) => ({ name, file: files.get(name) ?? name, selfPct: pct(self.get(name)), totalPct: pct(total.get(name)) }));
}

/** Self time summed by file (`node:…` internals, `dist/…` or `src/…` modules, or a category like `(garbage collector)`). */
export function selfByFile(lines: readonly ProfileLine[]): { file: string; selfPct: number }[] {
  const byFile = new Map<string, number>();
  for (const l of lines) byFile.set(l.file, (byFile.get(l.file) ?? 0) + l.selfPct);
  return [...byFile].map(([file, selfPct]) => ({ file, selfPct })).sort((a, b) => b.selfPct - a.selfPct);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, n = '25'] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [N]');
  const lines = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const top = (key: 'selfPct' | 'totalPct'): string[] =>
    [...lines].sort((a, b) => b[key] - a[key]).slice(0, Number(n)).map((l) => `${l.selfPct.toFixed(1).padStart(6)} %  ${l.totalPct.toFixed(1).padStart(6)} %  ${l.name}`);
  const files = selfByFile(lines).slice(0, Number(n)).map((f) => `${f.selfPct.toFixed(1).padStart(6)} %  ${f.file}`);
  console.log(`   self    total  by self time\n${top('selfPct').join('\n')}\n\n   self    total  by total time\n${top('totalPct').join('\n')}\n\n   self  by file\n${files.join('\n')}`);
}
