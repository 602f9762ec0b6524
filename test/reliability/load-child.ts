// Entry point of a load generator in its own process (so its work never shares an
// event loop with the orchestrator under test, and so it can run inside a test's
// network namespace). argv[2]: LoadOptions as JSON. A line "stop" on stdin, or stdin
// closing, ends the run early. The result is one JSON line on stdout.
import { createInterface } from 'node:readline';
import { runLoad, type LoadOptions } from './load.js';

const options = JSON.parse(process.argv[2] ?? '') as LoadOptions;
const abort = new AbortController();
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() === 'stop') abort.abort();
});
input.on('close', () => abort.abort());
process.stdout.write('started\n');
const result = await runLoad(options, abort.signal);
process.stdout.write(`${JSON.stringify(result)}\n`);
input.close();
process.exit(0);
