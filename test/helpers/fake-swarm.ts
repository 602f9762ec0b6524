// A stand-in swarm manager on the fake engine: services, tasks and nodes a test moves
// through the states a real swarm goes through slowly (node down after a heartbeat
// timeout, a rejected task, a replaced one), plus a manager that stops answering.
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeEngine } from './fake-engine.js';
import type { FakeEngine } from './fake-engine.js';

type Json = Record<string, unknown>;

/** A task as the manager stores it (what GET /tasks answers). */
export interface FakeTask {
  ID: string;
  ServiceID: string;
  NodeID: string;
  CreatedAt: string;
  DesiredState: string;
  Status: { State: string; Timestamp: string; Message?: string; Err?: string; PortStatus?: { Ports?: Json[] } };
}

/** The manager's state; tests change it between polls. */
export class FakeSwarm {
  readonly services = new Map<string, Json>();
  /** Labels of every service ever created (tasks outlive their service for a moment). */
  readonly serviceLabels = new Map<string, Record<string, string>>();
  tasks: FakeTask[] = [];
  nodes: Json[] = [fakeNode('n1', 'm1', '10.9.0.1'), fakeNode('n2', 'w1', '10.9.0.2')];
  info: Json = { LocalNodeState: 'active', ControlAvailable: true };
  swarm = { version: 5, spec: { Name: 'default', Dispatcher: { HeartbeatPeriod: 5e9 }, Raft: { ElectionTick: 10 } } as Json };
  /** Image inspect answers by name (absent: 404). */
  images: Record<string, Json> = {};
  /** While true, every request has its connection cut (the manager is away). */
  down = false;
  /** While set, every request answers 500 with this message (a manager without a leader). */
  failing: string | null = null;
  /** While set, GET /nodes answers only once it resolves (a poll in flight). */
  nodesGate: Promise<void> | null = null;
  /** Updates that find the version moved on under them (another client's update). */
  racingUpdates = 0;
  /** Open event streams. */
  readonly streams: ServerResponse[] = [];
  #seq = 0;
  #clock = Date.parse('2026-11-25T18:00:00Z');

  /** A new ISO time, later than every one before. */
  time(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }

  /** Adds a task of `serviceId` in `state`; returns it. */
  addTask(serviceId: string, fields: { state?: string; nodeId?: string; port?: number; err?: string } = {}): FakeTask {
    const task: FakeTask = {
      ID: `t${++this.#seq}`,
      ServiceID: serviceId,
      NodeID: fields.nodeId ?? 'n2',
      CreatedAt: this.time(),
      DesiredState: 'running',
      Status: { State: fields.state ?? 'pending', Timestamp: this.time(), ...(fields.err ? { Err: fields.err } : {}) },
    };
    if (fields.port !== undefined) this.publish(task, fields.port);
    this.tasks.push(task);
    return task;
  }

  /** Publishes the task's port 80 on `port`, listed twice as real managers do. */
  publish(task: FakeTask, port: number): void {
    const entry = { Protocol: 'tcp', TargetPort: 80, PublishedPort: port, PublishMode: 'host' };
    task.Status.PortStatus = { Ports: [entry, { ...entry }] };
  }

  setTask(task: FakeTask, state: string, fields: { err?: string; desired?: string } = {}): void {
    task.Status = { ...task.Status, State: state, Timestamp: this.time(), ...(fields.err ? { Err: fields.err } : {}) };
    if (fields.desired) task.DesiredState = fields.desired;
  }

  setNode(id: string, state: string): void {
    const node = this.nodes.find((n) => n['ID'] === id) as { Status: Json } | undefined;
    if (node) node.Status['State'] = state;
  }

  /** Sends a node or service event on every open stream. */
  emit(type: 'node' | 'service', action = 'update'): void {
    for (const res of this.streams) res.write(`${JSON.stringify({ Type: type, Action: action, Actor: { ID: 'x', Attributes: {} }, time: 1, timeNano: 1 })}\n`);
  }

  /** Starts the fake engine answering as this manager. */
  start(): Promise<FakeEngine> {
    return startFakeEngine({ '*': (req, res, body) => this.#route(req.method ?? '', req.url ?? '', body, res) });
  }

  #route(method: string, url: string, body: string, res: ServerResponse): void {
    if (this.down) {
      res.socket?.destroy();
      return;
    }
    if (this.failing !== null) return sendJson(res, 500, { message: this.failing });
    const { pathname, searchParams } = new URL(url, 'http://fake');
    const path = pathname.replace(/^\/v1\.41/, '');
    const filters = JSON.parse(searchParams.get('filters') ?? '{}') as Record<string, string[]>;
    const hasLabels = (labels: Record<string, string>): boolean =>
      (filters['label'] ?? []).every((f) => (f.includes('=') ? labels[f.slice(0, f.indexOf('='))] === f.slice(f.indexOf('=') + 1) : f in labels));
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/info') return sendJson(res, 200, { Swarm: this.info });
    if (method === 'GET' && path === '/swarm') return sendJson(res, 200, { ID: 'sw', Version: { Index: this.swarm.version }, Spec: this.swarm.spec });
    if (method === 'POST' && path === '/swarm/update') {
      if (this.racingUpdates > 0) {
        this.racingUpdates--;
        this.swarm.version++;
      }
      if (Number(searchParams.get('version')) !== this.swarm.version) return sendJson(res, 500, { message: 'rpc error: code = Unknown desc = update out of sequence' });
      this.swarm = { version: this.swarm.version + 1, spec: JSON.parse(body) as Json };
      return void res.writeHead(200).end();
    }
    if ((match = /^\/images\/(.+)\/json$/.exec(path))) {
      const image = this.images[decodeURIComponent(match[1] ?? '')];
      return image ? sendJson(res, 200, image) : sendJson(res, 404, { message: 'No such image' });
    }
    if (method === 'POST' && path === '/services/create') {
      const spec = JSON.parse(body) as Json;
      const id = `s${++this.#seq}`;
      this.services.set(id, { ID: id, Version: { Index: 1 }, CreatedAt: this.time(), Spec: spec });
      this.serviceLabels.set(id, (spec['Labels'] ?? {}) as Record<string, string>);
      this.addTask(id);
      return sendJson(res, 201, { ID: id });
    }
    if (method === 'GET' && path === '/services') {
      return sendJson(res, 200, [...this.services.values()].filter((s) => hasLabels(((s['Spec'] as Json)['Labels'] ?? {}) as Record<string, string>)));
    }
    if (method === 'DELETE' && (match = /^\/services\/([^/]+)$/.exec(path))) {
      const id = match[1] ?? '';
      if (!this.services.delete(id)) return sendJson(res, 404, { message: `service ${id} not found` });
      for (const task of this.tasks) if (task.ServiceID === id) task.DesiredState = 'remove';
      return void res.writeHead(200).end();
    }
    if (method === 'GET' && path === '/tasks') {
      for (const id of filters['service'] ?? []) if (!this.services.has(id)) return sendJson(res, 404, { message: `service ${id} not found` });
      return sendJson(
        res,
        200,
        this.tasks.filter(
          (t) =>
            (!filters['service'] || filters['service'].includes(t.ServiceID)) &&
            (!filters['desired-state'] || filters['desired-state'].includes(t.DesiredState)) &&
            hasLabels(this.serviceLabels.get(t.ServiceID) ?? {}),
        ),
      );
    }
    if (method === 'GET' && path === '/nodes') {
      // The answer is what the list was when asked, sent when the gate opens.
      const nodes = JSON.parse(JSON.stringify(this.nodes)) as Json[];
      if (this.nodesGate) return void this.nodesGate.then(() => sendJson(res, 200, nodes));
      return sendJson(res, 200, nodes);
    }
    if (method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      this.streams.push(res);
      return;
    }
    sendJson(res, 404, { message: `fake swarm: no route for ${method} ${url}` });
  }
}

/** A node as GET /nodes lists it. */
export function fakeNode(id: string, hostname: string, addr: string, state = 'ready'): Json {
  return { ID: id, Description: { Hostname: hostname }, Status: { State: state, Addr: addr }, Spec: { Availability: 'active', Role: 'worker' } };
}
