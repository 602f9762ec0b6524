// The events watcher on a scripted event source and the fake clock: exits reach the
// owner; a broken stream is said once per outage, however often reconnecting fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerUnavailableError } from '../../src/docker/errors.js';
import type { DockerEvent, EventsOptions } from '../../src/docker/index.js';
import { EventLogger, type LogRecord } from '../../src/log.js';
import { EventsWatcher } from '../../src/runtime/docker-events.js';
import { FakeClock } from '../helpers/fake-clock.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const refused = (): DockerUnavailableError => new DockerUnavailableError({ reason: 'ECONNREFUSED', host: 'unix:///fake.sock', message: 'refused' });

/** One scripted subscription: fail at once, or open and yield these events then fail. */
type Script = { fail: true } | { events: DockerEvent[] };

function source(scripts: Script[]) {
  const subscriptions: EventsOptions[] = [];
  return {
    subscriptions,
    events(options: EventsOptions = {}): AsyncIterable<DockerEvent> {
      subscriptions.push(options);
      const script = scripts.shift() ?? { fail: true };
      return (async function* () {
        if ('fail' in script) throw refused();
        options.onOpen?.();
        for (const e of script.events) yield e;
        throw refused(); // the engine went away
      })();
    },
  };
}

const die = (id: string, time: number): DockerEvent => ({ type: 'container', action: 'die', id, attributes: { exitCode: '137' }, time, timeNano: time * 1e9 });

test('exits reach the owner; an outage is logged once and reported once; reopening is logged', async () => {
  const clock = new FakeClock();
  const records: LogRecord[] = [];
  const exits: string[] = [];
  const broken: unknown[] = [];
  const docker = source([{ events: [die('a', 1_700_000_001)] }, { fail: true }, { fail: true }, { fail: true }, { events: [die('b', 1_700_000_009)] }]);
  const watcher = new EventsWatcher({
    docker,
    service: 'web',
    clock,
    logger: new EventLogger({ now: () => clock.now(), sinks: [(r) => records.push(r)] }),
    reconnectDelayMs: 1_000,
    onExit: (id, action, code) => exits.push(`${id} ${action} ${code}`),
    onBroken: (err) => broken.push(err),
  });
  watcher.start();
  await settle();
  assert.deepEqual(exits, ['a die 137']);
  for (let i = 0; i < 4; i++) {
    clock.advance(1_000);
    await settle();
  }
  assert.deepEqual(exits, ['a die 137', 'b die 137']);
  assert.equal(records.filter((r) => r.event === 'events.reconnect').length, 2, 'once per outage (two outages), not once per failed attempt');
  assert.equal(broken.length, 2);
  assert.equal(records.filter((r) => r.event === 'events.reconnected').length, 1);
  assert.equal(docker.subscriptions[4]?.since, 1_700_000_001, 'resubscribes from the last event seen');
  assert.deepEqual(docker.subscriptions[0]?.filters?.label, ['docker-symphony.service=web']);
  const stopping = watcher.stop();
  clock.advance(1_000);
  await stopping;
});
