// The package as users get it: `npm pack`, installed into an empty project with no
// network beyond the registry (it has no dependencies at all), run as a CLI and
// embedded as a library with the README's own example.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEMO_IMAGE, docker, serviceName, sweep, waitFor } from '../e2e/harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';
let bin = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symphony-pack-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const tarball = join(dir, stdout.trim().split('\n').pop() as string);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: dir });
  bin = join(dir, 'node_modules', '.bin', 'docker-symphony');
});

after(async () => {
  await sweep('embedded-demo');
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the packed tarball ships built JS, types and no dependencies', async () => {
  const manifest = JSON.parse(await readFile(join(dir, 'node_modules', 'docker-symphony', 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(manifest['dependencies'], undefined);
  await readFile(join(dir, 'node_modules', 'docker-symphony', 'dist', 'index.d.ts'));
  const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: dir });
  assert.equal(stdout.trim().split('\n').length, 2, `only the consumer and docker-symphony are installed:\n${stdout}`);
});

test('the installed CLI prints --help and runs a real start and stop', async () => {
  const help = await run(bin, ['--help']);
  assert.match(help.stdout, /Usage: docker-symphony --image IMAGE/);

  const service = serviceName('pack');
  const child = spawn(bin, ['--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--stop-timeout', '2s', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => events.push((JSON.parse(line) as { event: string }).event));
  try {
    await waitFor(() => events, (e) => e.includes('container.ready'), 40_000, 'a ready container');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    // Every stdout line parsed as JSON above, the CLI's own shutdown line included.
    assert.ok(events.includes('cli.signal'), events.join(' '));
    assert.ok(events.includes('symphony.stopped'), events.join(' '));
    assert.equal((await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] })).length, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await sweep(service);
  }
});

test("require('docker-symphony') works, or says the package is an ES module and what to write", async () => {
  await writeFile(join(dir, 'required.cjs'), "const { Symphony } = require('docker-symphony'); console.log(typeof Symphony);");
  // Node 20.19+ and 22.12+ can require() an ES module (they take the "module-sync" entry);
  // without that ability (older, or switched off) "require" is the entry that explains.
  const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
  if (canRequireEsm) {
    const { stdout } = await run(process.execPath, ['required.cjs'], { cwd: dir });
    assert.equal(stdout.trim(), 'function');
  }
  const without = canRequireEsm ? ['--no-experimental-require-module', 'required.cjs'] : ['required.cjs'];
  await assert.rejects(run(process.execPath, without, { cwd: dir }), (err: { stderr: string }) => {
    assert.match(err.stderr, /docker-symphony is an ES module, and this Node version cannot require\(\) one\. Use `import \{ Symphony \} from 'docker-symphony'`/);
    return true;
  });
});

test("the README's embedding example runs against the installed package", async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- embed-example:start -->\s*```js\n([\s\S]*?)```\s*<!-- embed-example:end -->/.exec(readme);
  assert.ok(match, 'the README has the embedding example');
  const example = (match[1] as string).replace('docker-symphony-demo:latest', DEMO_IMAGE);
  await writeFile(join(dir, 'example.mjs'), example);
  const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: dir, timeout: 90_000 });
  assert.match(stdout, /^answer 200 [0-9a-f]{12}$/m);
  assert.match(stdout, /^ready [0-9a-f]{12}$/m);
  assert.match(stdout, /^states .*ready/m);
  assert.equal((await docker.listContainers({ all: true, labels: ['docker-symphony.service=embedded-demo'] })).length, 0);
});
