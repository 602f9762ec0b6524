import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText, optionsFromJson, parseArgs } from '../src/args.js';
import { ConfigError, OPTIONS } from '../src/config.js';

test('flags, inline values, repeatable and boolean flags', () => {
  const parsed = parseArgs(['--image', 'demo:1', '--max=5', '--env', 'A=1', '--env', 'B=2', '--keep-containers', '--config', 'c.json']);
  assert.deepEqual(parsed, {
    kind: 'run',
    options: { image: 'demo:1', max: '5', env: ['A=1', 'B=2'], keepContainers: true },
    configFile: 'c.json',
  });
});

test('help and version win', () => {
  assert.equal(parseArgs(['--image', 'x', '--help']).kind, 'help');
  assert.equal(parseArgs(['--version']).kind, 'version');
});

test('unknown flags, stray words and missing values are ConfigErrors naming the flag', () => {
  assert.throws(() => parseArgs(['--imagee', 'x']), (e: unknown) => e instanceof ConfigError && e.option === '--imagee');
  assert.throws(() => parseArgs(['demo']), ConfigError);
  assert.throws(() => parseArgs(['--image']), (e: unknown) => e instanceof ConfigError && e.option === '--image');
  assert.throws(() => parseArgs(['--image', '--max', '3']), (e: unknown) => e instanceof ConfigError && e.option === '--image');
});

test('JSON config keys may be camelCase or flag names', () => {
  assert.deepEqual(optionsFromJson({ 'container-port': 8080, window: '10s', min: 2 }, 'c.json'), { containerPort: 8080, window: '10s', min: 2 });
  assert.throws(() => optionsFromJson({ replicas: 2 }, 'c.json'), ConfigError);
  assert.throws(() => optionsFromJson([1], 'c.json'), ConfigError);
});

test('--help documents every flag with its default', () => {
  const help = helpText('1.2.3');
  for (const option of OPTIONS) assert.ok(help.includes(option.flag), option.flag);
  assert.match(help, /--window DURATION\s+how far back requests are counted \(default: 120s\)/);
});
