// Headless Chromium for browser tests, without npm packages: run the binary with
// --dump-dom (the DOM after scripts ran) or --screenshot, bounded by a timeout, in a
// fresh profile directory that is removed afterwards. Installing Chromium is the set-up
// scripts' job (scripts/ensure-chromium.sh, run by `make test`), never a test's.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Flags shared by DOM dumps and screenshots: headless, no network chatter, no GPU. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
];

/** The Chromium binary: $CHROMIUM, /usr/bin/chromium, or chromium(-browser) on PATH; undefined if none. */
export function findChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    const path = r.stdout.trim();
    if (r.status === 0 && path) return path;
  }
  return undefined;
}

/** The Chromium binary; throws, saying how to install it, when there is none (browser tests fail, never skip). */
export function requireChromium(): string {
  const found = findChromium();
  if (found) return found;
  throw new Error(
    'Chromium is needed for the dashboard browser tests and is not installed. ' +
      'Run `bash scripts/ensure-chromium.sh` (`make test` does it first), or set CHROMIUM=/path/to/chromium.',
  );
}

/** Options for one Chromium run. */
export interface ChromiumRunOptions {
  /** Virtual time the page may run for (timers are fast-forwarded). @default 4000 */
  readonly virtualTimeMs?: number;
  /** Wall-clock limit for the whole run; the process is killed after it. @default 30000 */
  readonly timeoutMs?: number;
  /** Binary. @default requireChromium() */
  readonly binary?: string;
}

async function run(url: string, extra: readonly string[], options: ChromiumRunOptions): Promise<string> {
  const binary = options.binary ?? requireChromium();
  const profile = await mkdtemp(join(tmpdir(), 'symphony-chromium-'));
  try {
    const args = [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${profile}`,
      `--virtual-time-budget=${options.virtualTimeMs ?? 4000}`,
      ...extra,
      url,
    ];
    return await new Promise<string>((resolvePromise, reject) => {
      execFile(
        binary,
        args,
        { timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`chromium failed for ${url}: ${err.message}\n${stderr.slice(-2000)}`));
          else resolvePromise(stdout);
        },
      );
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Loads `url` and returns the serialized DOM after its scripts ran. */
export function dumpDom(url: string, options: ChromiumRunOptions = {}): Promise<string> {
  return run(url, ['--dump-dom'], options);
}

/** Loads `url` and writes a PNG screenshot of a 1280×1000 window to `file`. */
export async function screenshot(url: string, file: string, options: ChromiumRunOptions = {}): Promise<void> {
  await run(url, [`--screenshot=${resolve(file)}`, '--window-size=1280,1000'], options);
}

/** The serialized element with this id (up to its matching close tag), or throws. */
export function elementById(dom: string, id: string): string {
  const start = dom.search(new RegExp(`<[a-zA-Z][a-zA-Z0-9]* [^>]*id="${id}"`));
  if (start < 0) throw new Error(`no element #${id} in the DOM`);
  const tag = /^<([a-zA-Z][a-zA-Z0-9]*)/.exec(dom.slice(start))?.[1] ?? '';
  // Depth-count same-name tags so a nested <tbody>/<span> does not end the element early.
  const re = new RegExp(`<(/?)${tag}[\\s>]`, 'g');
  re.lastIndex = start;
  let depth = 0;
  for (let m = re.exec(dom); m; m = re.exec(dom)) {
    depth += m[1] === '/' ? -1 : 1;
    if (depth === 0) return dom.slice(start, dom.indexOf('>', m.index) + 1);
  }
  throw new Error(`element #${id} is not closed`);
}

/** Decodes the few entities Chromium writes in serialized text. */
export function htmlText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&');
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:]*)="([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

/** One text label of a chart, where the page put it. */
export interface ChartLabel {
  readonly cls: string;
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly anchor: string;
}

/** A chart as drawn: its axis labels, reference-line labels, series polylines and marks. */
export interface DrawnChart {
  readonly labels: readonly ChartLabel[];
  /** `[x, y]` points of the series path with this class (e.g. `s-running`), empty if none. */
  series(cls: string): [number, number][];
  /** The left axis value at a y coordinate, from its tick labels. */
  valueAt(y: number): number;
  readonly marks: readonly { readonly kind: string; readonly x: number; readonly title: string }[];
}

/** Reads the SVG chart with this id out of a DOM dump. */
export function drawnChart(dom: string, id: string): DrawnChart {
  const svg = elementById(dom, id);
  const labels: ChartLabel[] = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const a = attrs(m[1] as string);
    return { cls: a['class'] ?? '', text: htmlText(m[2] as string), x: Number(a['x']), y: Number(a['y']), anchor: a['text-anchor'] ?? 'start' };
  });
  const ticks = labels.filter((l) => l.cls.includes('tick-left')).map((l) => ({ value: Number(l.text), y: l.y - 3.5 }));
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const marks = [...svg.matchAll(/<g class="mark mark-([a-z-]+)">([\s\S]*?)<\/g>/g)].map((m) => {
    const body = m[2] as string;
    return { kind: m[1] as string, x: Number(attrs(/<line [^>]*>/.exec(body)?.[0] ?? '')['x1']), title: htmlText(/<title>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? '') };
  });
  return {
    labels,
    marks,
    series(cls) {
      const tag = [...svg.matchAll(/<path [^>]*>/g)].map((m) => attrs(m[0])).find((a) => a['class'] === `series ${cls}`);
      if (!tag) return [];
      return (tag['d'] ?? '')
        .slice(1)
        .split('L')
        .map((p) => p.split(',').map(Number) as [number, number]);
    },
    valueAt(y) {
      if (!lo || !hi || lo.y === hi.y) throw new Error(`chart #${id} has no left axis ticks`);
      return lo.value + ((y - lo.y) / (hi.y - lo.y)) * (hi.value - lo.value);
    },
  };
}
