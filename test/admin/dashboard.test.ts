import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardHtml, escapeHtml } from '../../src/admin/dashboard.js';

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

describe('dashboardHtml', () => {
  const html = dashboardHtml({ title: 'My <API>', nonce: 'n0nce+/=' });

  test('is a complete HTML document', () => {
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<\/html>\n$/);
  });

  test('escapes the title', () => {
    assert.ok(html.includes('<title>My &lt;API&gt;</title>'));
    assert.ok(!html.includes('My <API>'));
  });

  test('puts the nonce on its one script and one style', () => {
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.equal((html.match(/<style/g) ?? []).length, 1);
    assert.ok(html.includes('<script nonce="n0nce+/=">'));
    assert.ok(html.includes('<style nonce="n0nce+/=">'));
  });

  test('has no nonce attribute when none is given', () => {
    assert.ok(dashboardHtml().includes('<script>'));
  });

  test('loads nothing from other origins and never parses data as HTML', () => {
    const urls = html.match(/https?:\/\/[^\s'"<)]+/g) ?? [];
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace, which is not fetched');
    assert.doesNotMatch(html, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    assert.doesNotMatch(html, /\bsrc=/);
  });

  test('has the regions the page fills in', () => {
    for (const id of ['svc-name', 'containers-body', 'events-body', 'chart-traffic', 'chart-replicas', 'conn']) {
      assert.ok(html.includes(`id="${id}"`), id);
    }
  });

  test('fetches the status with a relative URL (works behind a path prefix)', () => {
    assert.ok(html.includes("fetch('api/status'"));
  });
});
