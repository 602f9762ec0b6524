// Shared helpers for tests that use the real Docker engine: a client, labels that mark
// what a test created, and a sweeper that removes it (even after a failure).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { DockerClient } from '../../src/docker/client.js';
import type { DockerClientOptions } from '../../src/docker/client.js';
import { parseDockerHost } from '../../src/docker/host.js';

/** Every container a test creates carries `docker-symphony.test=1`. */
export const TEST_LABEL = 'docker-symphony.test';

/** Identifies one test file's run, so its sweeper leaves other files' containers alone. */
export const TEST_RUN_LABEL = 'docker-symphony.test.run';

/** The demo app image (built by `make image`). */
export const DEMO_IMAGE = process.env['IMAGE'] ?? 'docker-symphony-demo:latest';

/** A client for the engine the environment names (tests may read env; library code may not). */
export function dockerForTests(options: Omit<DockerClientOptions, 'host'> = {}): DockerClient {
  return new DockerClient({ host: parseDockerHost(process.env), ...options });
}

/** Labels for one run: the test label plus a unique run id. */
export function testLabels(): Record<string, string> {
  return { [TEST_LABEL]: '1', [TEST_RUN_LABEL]: `${process.pid}-${randomBytes(4).toString('hex')}` };
}

/** `k=v` filters for the given labels, as listContainers and events take them. */
export function labelFilters(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

/**
 * Force-removes every container (running or not) carrying all of `labels`; returns how
 * many. Pass the run's labels: with only the test label it also removes what other
 * test files (possibly running in parallel) created.
 */
export async function removeTestContainers(
  docker: DockerClient,
  labels: readonly string[] = [`${TEST_LABEL}=1`],
): Promise<number> {
  if (!labels.includes(`${TEST_LABEL}=1`)) throw new Error(`refusing to sweep containers without ${TEST_LABEL}=1`);
  const found = await docker.listContainers({ all: true, labels });
  await Promise.all(found.map((c) => docker.removeContainer(c.id, { force: true })));
  return found.length;
}

/** GET http://127.0.0.1:port/path → status and parsed JSON body. */
export function getJson(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET 127.0.0.1:${port}${path} timed out`)));
    req.on('error', reject);
  });
}

/** Polls GET 127.0.0.1:port/path until it answers (the app may still be booting). */
export async function waitForHttp(port: number, path: string, timeoutMs = 15_000): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await getJson(port, path);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
