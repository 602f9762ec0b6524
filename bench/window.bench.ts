// Throughput of the request windows: `node --import tsx bench/window.bench.ts`.
// record() runs on every proxied request, so it must stay a few nanoseconds.
import { performance } from 'node:perf_hooks';
import { TumblingWindow } from '../src/autoscale/tumbling.js';
import { SlidingWindow } from '../src/autoscale/window.js';

const N = 10_000_000;
const T0 = Date.now();

function bench(name: string, window: { record(now: number): void; count(now: number): number }): void {
  const started = performance.now();
  let t = T0;
  let sink = 0;
  for (let i = 0; i < N; i++) {
    t += 0.5; // 2000 requests per second of simulated time
    window.record(t);
    if ((i & 1023) === 0) sink += window.count(t); // the scaler reads far less often
  }
  const ms = performance.now() - started;
  console.log(`${name.padEnd(32)} ${((ms * 1e6) / N).toFixed(1).padStart(6)} ns/record  (${N.toLocaleString('en')} in ${ms.toFixed(0)} ms, checksum ${sink})`);
}

bench('SlidingWindow 30 s / 100 ms', new SlidingWindow({ windowMs: 30_000 }));
bench('SlidingWindow 30 s / 10 ms', new SlidingWindow({ windowMs: 30_000, resolutionMs: 10 }));
bench('TumblingWindow 30 s', new TumblingWindow({ windowMs: 30_000 }));
