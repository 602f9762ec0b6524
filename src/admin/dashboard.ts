// The dashboard's files (src/admin/dashboard/: index.html, dashboard.css, dashboard.js),
// read once when the admin server starts, from the folder next to this module: src/
// under tsx, dist/ once built (the build copies the folder there).
import { readFile } from 'node:fs/promises';
import { SymphonyError } from '../errors.js';

/** One file the admin server serves as it is. */
export interface DashboardAsset {
  readonly contentType: string;
  readonly body: string;
}

/** The dashboard's files by route path: `/`, `/dashboard.js`, `/dashboard.css`. */
export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

/** Where the dashboard's files are, next to this module. */
export const DASHBOARD_DIR = new URL('./dashboard/', import.meta.url);

const FILES: readonly (readonly [route: string, file: string, contentType: string])[] = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8'],
  ['/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8'],
];

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Reads the dashboard's files and puts `title` (escaped) into the page. Rejects with
 * `DASHBOARD_MISSING` when a file is not there (a build that did not copy them).
 */
export async function loadDashboard(title: string, dir: URL = DASHBOARD_DIR): Promise<DashboardAssets> {
  const assets = new Map<string, DashboardAsset>();
  for (const [route, file, contentType] of FILES) {
    const url = new URL(file, dir);
    let body: string;
    try {
      body = await readFile(url, 'utf8');
    } catch (err) {
      throw new SymphonyError(
        'DASHBOARD_MISSING',
        `The admin dashboard's file ${url.pathname} could not be read (${err instanceof Error ? err.message : String(err)}). ` +
          'The package was built without its dashboard: `npm run build` copies src/admin/dashboard/ to dist/admin/dashboard/.',
        { cause: err },
      );
    }
    assets.set(route, { contentType, body: route === '/' ? body.replaceAll('{{title}}', escapeHtml(title)) : body });
  }
  return assets;
}
