import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../src/config.js';
import { parseEnvFile, readEnvFiles } from '../src/env-file.js';

describe('parseEnvFile', () => {
  const env = { FROM_ENV: 'yes', EMPTY: '' };
  const rows: { name: string; text: string; entries: string[]; problems?: string[] }[] = [
    { name: 'KEY=VALUE lines, in order', text: 'A=1\nB=2\n', entries: ['A=1', 'B=2'] },
    { name: 'comments and blank lines skipped', text: '# a comment\n\n   \n  # indented comment\nA=1', entries: ['A=1'] },
    { name: 'the value is taken as written, quotes and spaces included', text: 'A="quoted" \nB= x', entries: ['A="quoted" ', 'B= x'] },
    { name: 'the value may hold = and #', text: 'URL=http://x/?a=b#frag', entries: ['URL=http://x/?a=b#frag'] },
    { name: 'leading spaces before the key are dropped', text: '   A=1', entries: ['A=1'] },
    { name: 'KEY alone takes its value from the environment', text: 'FROM_ENV\nEMPTY', entries: ['FROM_ENV=yes', 'EMPTY='] },
    { name: 'KEY alone, not in the environment: left out', text: 'MISSING\nA=1', entries: ['A=1'] },
    { name: 'an empty value is a value', text: 'A=', entries: ['A='] },
    { name: 'CRLF line ends and a BOM', text: '\uFEFFA=1\r\nB=2\r\n', entries: ['A=1', 'B=2'] },
    { name: 'a key with a space is a problem, naming the line', text: 'A=1\nBAD KEY=2', entries: ['A=1'], problems: ['line 2: "BAD KEY" is not a variable name (KEY=VALUE, KEY, or a # comment)'] },
    { name: 'a line starting with = is a problem', text: '=1', entries: [], problems: ['line 1: "" is not a variable name (KEY=VALUE, KEY, or a # comment)'] },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(parseEnvFile(row.text, env), { entries: row.entries, problems: row.problems ?? [] }));
  }
});

describe('readEnvFiles', () => {
  const files: Record<string, string> = { 'a.env': 'A=1\nB=2', 'b.env': 'B=3', 'bad.env': 'NOT OK' };
  const io = {
    readFile: (path: string): string => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    env: {},
  };

  test('every file in order (a later one wins in the container, as with docker run)', () => {
    assert.deepEqual(readEnvFiles({ envFile: ['a.env', 'b.env'] }, io), ['A=1', 'B=2', 'B=3']);
  });
  test('no files: nothing, nothing read', () => assert.deepEqual(readEnvFiles({ envFile: [] }, { ...io, readFile: () => assert.fail('read') }), []));

  test('every problem at once, naming the file', () => {
    try {
      readEnvFiles({ envFile: ['missing.env', 'bad.env'] }, io);
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.issues.map((i) => i.message),
        [
          'invalid --env-file "missing.env": expected a readable file (ENOENT)',
          'invalid --env-file "bad.env": expected KEY=VALUE lines; line 1: "NOT OK" is not a variable name (KEY=VALUE, KEY, or a # comment)',
        ],
      );
    }
  });
});
