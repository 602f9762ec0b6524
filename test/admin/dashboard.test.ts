import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DASHBOARD_DIR, escapeHtml, loadDashboard } from '../../src/admin/dashboard.js';
import { SymphonyError } from '../../src/errors.js';

describe('escapeHtml', () => {
  const rows: { name: string; input: string; want: string }[] = [
    { name: 'plain', input: 'demo', want: 'demo' },
    { name: 'tags', input: '<b>', want: '&lt;b&gt;' },
    { name: 'ampersand first, not doubled', input: '&lt;', want: '&amp;lt;' },
    { name: 'quotes for attributes', input: `"'`, want: '&quot;&#39;' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(escapeHtml(row.input), row.want));
  }
});

describe('loadDashboard', () => {
  test('reads the page, its script and its style, each with its content type', async () => {
    const assets = await loadDashboard('Docker Symphony');
    assert.deepEqual(
      [...assets].map(([route, a]) => [route, a.contentType]),
      [
        ['/', 'text/html; charset=utf-8'],
        ['/dashboard.js', 'text/javascript; charset=utf-8'],
        ['/dashboard.css', 'text/css; charset=utf-8'],
      ],
    );
  });

  test('puts the title, escaped, wherever the page shows it', async () => {
    const page = (await loadDashboard('Docker Symphony · <api>')).get('/')?.body ?? '';
    assert.ok(page.includes('<title>Docker Symphony · &lt;api&gt;</title>'));
    assert.ok(page.includes('<h1 id="svc-name">Docker Symphony · &lt;api&gt;</h1>'));
    assert.doesNotMatch(page, /\{\{title\}\}|<api>/);
  });

  test('every file the page asks for is one the server has', async () => {
    const assets = await loadDashboard('x');
    const page = assets.get('/')?.body ?? '';
    const wanted = [...page.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"/g)].map((m) => `/${m[1]}`);
    assert.deepEqual(wanted.sort(), ['/dashboard.css', '/dashboard.js']);
    for (const path of wanted) assert.ok(assets.has(path), path);
  });

  test('a build without the dashboard files fails with DASHBOARD_MISSING, naming the file', async () => {
    const empty = new URL('./no-such-dashboard/', DASHBOARD_DIR);
    await assert.rejects(loadDashboard('x', empty), (err: unknown) => {
      assert.ok(err instanceof SymphonyError);
      assert.equal(err.code, 'DASHBOARD_MISSING');
      assert.match(err.message, /no-such-dashboard\/index\.html/);
      assert.match(err.message, /npm run build/);
      return true;
    });
  });
});
