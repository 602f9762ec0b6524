// Headless Chromium for browser tests, without npm packages: run the binary with
// --dump-dom (the DOM after scripts ran) or --screenshot, bounded by a timeout, in a
// fresh profile directory that is removed afterwards.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

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

/** Runs scripts/ensure-chromium.sh (installs on Debian as root) and returns the binary path; throws if none. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  const r = spawnSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { encoding: 'utf8', timeout: 600_000 });
  const path = findChromium();
  if (r.status !== 0 || !path) {
    throw new Error(`Chromium is needed for the browser test and could not be installed:\n${r.stderr}\nRun scripts/ensure-chromium.sh to see how to install it.`);
  }
  return path;
}

/** Options for one Chromium run. */
export interface ChromiumRunOptions {
  /** Virtual time the page may run for (timers are fast-forwarded). @default 4000 */
  readonly virtualTimeMs?: number;
  /** Wall-clock limit for the whole run; the process is killed after it. @default 30000 */
  readonly timeoutMs?: number;
  /** Binary. @default ensureChromium() */
  readonly binary?: string;
}

async function run(url: string, extra: readonly string[], options: ChromiumRunOptions): Promise<string> {
  const binary = options.binary ?? ensureChromium();
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
