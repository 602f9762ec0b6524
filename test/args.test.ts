import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { configFileLayer, helpText, optionsMarkdown, parseArgs } from '../src/args.js';

/** The layer of a command line that parsed (fails the test on help or version). */
function run(argv: string[]): { values: Readonly<Record<string, unknown>>; messages: string[]; configFile: string | null } {
  const parsed = parseArgs(argv);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') throw new Error('unreachable');
  return { values: parsed.layer.values, messages: (parsed.layer.issues ?? []).map((i) => i.message), configFile: parsed.configFile };
}

describe('parseArgs', () => {
  const rows: [string, string[], Record<string, unknown>][] = [
    ['flag and value', ['--image', 'demo:1'], { image: 'demo:1' }],
    ['inline value', ['--max=5'], { max: '5' }],
    ['an empty inline value is a value', ['--name='], { name: '' }],
    ['a negative number is a value', ['--min', '-1'], { min: '-1' }],
    ['repeatable flags collect', ['--env', 'A=1', '--env=B=2'], { env: ['A=1', 'B=2'] }],
    ['a switch', ['--keep-containers'], { keepContainers: true }],
    ['a switch set to false', ['--keep-containers=false'], { keepContainers: 'false' }],
    ['the last of a flag given twice wins', ['--max', '3', '--max', '4'], { max: '4' }],
    ['every word after -- is the command', ['--image', 'app:1', '--', 'node', 'server.js', '--port', '80'], { image: 'app:1', command: ['node', 'server.js', '--port', '80'] }],
    ['a second -- belongs to the command', ['--', 'sh', '-c', 'echo', '--', 'x'], { command: ['sh', '-c', 'echo', '--', 'x'] }],
    ['--help after -- is the command\'s', ['--image', 'a', '--', 'app', '--help'], { image: 'a', command: ['app', '--help'] }],
    ['nothing after --: no command', ['--image', 'a', '--'], { image: 'a' }],
    ['repeatable container options collect', ['--network', 'a', '--network=b', '--volume', 'v:/d', '--label', 'k=v', '--cap-drop', 'ALL'], { network: ['a', 'b'], volume: ['v:/d'], label: ['k=v'], capDrop: ['ALL'] }],
    ['container switches', ['--read-only', '--init'], { readOnly: true, init: true }],
  ];
  for (const [name, argv, values] of rows) {
    test(name, () => {
      const parsed = run(argv);
      assert.deepEqual(parsed.values, values);
      assert.deepEqual(parsed.messages, []);
    });
  }

  test('--config names the file and is not an option value', () => {
    const parsed = run(['--config', 'c.json', '--image', 'x']);
    assert.equal(parsed.configFile, 'c.json');
    assert.deepEqual(parsed.values, { image: 'x' });
  });

  const help: [string, string[], 'help' | 'version'][] = [
    ['--help after other flags', ['--image', 'x', '--help'], 'help'],
    ['-h', ['-h'], 'help'],
    ['--help beside a mistake', ['--widnow', '--help'], 'help'],
    ['--version', ['--version'], 'version'],
    ['-v', ['-v'], 'version'],
  ];
  for (const [name, argv, kind] of help) test(name, () => assert.equal(parseArgs(argv).kind, kind));

  const bad: [string, string[], string[]][] = [
    ['a typo gets the nearest flag', ['--widnow', '30s', '--image', 'x'], ['unknown option --widnow; did you mean --window?']],
    ['a flag far from any', ['--replicas', '3'], ['unknown option --replicas (see docker-symphony --help)']],
    ['an unknown short flag', ['-x'], ['unknown option -x (see docker-symphony --help)']],
    ['a stray word', ['demo'], ['unexpected argument "demo": every option is a flag such as --image (see --help)']],
    ['a flag without its value at the end', ['--image'], ['--image needs a value (IMAGE)']],
    ['a flag whose value would be the next flag', ['--image', '--max', '3'], ['--image needs a value (IMAGE)']],
    ['--config without a file', ['--config'], ['--config needs a value']],
    ['every problem at once', ['--widnow', '--mni', '2', 'extra'], [
      'unknown option --widnow; did you mean --window?',
      'unknown option --mni; did you mean --min?',
      'unexpected argument "extra": every option is a flag such as --image (see --help)',
    ]],
  ];
  for (const [name, argv, messages] of bad) {
    test(`reports ${name}`, () => {
      const parsed = run(argv);
      assert.deepEqual(parsed.messages, messages);
      for (const message of messages) assert.doesNotMatch(message, /undefined|null/);
    });
  }
});

describe('configFileLayer', () => {
  const rows: [string, unknown, string][] = [
    ['a list', [1], 'c.json: expected a JSON object of options such as {"image": "my-api:latest"}, not a list'],
    ['null', null, 'c.json: expected a JSON object of options such as {"image": "my-api:latest"}, not null'],
    ['a string', 'image', 'c.json: expected a JSON object of options such as {"image": "my-api:latest"}, not a string'],
  ];
  for (const [name, json, message] of rows) {
    test(`refuses ${name}, naming the file`, () => {
      assert.deepEqual(configFileLayer(json, 'c.json').issues?.map((i) => i.message), [message]);
    });
  }
  test('an object becomes the values of a file layer', () => {
    assert.deepEqual(configFileLayer({ 'container-port': 8080 }, 'c.json'), { source: { kind: 'file', path: 'c.json' }, values: { 'container-port': 8080 } });
  });
});

test('--help shows each option with its placeholder, help and default', () => {
  const lines = helpText('1.2.3').split('\n');
  const line = (flag: string): string => lines.find((l) => l.trimStart().startsWith(`${flag} `)) ?? assert.fail(`no line for ${flag}`);
  assert.match(lines[0] ?? '', /^docker-symphony 1\.2\.3: /);
  assert.match(line('--window'), /^ {2}--window DURATION +how far back requests are counted \(default: 120s\)$/);
  assert.match(line('--image'), /image every container runs \(required\)$/);
  assert.match(line('--health-timeout'), /\(default: 80 % of the interval\)$/);
  assert.match(line('--admin-listen'), /--admin-listen \[HOST:\]PORT\|off +.*\(default: 127\.0\.0\.1:9900\)$/);
  assert.match(line('--keep-containers'), /^ {2}--keep-containers +on shutdown/);
  assert.match(line('--config'), /--config FILE/);
  assert.match(line('--'), /^ {2}-- COMMAND \[ARG\.\.\.\] +the container's command: every word after -- .*\(default: the image's CMD\)$/);
  assert.match(line('--network'), /^ {2}--network NAME +join this existing network/);
  assert.ok(!lines.some((l) => l.includes('--command')), 'the command is not a flag');
});

test("the README's options table is the one generated from the options", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const match = /<!-- options:start -->\n([\s\S]*?)\n<!-- options:end -->/.exec(readme);
  assert.ok(match, 'README.md has <!-- options:start --> … <!-- options:end --> markers');
  assert.equal(match[1], optionsMarkdown(), 'regenerate it: node --import tsx scripts/options-table.ts');
});
